// The config file: roles go to fixed identities only (issue 16 item 1).
#define BOOST_TEST_DYN_LINK
#include "bot/config.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>

#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

Status LoadText(const ScratchDir& dir, const std::string& text, Config* config) {
  const std::string path = dir.path() + "/config.json";
  std::ofstream(path) << text;
  config->data_dir = dir.path();
  config->config_file = path;
  return LoadConfig(config);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(roles_are_granted_to_fixed_identities) {
  ScratchDir dir;
  Config c;
  BOOST_REQUIRE(LoadText(dir, R"({"roles": {"admin": ["slack:T1/U0ADMIN", "cli:1001"],
                                   "viewer": ["teams:aad-1", "mattermost:mm1",
                                              "forge:gitea/bob"]}})",
                         &c)
                    .ok());
  BOOST_CHECK(RoleFor(c.chat, "slack:T1/U0ADMIN") == Role::kAdmin);
  BOOST_CHECK(RoleFor(c.chat, "cli:1001") == Role::kAdmin);
  BOOST_CHECK(RoleFor(c.chat, "teams:aad-1") == Role::kViewer);
  BOOST_CHECK(RoleFor(c.chat, "forge:gitea/bob") == Role::kViewer);
  // Only the identity is looked up: the same user id in another workspace,
  // or the bare id, is someone else (the default role).
  BOOST_CHECK(RoleFor(c.chat, "slack:T2/U0ADMIN") == Role::kDeployer);
  BOOST_CHECK(RoleFor(c.chat, "U0ADMIN") == Role::kDeployer);
  BOOST_CHECK(RoleFor(c.chat, "") == Role::kDeployer);
}

BOOST_AUTO_TEST_CASE(name_keyed_roles_are_refused_at_start_naming_the_new_form) {
  for (const char* bad :
       {R"({"roles": {"admin": ["alice"]}})", R"({"roles": {"admin": ["U0ANA"]}})",
        R"({"roles": {"viewer": ["slack:U0ANA"]}})", R"({"roles": {"admin": ["cli:root"]}})",
        R"({"roles": {"admin": [42]}})"}) {
    BOOST_TEST_CONTEXT(bad) {
      ScratchDir dir;
      Config c;
      Status s = LoadText(dir, bad, &c);
      BOOST_CHECK(!s.ok());
      BOOST_CHECK_MESSAGE(s.message().find("is not a fixed identity") != std::string::npos,
                          s.message());
      BOOST_CHECK_MESSAGE(
          s.message().find("grant roles to slack:TEAM/USER, mattermost:USERID, "
                           "teams:AAD-OBJECT-ID, cli:UID or forge:NAME/LOGIN") != std::string::npos,
          s.message());
      BOOST_CHECK(c.chat.roles.empty());
    }
  }
  ScratchDir dir;
  Config c;
  Status s = LoadText(dir, R"({"roles": {"admin": ["alice"]}})", &c);
  BOOST_CHECK_MESSAGE(s.message().find("\"alice\"") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_CASE(git_service_user_is_a_user_of_this_host) {
  ScratchDir dir;
  Config c;
  BOOST_REQUIRE(LoadText(dir, R"({"git_service_user": "root"})", &c).ok());
  BOOST_CHECK_EQUAL(c.git_service_uid, 0);
  Config numeric;
  BOOST_REQUIRE(LoadText(dir, R"({"git_service_user": "4242"})", &numeric).ok());
  BOOST_CHECK_EQUAL(numeric.git_service_uid, 4242);
  Config none;
  BOOST_REQUIRE(LoadText(dir, R"({})", &none).ok());
  BOOST_CHECK_EQUAL(none.git_service_uid, -1);
  Config bad;
  Status s = LoadText(dir, R"({"git_service_user": "no-such-user-here"})", &bad);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK_MESSAGE(s.message().find("no user 'no-such-user-here'") != std::string::npos,
                      s.message());
}

BOOST_AUTO_TEST_SUITE_END()
