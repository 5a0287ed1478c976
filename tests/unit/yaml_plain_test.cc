// compose/yaml_plain: the plain scalars it writes without yaml-cpp's check
// are written exactly as yaml-cpp writes them after checking, and are ones
// yaml-cpp itself would write plain (issue 12's fast `compose config`).
#define BOOST_TEST_DYN_LINK
#include "compose/yaml_plain.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

using namespace sandbot;

namespace {

// `text` as a key, a value and a list item, each written by yaml-cpp itself
// or, when `fast`, through WritePlainScalar where SurelyPlainScalar allows.
std::string Document(const std::string& text, bool fast) {
  YAML::Emitter out;
  out.SetIndent(2);
  auto scalar = [&] {
    if (fast && SurelyPlainScalar(text)) {
      WritePlainScalar(text, &out);
    } else {
      out << text;
    }
  };
  out << YAML::BeginMap << YAML::Key;
  scalar();
  out << YAML::Value;
  scalar();
  out << YAML::Key << "list" << YAML::Value << YAML::BeginSeq;
  scalar();
  out << YAML::BeginMap << YAML::Key;
  scalar();
  out << YAML::Value;
  scalar();
  out << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  return out.c_str();
}

// Every string of up to three characters over YAML's indicators, blanks and
// a letter, and some longer ones.
std::vector<std::string> Texts() {
  const std::string alphabet = " \t:#-?,[]{}&*!|>'\"%@`~.a";
  std::vector<std::string> texts = {"",
                                    "null",
                                    "Null",
                                    "NULL",
                                    "nulls",
                                    "---",
                                    "...",
                                    "a: b",
                                    "a:b",
                                    "a #b",
                                    "a#b",
                                    "https://host:80/a?b=c#d",
                                    "postgres://app:secret@db1:5432/app1",
                                    "caf\xc3\xa9",
                                    "\xc2\x85x",
                                    "\xef\xbb\xbfx",
                                    "a\x7f",
                                    "a\nb",
                                    "a\r",
                                    std::string(1024, 'x'),
                                    std::string(1025, 'x')};
  for (char a : alphabet) {
    texts.push_back(std::string(1, a));
    for (char b : alphabet) {
      texts.push_back(std::string{a, b});
      for (char c : alphabet) texts.push_back(std::string{a, b, c});
    }
  }
  return texts;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compose_yaml_plain)

BOOST_AUTO_TEST_CASE(writes_what_yaml_cpp_writes) {
  int plain = 0;
  for (const std::string& text : Texts()) {
    BOOST_TEST_CONTEXT("text \"" << text << "\"") {
      BOOST_TEST(Document(text, true) == Document(text, false));
      if (!SurelyPlainScalar(text)) continue;
      ++plain;
      YAML::Emitter alone;
      alone << text;
      BOOST_TEST(alone.c_str() == text);  // yaml-cpp writes it plain too
    }
  }
  BOOST_TEST(plain > 1000);  // the fast path is taken
}

BOOST_AUTO_TEST_CASE(leaves_the_rest_to_yaml_cpp) {
  for (const char* text : {"", "~", "null", "-", "- a", "? a", ":", "a:", "a: b", "a #b", "#a",
                           " a", "a ", "'a", "\"a", "@a", "a\tb", "caf\xc3\xa9"}) {
    BOOST_TEST(!SurelyPlainScalar(text), text);
  }
  for (const char* text : {"a", "-a", "?a", ":a", "a:b", "a#b", "a b", "./static:/srv", "--port",
                           "CMD-SHELL", "redis-server --save \"\""}) {
    BOOST_TEST(SurelyPlainScalar(text), text);
  }
}

BOOST_AUTO_TEST_SUITE_END()
