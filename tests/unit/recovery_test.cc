// Recovery after the daemon died with jobs running (store/jobs.h
// RecoverInterruptedJobs): a job that was merely running when the daemon was
// killed is done again however often that happens; only a job that crashed
// the daemon itself (bot/crash_record.h) is given up, and then its service,
// its starter and its followers are told how to deploy again.
#define BOOST_TEST_DYN_LINK
#include <sqlite3.h>

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>
#include <vector>

#include "store/job_events.h"
#include "store/jobs.h"
#include "store/lifecycle.h"
#include "store/sandboxes.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

// A sandbox `name` with service web, and a deploy of feature/{name} queued
// for it, as a push by "ana" makes them.
struct Deploy {
  int64_t service_id = 0;
  Job job;
};

Deploy QueueDeploy(Db* db, const std::string& name) {
  Sandbox sb;
  sb.name = name;
  sb.created_by = "ana";
  BOOST_REQUIRE(CreateSandbox(db, &sb).ok());
  Service svc;
  svc.name = svc.repo = "web";
  svc.branch = "feature/" + name;
  BOOST_REQUIRE(UpsertService(db, sb.id, &svc).ok());
  Deploy d;
  d.service_id = svc.id;
  d.job = DeployJob(name, "web", "1");
  d.job.branch = svc.branch;
  BOOST_REQUIRE(EnqueueJob(db, &d.job).ok());
  BOOST_REQUIRE(SetServiceStatus(db, svc.id, ServiceStatus::kQueued, "").ok());
  return d;
}

// A worker takes the next job and gets as far as starting its container.
Job ClaimAndStart(Db* db, int64_t service_id) {
  Job claimed;
  bool found = false;
  BOOST_REQUIRE(ClaimNextJob(db, &claimed, &found).ok());
  BOOST_REQUIRE(found);
  BOOST_REQUIRE(SetServiceStatus(db, service_id, ServiceStatus::kStarting, "").ok());
  return claimed;
}

RecoveryReport Recover(Db* db, const std::set<int64_t>& crashed) {
  RecoveryReport report;
  BOOST_REQUIRE(RecoverInterruptedJobs(db, crashed, RecoveryLimits(), &report).ok());
  return report;
}

Job Get(Db* db, int64_t id) {
  Job j;
  BOOST_REQUIRE(GetJob(db, id, &j).ok());
  return j;
}

Service GetWeb(Db* db, const std::string& sandbox) {
  Service s;
  BOOST_REQUIRE(GetService(db, sandbox, "web", &s).ok());
  return s;
}

int ResumeEvents(Db* db, int64_t job_id, const std::string& prefix) {
  std::vector<JobEvent> events;
  BOOST_REQUIRE(ListJobEvents(db, {job_id}, 0, &events).ok());
  int n = 0;
  for (const JobEvent& e : events) {
    if (e.stage == JobStage::kQueued && e.message.rfind(prefix, 0) == 0) ++n;
  }
  return n;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(recovery)

BOOST_AUTO_TEST_CASE(a_deploy_killed_at_every_restart_is_done_again_not_given_up) {
  // Issue 16 item 15: the oldest deploys were running at three kills in a
  // row and were given up as if they crashed the daemon, their services
  // left at `starting`.
  TestStore t;
  Deploy d = QueueDeploy(t.db.get(), "feature-k1");
  for (int kill = 1; kill <= 9; ++kill) {
    ClaimAndStart(t.db.get(), d.service_id);
    RecoveryReport report = Recover(t.db.get(), {});
    BOOST_CHECK_EQUAL(report.requeued, 1);
    BOOST_CHECK(report.given_up.empty());
    Job after = Get(t.db.get(), d.job.id);
    BOOST_CHECK_EQUAL(JobStateName(after.state), "queued");
    BOOST_CHECK_EQUAL(after.attempts, 0);  // the attempt is given back
  }
  BOOST_CHECK_EQUAL(ResumeEvents(t.db.get(), d.job.id, "interrupted by a daemon restart"), 9);
  // The next start claims it as any queued job, and it can still succeed.
  Job claimed = ClaimAndStart(t.db.get(), d.service_id);
  BOOST_CHECK_EQUAL(claimed.id, d.job.id);
}

BOOST_AUTO_TEST_CASE(a_kill_while_a_job_waits_in_the_queue_does_not_touch_it) {
  TestStore t;
  Deploy a = QueueDeploy(t.db.get(), "feature-q1");
  Job waiting = DeployJob("feature-q1", "api", "2");  // waits for a: same sandbox
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &waiting).ok());
  ClaimAndStart(t.db.get(), a.service_id);
  RecoveryReport report = Recover(t.db.get(), {});
  BOOST_CHECK_EQUAL(report.requeued, 1);
  Job after = Get(t.db.get(), waiting.id);
  BOOST_CHECK_EQUAL(JobStateName(after.state), "queued");
  BOOST_CHECK_EQUAL(after.attempts, 0);
  std::vector<JobEvent> events;
  BOOST_REQUIRE(ListJobEvents(t.db.get(), {waiting.id}, 0, &events).ok());
  BOOST_CHECK_EQUAL(events.size(), 1u);  // "queued", nothing since
}

BOOST_AUTO_TEST_CASE(
    a_deploy_that_crashed_the_daemon_three_times_is_given_up_and_says_how_to_retry) {
  TestStore t;
  Deploy d = QueueDeploy(t.db.get(), "feature-c1");
  for (int crash = 1; crash <= 2; ++crash) {
    ClaimAndStart(t.db.get(), d.service_id);
    RecoveryReport report = Recover(t.db.get(), {d.job.id});
    BOOST_CHECK_EQUAL(report.requeued, 1);
    BOOST_CHECK_EQUAL(Get(t.db.get(), d.job.id).attempts, crash);  // counted
  }
  BOOST_CHECK_EQUAL(ResumeEvents(t.db.get(), d.job.id, "interrupted by a daemon crash in this job"),
                    2);
  ClaimAndStart(t.db.get(), d.service_id);
  RecoveryReport report;
  std::vector<Job> told;  // what the notifier is handed, in the job's transaction
  BOOST_REQUIRE(
      RecoverInterruptedJobs(t.db.get(), {d.job.id}, RecoveryLimits(), &report, [&](const Job& j) {
        BOOST_CHECK_EQUAL(sqlite3_get_autocommit(t.db->handle()), 0);
        told.push_back(j);
      }).ok());
  BOOST_REQUIRE_EQUAL(told.size(), 1u);
  BOOST_CHECK_EQUAL(told[0].id, d.job.id);
  BOOST_CHECK_EQUAL(JobStateName(told[0].state), "failed");
  BOOST_CHECK_EQUAL(report.requeued, 0);
  BOOST_REQUIRE_EQUAL(report.given_up.size(), 1u);
  const std::string want =
      "crashed the daemon 3 times; giving up; deploy again with `/deploy web feature/feature-c1 "
      "to feature-c1` or push the branch";
  // What the daemon hands the notifier: the job as it ended.
  BOOST_CHECK_EQUAL(report.given_up[0].id, d.job.id);
  BOOST_CHECK_EQUAL(JobStateName(report.given_up[0].state), "failed");
  BOOST_CHECK_EQUAL(report.given_up[0].detail, want);
  Job after = Get(t.db.get(), d.job.id);
  BOOST_CHECK_EQUAL(JobStateName(after.state), "failed");
  BOOST_CHECK_EQUAL(after.detail, want);
  // Not `starting` with no job to move it on.
  Service svc = GetWeb(t.db.get(), "feature-c1");
  BOOST_CHECK_EQUAL(ServiceStatusName(svc.status), "failed");
  BOOST_CHECK_EQUAL(svc.detail, want);
  // The one who pushed hears of it with their next command.
  std::vector<std::string> notices;
  int64_t last = 0;
  BOOST_REQUIRE(PendingNotices(t.db.get(), "ana", &notices, &last).ok());
  BOOST_REQUIRE_EQUAL(notices.size(), 1u);
  BOOST_CHECK(Contains(notices[0], "deploy job " + std::to_string(d.job.id)));
  BOOST_CHECK(Contains(notices[0], "to feature-c1 was given up"));
  BOOST_CHECK(Contains(notices[0], "/deploy web feature/feature-c1 to feature-c1"));
  // A restart after that has nothing left to recover.
  report = Recover(t.db.get(), {d.job.id});
  BOOST_CHECK_EQUAL(report.requeued, 0);
  BOOST_CHECK(report.given_up.empty());
}

BOOST_AUTO_TEST_CASE(kills_between_crashes_do_not_count_as_crashes) {
  TestStore t;
  Deploy d = QueueDeploy(t.db.get(), "feature-m1");
  const bool crashes[] = {true, false, true, false, false, true};
  for (size_t i = 0; i < 6; ++i) {
    ClaimAndStart(t.db.get(), d.service_id);
    RecoveryReport report =
        Recover(t.db.get(), crashes[i] ? std::set<int64_t>{d.job.id} : std::set<int64_t>{});
    if (i < 5) {
      BOOST_CHECK_EQUAL(report.requeued, 1);
    } else {
      BOOST_REQUIRE_EQUAL(report.given_up.size(), 1u);
      BOOST_CHECK(Contains(report.given_up[0].detail, "crashed the daemon 3 times"));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_crash_in_one_job_does_not_count_against_another_running_beside_it) {
  TestStore t;
  Deploy poison = QueueDeploy(t.db.get(), "feature-p1");
  Deploy bystander = QueueDeploy(t.db.get(), "feature-b1");
  for (int crash = 1; crash <= 3; ++crash) {
    ClaimAndStart(t.db.get(), poison.service_id);
    ClaimAndStart(t.db.get(), bystander.service_id);
    RecoveryReport report = Recover(t.db.get(), {poison.job.id});
    BOOST_CHECK_EQUAL(report.requeued, crash < 3 ? 2 : 1);
  }
  BOOST_CHECK_EQUAL(JobStateName(Get(t.db.get(), poison.job.id).state), "failed");
  Job after = Get(t.db.get(), bystander.job.id);
  BOOST_CHECK_EQUAL(JobStateName(after.state), "queued");
  BOOST_CHECK_EQUAL(after.attempts, 0);
  BOOST_CHECK_EQUAL(ServiceStatusName(GetWeb(t.db.get(), "feature-b1").status), "starting");
}

BOOST_AUTO_TEST_CASE(a_job_interrupted_ten_times_whatever_the_cause_is_given_up) {
  // The OOM killer leaves no crash record: a job that gets the daemon
  // killed at every start still ends.
  TestStore t;
  Deploy d = QueueDeploy(t.db.get(), "feature-o1");
  RecoveryReport report;
  for (int kill = 1; kill <= 10; ++kill) {
    ClaimAndStart(t.db.get(), d.service_id);
    report = Recover(t.db.get(), {});
    BOOST_CHECK_EQUAL(report.requeued, kill < 10 ? 1 : 0);
  }
  BOOST_REQUIRE_EQUAL(report.given_up.size(), 1u);
  BOOST_CHECK(Contains(report.given_up[0].detail,
                       "interrupted 10 times by a daemon restart; giving up; deploy again"));
  BOOST_CHECK_EQUAL(ServiceStatusName(GetWeb(t.db.get(), "feature-o1").status), "failed");
}

BOOST_AUTO_TEST_CASE(a_given_up_deploy_leaves_a_newer_queued_deploy_of_the_service_alone) {
  TestStore t;
  Deploy d = QueueDeploy(t.db.get(), "qa");
  for (int crash = 1; crash <= 3; ++crash) {
    ClaimAndStart(t.db.get(), d.service_id);
    if (crash == 3) {
      Job newer = DeployJob("qa", "web", "2");
      BOOST_REQUIRE(EnqueueJob(t.db.get(), &newer).ok());
      BOOST_REQUIRE(SetServiceStatus(t.db.get(), d.service_id, ServiceStatus::kQueued, "").ok());
    }
    Recover(t.db.get(), {d.job.id});
  }
  BOOST_CHECK_EQUAL(JobStateName(Get(t.db.get(), d.job.id).state), "failed");
  BOOST_CHECK_EQUAL(ServiceStatusName(GetWeb(t.db.get(), "qa").status), "queued");
}

BOOST_AUTO_TEST_CASE(a_given_up_job_of_the_daemon_itself_leaves_no_notice) {
  TestStore t;
  Deploy d = QueueDeploy(t.db.get(), "feature-r1");
  BOOST_REQUIRE(t.db->Exec("UPDATE jobs SET actor = 'sandbot', source = 'reconciler'").ok());
  for (int crash = 1; crash <= 3; ++crash) {
    ClaimAndStart(t.db.get(), d.service_id);
    Recover(t.db.get(), {d.job.id});
  }
  BOOST_CHECK_EQUAL(JobStateName(Get(t.db.get(), d.job.id).state), "failed");
  std::vector<std::string> notices;
  int64_t last = 0;
  BOOST_REQUIRE(PendingNotices(t.db.get(), "sandbot", &notices, &last).ok());
  BOOST_CHECK(notices.empty());
}

BOOST_AUTO_TEST_CASE(an_interrupted_deploy_closes_its_open_deployment_row) {
  TestStore t;
  Deploy d = QueueDeploy(t.db.get(), "feature-d1");
  Job claimed = ClaimAndStart(t.db.get(), d.service_id);
  int64_t deployment = 0;
  BOOST_REQUIRE(StartDeployment(t.db.get(), claimed, &deployment).ok());
  Recover(t.db.get(), {});
  Stmt st(t.db.get(), "SELECT status, finished_at IS NOT NULL FROM deployments WHERE id = ?");
  st.Bind(1, deployment);
  BOOST_REQUIRE(st.Step());
  BOOST_CHECK_EQUAL(st.Text(0), "interrupted");
  BOOST_CHECK_EQUAL(st.Int(1), 1);
}

BOOST_AUTO_TEST_SUITE_END()
