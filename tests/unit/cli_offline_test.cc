// The CLI's commands that work without the daemon.
#define BOOST_TEST_DYN_LINK
#include "bot/cli_offline.h"

#include <boost/test/unit_test.hpp>

#include "store/jobs.h"
#include "store/lifecycle.h"
#include "store/sandboxes.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(cli_offline)

// `sandbot sandbox destroy` with the daemon down runs /sandbox destroy on
// the store: a lock refuses it exactly as it does from chat.
BOOST_AUTO_TEST_CASE(destroy_keeps_the_lock_rules_of_chat) {
  TestStore t;
  Db* db = t.db.get();
  Sandbox b;
  b.name = "qa";
  b.created_by = "ana (U1)";
  BOOST_REQUIRE(CreateSandbox(db, &b).ok());
  BOOST_REQUIRE(LockSandbox(db, "qa", "ana (U1)", "testing").ok());
  Config config;
  config.chat.default_role = Role::kDeployer;

  Reply offline;
  Status cli = RunOnStore(db, config, "sandbox", "destroy qa", "bob", &offline);
  BOOST_CHECK(cli.IsForbidden());
  BOOST_CHECK_MESSAGE(
      cli.message().find("cannot destroy qa: it is locked by ana (U1)") != std::string::npos,
      cli.message());

  Request chat;
  chat.user_id = "U2";
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

  // The holder (or an admin) may: the lock goes, the destroy is queued.
  Reply ok;
  BOOST_REQUIRE(RunOnStore(db, config, "sandbox", "destroy qa", "ana (U1)", &ok).ok());
  BOOST_REQUIRE_EQUAL(ok.jobs.size(), 1u);
  Job job;
  BOOST_REQUIRE(GetJob(db, ok.jobs[0], &job).ok());
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "destroy");
  BOOST_CHECK_EQUAL(job.source, "cli");
}

BOOST_AUTO_TEST_SUITE_END()
