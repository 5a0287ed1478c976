#define BOOST_TEST_DYN_LINK
#include "hooks/post_receive.h"

#include <boost/test/unit_test.hpp>
#include <map>

using namespace sandbot;

namespace {
const std::string kZero(40, '0');
const std::string kA = "3f2a9c1e5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a";
const std::string kB = "a2114d57b48eac39b9ad189dd8316235a7b4a8d2";
}  // namespace

BOOST_AUTO_TEST_SUITE(post_receive)

BOOST_AUTO_TEST_CASE(parses_update_create_delete) {
  std::vector<RefUpdate> u;
  std::string in = kA + " " + kB + " refs/heads/main\n" + kZero + " " + kA +
                   " refs/heads/feature/x\n" + kB + " " + kZero + " refs/heads/old\n";
  BOOST_REQUIRE(ParsePostReceive(in, &u).ok());
  BOOST_REQUIRE_EQUAL(u.size(), 3u);
  BOOST_CHECK_EQUAL(u[0].branch(), "main");
  BOOST_CHECK(!u[0].created() && !u[0].deleted());
  BOOST_CHECK(u[1].created());
  BOOST_CHECK_EQUAL(u[1].branch(), "feature/x");
  BOOST_CHECK(u[2].deleted());
  BOOST_CHECK_EQUAL(u[2].old_sha, kB);
}

BOOST_AUTO_TEST_CASE(sha256_zeros_and_tags) {
  std::vector<RefUpdate> u;
  std::string zero64(64, '0'), sha64(64, 'a');
  BOOST_REQUIRE(ParsePostReceive(zero64 + " " + sha64 + " refs/tags/v1\r\n\n", &u).ok());
  BOOST_REQUIRE_EQUAL(u.size(), 1u);
  BOOST_CHECK(u[0].created());
  BOOST_CHECK(!u[0].is_branch());
  BOOST_CHECK_EQUAL(u[0].branch(), "");
}

BOOST_AUTO_TEST_CASE(hostile_branch_names_are_data) {
  std::vector<RefUpdate> u;
  BOOST_REQUIRE(ParsePostReceive(kA + " " + kB + " refs/heads/feature/$(reboot)\n", &u).ok());
  BOOST_CHECK_EQUAL(u[0].branch(), "feature/$(reboot)");
}

BOOST_AUTO_TEST_CASE(rejects_malformed_lines) {
  const std::vector<std::string> bad = {
      "garbage",
      kA + " " + kB,                                      // no ref
      kA + " " + kB + " refs/heads/a b",                  // space in ref
      "xyz " + kB + " refs/heads/main",                   // not hex
      kA.substr(0, 39) + " " + kB + " refs/heads/main",   // short
      kA + " " + std::string(64, 'a') + " refs/heads/m",  // mixed lengths
      kA + " " + kB + " ",                                // empty ref
      kZero + " " + kA + " refs/heads/caf\xe9",           // not UTF-8 (found by fuzz/)
  };
  for (const auto& line : bad) {
    std::vector<RefUpdate> u;
    Status s = ParsePostReceive(kA + " " + kB + " refs/heads/ok\n" + line + "\n", &u);
    BOOST_CHECK_MESSAGE(!s.ok(), "accepted: " << line);
    BOOST_CHECK(u.empty());
    BOOST_CHECK(s.message().find("line 2") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(validate_ref_update_is_the_parsers_rule) {
  BOOST_CHECK(ValidateRefUpdate({kZero, kA, "refs/heads/main"}).ok());
  BOOST_CHECK(ValidateRefUpdate({kZero, kA, "refs/heads/caf\xc3\xa9"}).ok());
  BOOST_CHECK(ValidateRefUpdate({std::string(64, '0'), std::string(64, 'f'), "refs/x"}).ok());
  for (const RefUpdate& u : std::vector<RefUpdate>{
           {kA, kB, ""},
           {kA, kB, "refs/heads/a\nb"},
           {kA, kB, "refs/heads/a\rb"},
           {kA, kB, "refs/heads/a\tb"},
           {"ABC", kB, "refs/heads/m"},
           {kA, std::string(64, 'a'), "refs/heads/m"},
           {kA, kB, "refs/heads/sh\xff\xff"},
       }) {
    BOOST_CHECK_MESSAGE(!ValidateRefUpdate(u).ok(), u.old_sha << " " << u.new_sha << " " << u.ref);
  }
}

BOOST_AUTO_TEST_CASE(push_options_from_environment) {
  static std::map<std::string, std::string> env;
  auto get = [](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  BOOST_CHECK(ReadPushOptions(get).empty());
  env = {{"GIT_PUSH_OPTION_COUNT", "0"}};
  BOOST_CHECK(ReadPushOptions(get).empty());
  env = {{"GIT_PUSH_OPTION_COUNT", "2"},
         {"GIT_PUSH_OPTION_0", "sandbot.wait"},
         {"GIT_PUSH_OPTION_1", "foo=bar"}};
  auto opts = ReadPushOptions(get);
  BOOST_REQUIRE_EQUAL(opts.size(), 2u);
  BOOST_CHECK_EQUAL(opts[0], "sandbot.wait");
  BOOST_CHECK_EQUAL(opts[1], "foo=bar");
}

BOOST_AUTO_TEST_SUITE_END()
