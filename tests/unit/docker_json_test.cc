#define BOOST_TEST_DYN_LINK
#include "bot/docker_json.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(docker_json)

BOOST_AUTO_TEST_CASE(engine_error_message) {
  BOOST_TEST(EngineErrorMessage("{\"message\":\"No such container: x\"}\n") ==
             "No such container: x");
  BOOST_TEST(EngineErrorMessage("plain text\n") == "plain text");
  BOOST_TEST(EngineErrorMessage("{\"message\":42}") == "{\"message\":42}");
  BOOST_TEST(EngineErrorMessage("") == "(no message)");
}

BOOST_AUTO_TEST_CASE(tolerant_access) {
  nlohmann::json j = nlohmann::json::parse(
      R"({"s": "text", "i": 7, "b": true, "o": {"k": "v", "n": 1}, "wrong": 1.5})");
  BOOST_TEST(JsonString(j, "s") == "text");
  BOOST_TEST(JsonString(j, "i") == "");  // the wrong type reads as empty
  BOOST_TEST(JsonInt(j, "i") == 7);
  BOOST_TEST(JsonInt(j, "wrong") == 0);
  BOOST_TEST(JsonBool(j, "b"));
  BOOST_TEST(!JsonBool(j, "s"));
  BOOST_TEST(JsonMember(j, "missing").is_null());
  BOOST_TEST(JsonField(j, "missing") == nullptr);
  BOOST_TEST(JsonLabels(JsonMember(j, "o")) == (Labels{{"k", "v"}}));
  // Not an object at all: everything is empty, nothing throws.
  nlohmann::json arr = nlohmann::json::array({1, 2});
  BOOST_TEST(JsonString(arr, "s") == "");
  BOOST_TEST(JsonMember(JsonMember(arr, "a"), "b").is_null());
  BOOST_TEST(JsonLabels(arr).empty());
}

BOOST_AUTO_TEST_CASE(dump_and_trim) {
  BOOST_CHECK_NO_THROW(DumpJson(nlohmann::json{{"x", std::string("\xff")}}));
  BOOST_TEST(DumpJson(nlohmann::json{{"a", 1}}) == R"({"a":1})");
  BOOST_TEST(TrimRight("line \r\n\n") == "line");
  BOOST_TEST(TrimRight("  keep left") == "  keep left");
}

BOOST_AUTO_TEST_SUITE_END()
