#include "templates/json_compact.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace sandbot {
namespace {

std::string Compact(const std::string& text) {
  std::string out;
  return CompactJson(text, &out) ? out : "<invalid>";
}

BOOST_AUTO_TEST_SUITE(json_compact)

BOOST_AUTO_TEST_CASE(whitespace_between_tokens_goes_and_the_rest_stays_as_written) {
  BOOST_CHECK_EQUAL(Compact(" {\n  \"a\" : [ 1 , -2.5e+3, true,false , null ],\r\n\t\"b\": {} }\n"),
                    R"({"a":[1,-2.5e+3,true,false,null],"b":{}})");
  // Spaces inside strings, escapes and key order are kept.
  BOOST_CHECK_EQUAL(Compact(R"({ "z" : "a  b\n\"q\" \u00e9\/" , "a":[ ] })"),
                    R"({"z":"a  b\n\"q\" \u00e9\/","a":[]})");
  BOOST_CHECK_EQUAL(Compact("\"\xE6\x97\xA5\xF0\x9F\x9A\x80\""),
                    "\"\xE6\x97\xA5\xF0\x9F\x9A\x80\"");
  BOOST_CHECK_EQUAL(Compact("0"), "0");
}

BOOST_AUTO_TEST_CASE(what_is_not_json_is_refused) {
  for (const char* bad : {"",
                          " ",
                          "{",
                          "}",
                          "{\"a\":1,}",
                          "[1,]",
                          "[,1]",
                          "{\"a\" 1}",
                          "{a:1}",
                          "{\"a\":1}{}",
                          "[01]",
                          "[1.]",
                          "[.5]",
                          "[1e]",
                          "[-]",
                          "[+1]",
                          "tru",
                          "nul",
                          "[True]",
                          "\"open",
                          "\"tab\there\"",
                          "\"bad \\x escape\"",
                          "\"\\u12g4\"",
                          "[1 2]",
                          "{\"a\":1 \"b\":2}",
                          "\"a\" \"b\""}) {
    BOOST_CHECK_MESSAGE(Compact(bad) == "<invalid>", "accepted: " << bad);
  }
}

BOOST_AUTO_TEST_CASE(strings_must_be_well_formed_utf8) {
  for (const char* bad :
       {"\"\x80\"", "\"\xC0\xAF\"", "\"\xE0\x80\xAF\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"",
        "\"\xF5\x80\x80\x80\"", "\"\xE6\x97\"", "\"\xFF\""}) {
    BOOST_CHECK_MESSAGE(Compact(bad) == "<invalid>", "accepted bytes of " << bad);
  }
}

BOOST_AUTO_TEST_CASE(nesting_is_bounded) {
  BOOST_CHECK_EQUAL(Compact(std::string(128, '[') + std::string(128, ']')),
                    std::string(128, '[') + std::string(128, ']'));
  BOOST_CHECK_EQUAL(Compact(std::string(129, '[') + std::string(129, ']')), "<invalid>");
  BOOST_CHECK_EQUAL(Compact(std::string(100000, '[')), "<invalid>");
}

// The same verdict as a full parser, and the same value, on documents of the
// shapes the templates produce.
BOOST_AUTO_TEST_CASE(agrees_with_a_full_parser) {
  const std::string docs[] = {
      R"({"blocks":[{"type":"header","text":{"type":"plain_text","text":"qa-1 \u2014 ok"}},
          {"type":"section","fields":[{"type":"mrkdwn","text":"*web* `main@abc1234`"}]}],
          "response_type":"in_channel","replace_original":true,"n":-0.5E-2})",
      R"([{"a":[[],[{}],""]}, "x", 3])",
      R"({"a":"\\"})",
  };
  for (const std::string& doc : docs) {
    std::string out;
    BOOST_REQUIRE(CompactJson(doc, &out));
    BOOST_CHECK(nlohmann::json::parse(out) == nlohmann::json::parse(doc));
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
