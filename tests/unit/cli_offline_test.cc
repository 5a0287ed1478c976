// The CLI's commands that work without the daemon.
#define BOOST_TEST_DYN_LINK
#include "bot/cli_offline.h"

#include <boost/test/unit_test.hpp>

#include "store/jobs.h"
#include "store/lifecycle.h"
#include "store/sandboxes.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

// A sandbox "qa" created by ana on Slack.
void CreateQa(Db* db) {
  Sandbox b;
  b.name = "qa";
  b.created_by = "ana (slack:T1/U1)";
  BOOST_REQUIRE(CreateSandbox(db, &b).ok());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_offline)

// `sandbot sandbox destroy` with the daemon down runs /sandbox destroy on
// the store as the caller's uid: a lock refuses it exactly as it does from
// chat, and a name cannot be claimed to pass it (issue 16 item 3).
BOOST_AUTO_TEST_CASE(destroy_keeps_the_lock_rules_of_chat) {
  TestStore t;
  Db* db = t.db.get();
  CreateQa(db);
  BOOST_REQUIRE(LockSandbox(db, "qa", "ana (slack:T1/U1)", "testing").ok());
  Config config;
  config.chat.default_role = Role::kDeployer;
  const uid_t daemon = 1500, bob = 1600;

  Reply offline;
  Status cli = RunOnStore(db, config, "sandbox", "destroy qa", bob, daemon, &offline);
  BOOST_CHECK(cli.IsForbidden());
  BOOST_CHECK_MESSAGE(cli.message().find("cannot destroy qa: it is locked by ana (slack:T1/U1)") !=
                          std::string::npos,
                      cli.message());

  Request chat;
  chat.user_id = "slack:T1/U2";
  chat.user_name = "bob";
  chat.source = "slack";
  chat.role = Role::kDeployer;
  BOOST_REQUIRE(ParseCommand("sandbox", "destroy qa", &chat.command).ok());
  HandlerContext ctx{db, nullptr, nullptr};
  Reply answer;
  Status slack = HandleCommand(ctx, chat, &answer);
  BOOST_CHECK(slack.IsForbidden());
  BOOST_CHECK_EQUAL(slack.message(), cli.message());
  std::vector<int64_t> queued;
  BOOST_REQUIRE(QueuedJobsOf(db, "qa", &queued).ok());
  BOOST_CHECK(queued.empty());

  // An admin (the daemon's own user, by default) may: the lock goes, the
  // destroy is queued.
  Reply ok;
  BOOST_REQUIRE(RunOnStore(db, config, "sandbox", "destroy qa", daemon, daemon, &ok).ok());
  BOOST_REQUIRE_EQUAL(ok.jobs.size(), 1u);
  Job job;
  BOOST_REQUIRE(GetJob(db, ok.jobs[0], &job).ok());
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "destroy");
  BOOST_CHECK_EQUAL(job.source, "cli");
  BOOST_CHECK(job.actor.find("(cli:1500)") != std::string::npos);
}

// The role is the uid's, as the daemon gives it: a viewer stays a viewer.
BOOST_AUTO_TEST_CASE(destroy_checks_the_callers_own_role) {
  TestStore t;
  Db* db = t.db.get();
  CreateQa(db);
  Config config;
  config.chat.default_role = Role::kViewer;
  Reply reply;
  Status s = RunOnStore(db, config, "sandbox", "destroy qa", 1600, 1500, &reply);
  BOOST_CHECK(s.IsForbidden());
  BOOST_CHECK_MESSAGE(
      s.message().find("needs the deployer role; you are a viewer") != std::string::npos,
      s.message());
  config.chat.roles["cli:1600"] = Role::kDeployer;
  BOOST_CHECK(RunOnStore(db, config, "sandbox", "destroy qa", 1600, 1500, &reply).ok());
}

BOOST_AUTO_TEST_SUITE_END()
