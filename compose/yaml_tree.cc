#include "compose/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>

namespace sandbot {
namespace {

const YamlNodeData kNull;
// What a missing key names: not even null (YAML::Node's zombie).
const YamlNodeData kUndefined{YAML::NodeType::Undefined, YAML::Mark::null_mark(), {}, {}, {}};
const std::vector<YamlNode::Entry> kNoEntries;

}  // namespace

bool YamlNode::IsNull() const { return !data_ || data_->type == YAML::NodeType::Null; }
bool YamlNode::IsScalar() const { return data_ && data_->type == YAML::NodeType::Scalar; }
bool YamlNode::IsSequence() const { return data_ && data_->type == YAML::NodeType::Sequence; }
bool YamlNode::IsMap() const { return data_ && data_->type == YAML::NodeType::Map; }
YamlNode::operator bool() const { return data_ != &kUndefined; }
const std::string& YamlNode::Scalar() const { return (data_ ? data_ : &kNull)->scalar; }
YAML::Mark YamlNode::Mark() const { return data_ ? data_->mark : YAML::Mark::null_mark(); }

size_t YamlNode::size() const {
  if (IsSequence()) return data_->items.size();
  if (IsMap()) return data_->entries.size();
  return 0;
}

YamlNode YamlNode::operator[](size_t i) const {
  return IsSequence() && i < data_->items.size() ? data_->items[i] : YamlNode(&kUndefined);
}

YamlNode YamlNode::operator[](const std::string& key) const {
  for (const Entry& e : *this) {
    if (e.first.IsScalar() && e.first.Scalar() == key) return e.second;
  }
  return YamlNode(&kUndefined);
}

std::vector<YamlNode::Entry>::const_iterator YamlNode::begin() const {
  return IsMap() ? data_->entries.begin() : kNoEntries.begin();
}
std::vector<YamlNode::Entry>::const_iterator YamlNode::end() const {
  return IsMap() ? data_->entries.end() : kNoEntries.end();
}

// yaml-cpp's NodeBuilder, making YamlNodeData: a node joins its collection
// when it ends; in a map, every other node is a key.
class YamlTree::Builder : public YAML::EventHandler {
 public:
  explicit Builder(YamlTree* tree) : tree_(tree) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Done(New(mark, anchor, YAML::NodeType::Null));
  }
  void OnAlias(const YAML::Mark&, YAML::anchor_t anchor) override { Done(anchors_[anchor]); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNodeData* node = New(mark, anchor, YAML::NodeType::Scalar);
    node->scalar = value;
    Done(node);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open_.push_back({New(mark, anchor, YAML::NodeType::Sequence), YamlNode(), false});
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open_.push_back({New(mark, anchor, YAML::NodeType::Map), YamlNode(), false});
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Open {
    YamlNodeData* node;
    YamlNode key;  // a map's key awaiting its value
    bool has_key = false;
  };

  YamlNodeData* New(const YAML::Mark& mark, YAML::anchor_t anchor, YAML::NodeType::value type) {
    YamlNodeData& node = tree_->nodes_.emplace_back();
    node.type = type;
    node.mark = mark;
    if (anchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
      anchors_[anchor] = YamlNode(&node);
    }
    return &node;
  }
  void Close() {
    YamlNodeData* node = open_.back().node;
    open_.pop_back();
    Done(node);
  }
  void Done(const YamlNodeData* data) { Done(YamlNode(data)); }
  void Done(YamlNode node) {
    if (open_.empty()) {
      tree_->root_ = node;
      return;
    }
    Open& parent = open_.back();
    if (parent.node->type == YAML::NodeType::Sequence) {
      parent.node->items.push_back(node);
    } else if (!parent.has_key) {
      parent.key = node;
      parent.has_key = true;
    } else {
      parent.node->entries.emplace_back(parent.key, node);
      parent.has_key = false;
    }
  }

  YamlTree* tree_;
  std::vector<Open> open_;
  std::vector<YamlNode> anchors_;  // by yaml-cpp's anchor number (from 1)
};

void YamlTree::Load(const std::string& text) {
  nodes_.clear();
  root_ = YamlNode();
  std::istringstream in(text);
  YAML::Parser parser(in);
  Builder builder(this);
  parser.HandleNextDocument(builder);
}

}  // namespace sandbot
