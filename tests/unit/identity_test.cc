// Fixed identities and what is stripped from names that enter from outside
// (util/identity.h; issue 16 items 1 and 14).
#define BOOST_TEST_DYN_LINK
#include "util/identity.h"

#include <boost/test/unit_test.hpp>
#include <string>

namespace sandbot {
namespace {

BOOST_AUTO_TEST_SUITE(identity)

BOOST_AUTO_TEST_CASE(identities_are_source_qualified) {
  BOOST_CHECK_EQUAL(SlackIdentity("T024BE7LD", "U2CERLKJA"), "slack:T024BE7LD/U2CERLKJA");
  BOOST_CHECK_EQUAL(MattermostIdentity("x9kq"), "mattermost:x9kq");
  BOOST_CHECK_EQUAL(TeamsIdentity("00000000-aaaa"), "teams:00000000-aaaa");
  BOOST_CHECK_EQUAL(CliIdentity(1000), "cli:1000");
  BOOST_CHECK_EQUAL(ForgeIdentity("github", "octocat"), "forge:github/octocat");
}

BOOST_AUTO_TEST_CASE(only_fixed_identities_may_hold_a_role) {
  for (const char* good : {"slack:T024BE7LD/U2CERLKJA", "mattermost:x9kq3", "teams:0f1e-aa",
                           "cli:0", "cli:1000", "forge:github/octocat", "forge:ghe/a-b"}) {
    BOOST_TEST_CONTEXT(good) { BOOST_CHECK(ValidateIdentity(good).ok()); }
  }
  // Display names, bare ids, and forms that would match more than meant.
  for (const char* bad :
       {"alice", "U2CERLKJA", "root", "", "slack:U2CERLKJA", "slack:T1/", "slack:/U1",
        "slack:T1/U1/x", "cli:alice", "cli:", "cli:-1", "teams:a b", "mattermost:a/b",
        "forge:octocat", "email:a@b", "slack:T1/U1\n", "cli:12345678901"}) {
    BOOST_TEST_CONTEXT(bad) {
      Status s = ValidateIdentity(bad);
      BOOST_CHECK(!s.ok());
      BOOST_CHECK(s.message().find("slack:TEAM_ID/USER_ID") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(control_characters_are_stripped_from_names) {
  // The attack: a pusher named "mallory\nFAKE …" forging a log line.
  BOOST_CHECK_EQUAL(StripControl("mallory\n[info] admin granted"), "mallory[info] admin granted");
  BOOST_CHECK_EQUAL(StripControl(std::string("a\0b\tc\r\x7f"
                                             "d\x1b[31m",
                                             13)),
                    "abcd[31m");
  BOOST_CHECK_EQUAL(StripControl("ana\xC2\x85x"), "anax");  // NEL (C1)
  BOOST_CHECK_EQUAL(StripControl("a\xE2\x80\xA8"
                                 "b"),
                    "ab");                                                    // line separator
  BOOST_CHECK_EQUAL(StripControl("evil\xE2\x80\xAEgnp.exe"), "evilgnp.exe");  // RLO
  BOOST_CHECK_EQUAL(StripControl("Zoë 🚀"), "Zoë 🚀");
  BOOST_CHECK_EQUAL(StripControl("bad\xFF\xC0\xAFz"), "bad???z");
  BOOST_CHECK_EQUAL(StripControl("\xE2\x82"), "??");  // cut short
  BOOST_CHECK_EQUAL(StripControl("abcdef", 4), "abcd");
  BOOST_CHECK_EQUAL(StripControl("ab🚀", 5), "ab");  // never half a character
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
