// The engine's failure policy: breaker, retries, fast failure, failpoints,
// systemd readiness, and the job transitions that go with them.
#define BOOST_TEST_DYN_LINK
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstring>

#include "bot/engine_breaker.h"
#include "bot/failpoint.h"
#include "bot/guarded_runtime.h"
#include "bot/systemd_notify.h"
#include "store/audit.h"
#include "store/jobs.h"
#include "tests/unit/fake_runtime.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

const std::vector<std::chrono::milliseconds> kTwoQuickRetries = {std::chrono::milliseconds(1),
                                                                 std::chrono::milliseconds(1)};

}  // namespace

BOOST_AUTO_TEST_SUITE(engine)

BOOST_AUTO_TEST_CASE(breaker_opens_after_threshold_and_closes_on_success) {
  EngineBreaker breaker(2);
  std::vector<std::string> changes;
  breaker.set_on_change([&](bool reachable, const std::string& why) {
    changes.push_back(reachable ? "up" : "down: " + why);
  });
  breaker.RecordFailure("refused");
  BOOST_CHECK(!breaker.open());
  breaker.RecordSuccess();  // not consecutive any more
  breaker.RecordFailure("refused");
  BOOST_CHECK(!breaker.open());
  breaker.RecordFailure("refused again");
  BOOST_CHECK(breaker.open());
  BOOST_CHECK_GT(breaker.open_since(), 0);
  breaker.RecordFailure("still");  // already open: no second notice
  breaker.RecordSuccess();
  BOOST_CHECK(!breaker.open());
  BOOST_REQUIRE_EQUAL(changes.size(), 2u);
  BOOST_CHECK_EQUAL(changes[0], "down: refused again");
  BOOST_CHECK_EQUAL(changes[1], "up");
  breaker.Trip("ping failed");
  BOOST_CHECK(breaker.open());
}

BOOST_AUTO_TEST_CASE(guarded_runtime_retries_then_trips_then_fails_fast) {
  FakeRuntime fake;
  EngineBreaker breaker(1);
  GuardedRuntime runtime(&fake, &breaker, kTwoQuickRetries);
  fake.down = true;
  std::vector<ContainerInfo> out;
  Status s = runtime.ListContainers({}, &out);
  BOOST_CHECK(s.IsUnavailable());
  BOOST_CHECK_EQUAL(fake.calls, 3);  // the call and two retries
  BOOST_CHECK(!runtime.Reachable());
  // Open: answered at once, the engine is not asked.
  s = runtime.StartContainer("x");
  BOOST_CHECK(s.IsUnavailable());
  BOOST_CHECK_EQUAL(fake.calls, 3);
  BOOST_CHECK(s.message().find("queued jobs resume when it answers") != std::string::npos);
  // The probe closes it once the engine answers.
  fake.down = false;
  BOOST_CHECK(runtime.Ping().ok());
  BOOST_CHECK(runtime.Reachable());
  BOOST_CHECK(runtime.ListContainers({}, &out).ok());
}

BOOST_AUTO_TEST_CASE(guarded_runtime_passes_caller_errors_without_retry) {
  FakeRuntime fake;
  EngineBreaker breaker(1);
  GuardedRuntime runtime(&fake, &breaker, kTwoQuickRetries);
  Status s = runtime.StartContainer("no-such");
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK_EQUAL(fake.calls, 1);
  BOOST_CHECK(runtime.Reachable());
}

BOOST_AUTO_TEST_CASE(a_failed_ping_trips_at_once) {
  FakeRuntime fake;
  EngineBreaker breaker(5);
  GuardedRuntime runtime(&fake, &breaker, kTwoQuickRetries);
  fake.down = true;
  BOOST_CHECK(!runtime.Ping().ok());
  BOOST_CHECK(!runtime.Reachable());
}

BOOST_AUTO_TEST_CASE(failpoints_parse) {
  auto points =
      ParseFailpoints("container.created=3000,build.started=5,bad,x=,y=-1,z=12ms,job.ran=crash");
  BOOST_CHECK_EQUAL(points.size(), 3u);
  BOOST_CHECK_EQUAL(points["container.created"], 3000);
  BOOST_CHECK_EQUAL(points["build.started"], 5);
  BOOST_CHECK_EQUAL(points["job.ran"], kFailpointCrash);
  BOOST_CHECK(ParseFailpoints("").empty());
}

BOOST_AUTO_TEST_CASE(systemd_readiness_is_one_datagram) {
  ScratchDir dir;
  const std::string path = dir.path() + "/notify";
  int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  BOOST_REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  setenv("NOTIFY_SOCKET", path.c_str(), 1);
  BOOST_CHECK(NotifySystemd("READY=1\nSTATUS=serving"));
  char buf[64] = {};
  ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
  BOOST_CHECK_EQUAL(std::string(buf, n > 0 ? n : 0), "READY=1\nSTATUS=serving");
  setenv("NOTIFY_SOCKET", (dir.path() + "/nobody-listens").c_str(), 1);
  BOOST_CHECK(!NotifySystemd("READY=1"));
  unsetenv("NOTIFY_SOCKET");
  BOOST_CHECK(NotifySystemd("READY=1"));  // not under systemd: nothing to do
  close(fd);
}

BOOST_AUTO_TEST_CASE(requeue_gives_back_the_attempt_and_says_why) {
  TestStore t;
  Job j = DeployJob("qa", "web", "abc");
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &j).ok());
  Job claimed;
  bool found = false;
  BOOST_REQUIRE(ClaimNextJob(t.db.get(), &claimed, &found).ok() && found);
  BOOST_REQUIRE(RequeueJob(t.db.get(), j.id, "waiting: engine down").ok());
  Job after;
  BOOST_REQUIRE(GetJob(t.db.get(), j.id, &after).ok());
  BOOST_CHECK_EQUAL(JobStateName(after.state), "queued");
  BOOST_CHECK_EQUAL(after.attempts, 0);
  std::vector<JobEvent> events;
  BOOST_REQUIRE(ListJobEvents(t.db.get(), {j.id}, 0, &events).ok());
  BOOST_CHECK(events.back().stage == JobStage::kWaiting);
}

BOOST_AUTO_TEST_CASE(ending_and_recovering_jobs_write_their_audit_rows) {
  TestStore t;
  Job a = DeployJob("qa-1", "web", "abc"), b = DeployJob("qa-2", "web", "abc");
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &a).ok());
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &b).ok());
  Job claimed;
  bool found = false;
  BOOST_REQUIRE(ClaimNextJob(t.db.get(), &claimed, &found).ok() && found);
  BOOST_REQUIRE(EndJob(t.db.get(), claimed, JobState::kSucceeded, "").ok());
  BOOST_REQUIRE(ClaimNextJob(t.db.get(), &claimed, &found).ok() && found);
  RecoveryReport recovery;
  BOOST_REQUIRE(RecoverInterruptedJobs(t.db.get(), {}, RecoveryLimits(), &recovery).ok());
  BOOST_CHECK_EQUAL(recovery.requeued, 1);
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "", 0, &rows).ok());
  // Every transition: started, succeeded; started, resumed.
  BOOST_REQUIRE_EQUAL(rows.size(), 4u);
  BOOST_CHECK_EQUAL(rows[0].status, "started");
  BOOST_CHECK_EQUAL(rows[0].detail, "job 1: attempt 1");
  BOOST_CHECK_EQUAL(rows[1].status, "succeeded");
  BOOST_CHECK_EQUAL(rows[1].sandbox, "qa-1");
  BOOST_CHECK_EQUAL(rows[2].status, "started");
  BOOST_CHECK_EQUAL(rows[3].status, "resumed");
  BOOST_CHECK_EQUAL(rows[3].sandbox, "qa-2");
  BOOST_CHECK(rows[3].detail.find("daemon restart") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(guarded_runtime_hides_two_unreachable_answers) {
  FakeRuntime fake;
  EngineBreaker breaker(1);
  GuardedRuntime runtime(&fake, &breaker, kTwoQuickRetries);
  fake.AddContainer("sandbox-qa-web", "created", {});
  const Status unreachable = Status::Unavailable("connection refused");
  fake.FailCall(1, unreachable);
  fake.FailCall(2, unreachable);
  // One logical call: the engine was asked three times, the third answered.
  BOOST_CHECK(runtime.StartContainer("sandbox-qa-web").ok());
  const std::vector<std::string> want(3, "StartContainer sandbox-qa-web");
  BOOST_CHECK_EQUAL_COLLECTIONS(fake.log.begin(), fake.log.end(), want.begin(), want.end());
  BOOST_CHECK_EQUAL(fake.started.size(), 1u);
  BOOST_CHECK(runtime.Reachable());  // a breaker of threshold 1 stayed closed
  BOOST_CHECK(breaker.last_error().empty());
}

BOOST_AUTO_TEST_CASE(three_unreachable_calls_trip_the_breaker) {
  FakeRuntime fake;
  EngineBreaker breaker(3);
  GuardedRuntime runtime(&fake, &breaker, {});  // no retries: each failure counts
  std::vector<bool> changes;
  breaker.set_on_change([&](bool reachable, const std::string&) { changes.push_back(reachable); });
  for (int n = 1; n <= 3; ++n) {
    fake.FailCall("InspectContainer", n, Status::Unavailable("attempt " + std::to_string(n)));
  }
  ContainerState state;
  BOOST_CHECK(runtime.InspectContainer("a", &state).IsUnavailable());
  BOOST_CHECK(runtime.InspectContainer("b", &state).IsUnavailable());
  BOOST_CHECK(runtime.Reachable());
  BOOST_CHECK(runtime.InspectContainer("c", &state).IsUnavailable());
  BOOST_CHECK(!runtime.Reachable());
  BOOST_CHECK_EQUAL(breaker.last_error(), "attempt 3");
  BOOST_REQUIRE_EQUAL(changes.size(), 1u);
  BOOST_CHECK(!changes[0]);
  // Open: the fourth call is answered without asking the engine.
  BOOST_CHECK(runtime.InspectContainer("d", &state).IsUnavailable());
  const std::vector<std::string> want = {"InspectContainer a", "InspectContainer b",
                                         "InspectContainer c"};
  BOOST_CHECK_EQUAL_COLLECTIONS(fake.log.begin(), fake.log.end(), want.begin(), want.end());
}

BOOST_AUTO_TEST_CASE(a_caller_error_between_unreachable_answers_resets_the_count) {
  FakeRuntime fake;
  EngineBreaker breaker(2);
  GuardedRuntime runtime(&fake, &breaker, {});
  fake.FailCall(1, Status::Unavailable("down"));
  fake.FailCall(2, Status::Conflict("name taken"));  // the engine answered
  fake.FailCall(3, Status::Unavailable("down"));
  BOOST_CHECK(runtime.RemoveContainer("x").IsUnavailable());
  BOOST_CHECK(runtime.RemoveContainer("x").code() == Status::Code::kConflict);
  BOOST_CHECK(runtime.RemoveContainer("x").IsUnavailable());
  BOOST_CHECK(runtime.Reachable());
  BOOST_CHECK(runtime.RemoveContainer("x").ok());
  BOOST_CHECK_EQUAL(fake.CallsOf("RemoveContainer"), 4);
}

BOOST_AUTO_TEST_CASE(fake_runtime_fails_the_nth_call_of_a_method) {
  FakeRuntime fake;
  fake.FailCall("StartContainer", 2, Status::Internal("injected"));
  fake.AddContainer("web", "created", {});
  BOOST_CHECK(fake.Ping().ok());  // other methods do not count
  BOOST_CHECK(fake.StartContainer("web").ok());
  Status s = fake.StartContainer("web");
  BOOST_CHECK(s.code() == Status::Code::kInternal);
  BOOST_CHECK_EQUAL(s.message(), "injected");
  BOOST_CHECK(fake.StartContainer("web").ok());  // a fault fires once
  BOOST_CHECK_EQUAL(fake.started.size(), 2u);    // the failed call changed nothing
  BOOST_CHECK_EQUAL(fake.calls, 4);
  BOOST_CHECK_EQUAL(fake.log[0], "Ping");
  BOOST_CHECK_EQUAL(fake.log[2], "StartContainer web");
}

BOOST_AUTO_TEST_SUITE_END()
