// Who a local caller is and what role it has (issue 16 item 2): from the
// peer's uid, never from a name it sends.
#define BOOST_TEST_DYN_LINK
#include "bot/local_caller.h"

#include <boost/test/unit_test.hpp>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(local_caller)

BOOST_AUTO_TEST_CASE(the_cli_is_its_uid) {
  LocalCaller root = CliCaller(0);
  BOOST_CHECK_EQUAL(root.identity, "cli:0");
  BOOST_CHECK_EQUAL(root.name, "root");
  BOOST_CHECK_EQUAL(root.Actor(), "root (cli:0)");
  // A uid the host does not know still has an identity and a name.
  LocalCaller ghost = CliCaller(3999999);
  BOOST_CHECK_EQUAL(ghost.identity, "cli:3999999");
  BOOST_CHECK_EQUAL(ghost.name, "uid 3999999");
}

BOOST_AUTO_TEST_CASE(root_and_the_daemons_user_are_admin_unless_configured) {
  Config c;
  c.chat.default_role = Role::kViewer;
  BOOST_CHECK(LocalRole(c, 0, 1500) == Role::kAdmin);
  BOOST_CHECK(LocalRole(c, 1500, 1500) == Role::kAdmin);
  BOOST_CHECK(LocalRole(c, 1600, 1500) == Role::kViewer);
  c.chat.roles["cli:1600"] = Role::kDeployer;
  c.chat.roles["cli:1500"] = Role::kViewer;  // an explicit grant wins
  BOOST_CHECK(LocalRole(c, 1600, 1500) == Role::kDeployer);
  BOOST_CHECK(LocalRole(c, 1500, 1500) == Role::kViewer);
}

BOOST_AUTO_TEST_CASE(a_pusher_name_is_believed_only_from_the_git_service_account) {
  Config c;
  c.git_service_uid = 1700;
  // From the git server's account, with a variable a git server sets.
  LocalCaller vouched = PusherOf(c, 1700, "GITEA_PUSHER_NAME", "alice");
  BOOST_CHECK_EQUAL(vouched.identity, "forge:gitea/alice");
  BOOST_CHECK_EQUAL(vouched.Actor(), "alice (forge:gitea/alice)");
  BOOST_CHECK_EQUAL(PusherOf(c, 1700, "GL_USERNAME", "bob").identity, "forge:gitlab/bob");
  // Anyone else is who the kernel says, whatever they claim.
  LocalCaller forged = PusherOf(c, 0, "SANDBOT_PUSHER", "admin");
  BOOST_CHECK_EQUAL(forged.identity, "cli:0");
  BOOST_CHECK_EQUAL(forged.name, "root");
  BOOST_CHECK_EQUAL(PusherOf(c, 1700, "", "alice").identity, "cli:1700");
  BOOST_CHECK_EQUAL(PusherOf(c, 1700, "HOME", "alice").identity, "cli:1700");
  // No service account configured: nobody vouches.
  Config plain;
  BOOST_CHECK_EQUAL(PusherOf(plain, 1700, "GITEA_PUSHER_NAME", "alice").identity, "cli:1700");
}

BOOST_AUTO_TEST_CASE(control_characters_do_not_survive_into_a_pusher) {
  Config c;
  c.git_service_uid = 1700;
  LocalCaller p = PusherOf(c, 1700, "GITEA_PUSHER_NAME", "mallory\nFAKE");
  BOOST_CHECK(p.Actor().find('\n') == std::string::npos);
  // The stripped login has no space or newline left to forge a line with.
  BOOST_CHECK_EQUAL(p.identity, "forge:gitea/malloryFAKE");
  // A login that is not a valid id (a space) falls back to the peer.
  BOOST_CHECK_EQUAL(PusherOf(c, 1700, "GITEA_PUSHER_NAME", "a b").identity, "cli:1700");
}

BOOST_AUTO_TEST_SUITE_END()
