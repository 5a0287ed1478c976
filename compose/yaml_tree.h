// A YAML document as yaml-cpp's parser reads it, held as a plain tree for
// the Compose parser to walk. yaml-cpp's own YAML::Node graph costs more to
// build than the parse that feeds it, and every Node copy or map iterator
// step touches shared pointers (issue 12: `compose config` < 5 ms). The
// same events make the same tree: types, scalars, marks, anchors and
// aliases (an alias is the anchored node itself), keys in file order,
// duplicates kept.
#ifndef SANDBOT_COMPOSE_YAML_TREE_H_
#define SANDBOT_COMPOSE_YAML_TREE_H_

#include <yaml-cpp/yaml.h>

#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace sandbot {

struct YamlNodeData;

// A node of a YamlTree, read as a YAML::Node is read. Copies are cheap and
// valid while the tree lives. A default node is null, as YAML::Node() is.
class YamlNode {
 public:
  using Entry = std::pair<YamlNode, YamlNode>;  // key, value

  YamlNode() = default;
  explicit YamlNode(const YamlNodeData* data) : data_(data) {}

  bool IsNull() const;
  bool IsScalar() const;
  bool IsSequence() const;
  bool IsMap() const;
  // False for the node a missing key names (YAML::Node's zombie).
  explicit operator bool() const;
  const std::string& Scalar() const;  // "" unless a scalar
  YAML::Mark Mark() const;
  size_t size() const;                  // items of a sequence, entries of a map; 0 otherwise
  YamlNode operator[](size_t i) const;  // a sequence's item
  // A map's value under the first scalar key `key`; a node that is false
  // when there is none.
  YamlNode operator[](const std::string& key) const;
  // A map's entries in file order (none for other nodes).
  std::vector<Entry>::const_iterator begin() const;
  std::vector<Entry>::const_iterator end() const;

 private:
  const YamlNodeData* data_ = nullptr;
};

struct YamlNodeData {
  YAML::NodeType::value type = YAML::NodeType::Null;
  YAML::Mark mark = YAML::Mark::null_mark();
  std::string scalar;
  std::vector<YamlNode> items;           // a sequence
  std::vector<YamlNode::Entry> entries;  // a map
};

class YamlTree {
 public:
  // The first document of `text`, as YAML::Load(text) reads it: throws
  // what it throws (YAML::ParserException with the mark of the fault). A
  // text with no document is a null root.
  void Load(const std::string& text);
  YamlNode root() const { return root_; }

 private:
  class Builder;
  std::deque<YamlNodeData> nodes_;  // stable addresses for the handles
  YamlNode root_;
};

}  // namespace sandbot

#endif  // SANDBOT_COMPOSE_YAML_TREE_H_
