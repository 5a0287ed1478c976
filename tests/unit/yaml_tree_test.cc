// compose/yaml_tree: the tree the Compose parser walks reads as the
// YAML::Node yaml-cpp builds from the same text (issue 12's fast
// `compose config`): types, scalars, marks, sizes, entries in order,
// anchors and aliases, and the errors it throws.
#define BOOST_TEST_DYN_LINK
#include "compose/yaml_tree.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;

namespace {

// Compares `ours` with `theirs` to `depth` levels (aliases may make cycles).
void ExpectSame(const YamlNode& ours, const YAML::Node& theirs, const std::string& path,
                int depth = 6) {
  BOOST_TEST_CONTEXT("at " << path) {
    BOOST_TEST(ours.IsNull() == theirs.IsNull());
    BOOST_TEST(ours.IsScalar() == theirs.IsScalar());
    BOOST_TEST(ours.IsSequence() == theirs.IsSequence());
    BOOST_TEST(ours.IsMap() == theirs.IsMap());
    BOOST_TEST(ours.Scalar() == theirs.Scalar());
    BOOST_TEST(ours.Mark().line == theirs.Mark().line);
    BOOST_TEST(ours.Mark().column == theirs.Mark().column);
    BOOST_TEST(ours.size() == theirs.size());
    if (depth == 0 || ours.size() != theirs.size()) return;
    if (ours.IsSequence()) {
      for (size_t i = 0; i < ours.size(); ++i) {
        ExpectSame(ours[i], theirs[i], path + "[" + std::to_string(i) + "]", depth - 1);
      }
    } else if (ours.IsMap()) {
      auto it = theirs.begin();
      for (const YamlNode::Entry& entry : ours) {
        ExpectSame(entry.first, it->first, path + " key", depth - 1);
        ExpectSame(entry.second, it->second, path + "." + it->first.Scalar(), depth - 1);
        ++it;
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compose_yaml_tree)

BOOST_AUTO_TEST_CASE(reads_as_yaml_cpp_nodes) {
  const char* texts[] = {
      "",
      "# a comment only\n",
      "---\n",
      "a\n",
      "services:\n  web:\n    image: nginx\n    ports: [\"80:80\", {target: 81}]\n",
      "x-a: &a {image: a, environment: [A=1]}\nservices:\n  web:\n    <<: *a\n  w2: *a\n",
      "services:\n  web: &w {image: a, <<: *w}\n",  // an alias inside its own anchor
      "services:\n  web:\n    command: &c [a, *c]\n",
      "x-k: &k web\nservices:\n  *k : {image: a}\n  ? [a, b]\n  : c\n",
      "a: &x 1\nb: &x 2\nc: *x\n",  // an anchor defined again
      "e: {A: , B: ~, C: null, D: \"\", E: !!str 1, F: 'null', G: !!null x}\n",
      "dup: 1\ndup: 2\n",
      "t: |\n  line\n  more\nf: >-\n  folded\n  text\n",
      "%YAML 1.2\n---\nfirst: 1\n...\n---\nsecond: 2\n",
      "- a\n- [b, {c: d}]\n- ? e\n",
  };
  for (const char* text : texts) {
    BOOST_TEST_CONTEXT("text \"" << text << "\"") {
      YamlTree tree;
      tree.Load(text);
      ExpectSame(tree.root(), YAML::Load(text), "root");
    }
  }
}

BOOST_AUTO_TEST_CASE(a_missing_key_names_no_node) {
  YamlTree tree;
  tree.Load("a: {path: x}\nb: [1]\n");
  BOOST_TEST(static_cast<bool>(tree.root()["a"]["path"]));
  BOOST_TEST(tree.root()["a"]["path"].Scalar() == "x");
  BOOST_TEST(!tree.root()["a"]["nope"]);
  BOOST_TEST(!tree.root()["b"][1]);
  BOOST_TEST(YamlNode().IsNull());
  BOOST_TEST(static_cast<bool>(YamlNode()));
}

BOOST_AUTO_TEST_CASE(throws_what_yaml_cpp_throws) {
  for (const char* text : {"a: [b\n", "a: *nope\n", "a: b: c\n", "{a: 1\n"}) {
    std::string theirs, ours;
    int their_line = -1, our_line = -1;
    try {
      YAML::Load(text);
    } catch (const YAML::Exception& e) {
      theirs = e.msg;
      their_line = e.mark.line;
    }
    YamlTree tree;
    try {
      tree.Load(text);
    } catch (const YAML::Exception& e) {
      ours = e.msg;
      our_line = e.mark.line;
    }
    BOOST_TEST(!theirs.empty(), text);
    BOOST_TEST(ours == theirs, text);
    BOOST_TEST(our_line == their_line, text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
