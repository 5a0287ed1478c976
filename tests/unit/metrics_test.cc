// The daemon's metrics (bot/metrics.h): rejections by door and reason
// (issue 16 item 5), requests, jobs and their stages, outbox, engine, forge
// rate limits, the state gauges read at each scrape (issue 14), served as
// Prometheus text; and what GET /readyz answers (bot/readiness.h).
#define BOOST_TEST_DYN_LINK
#include "bot/metrics.h"

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "bot/forge_ratelimit.h"
#include "bot/readiness.h"
#include "bot/scrape_state.h"
#include "store/outbox.h"
#include "store/sandboxes.h"
#include "tests/unit/test_util.h"

namespace sandbot {
namespace {

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(rejections_are_counted_by_door_and_reason) {
  Metrics m;
  for (int i = 0; i < 3; ++i) m.CountRejection(Door::kSlack, RejectReason::kBadSignature);
  m.CountRejection(Door::kTeams, RejectReason::kReplayed);
  m.CountRejection(Door::kHttp, RejectReason::kNotFound);
  BOOST_CHECK_EQUAL(m.Rejections(Door::kSlack, RejectReason::kBadSignature), 3);
  BOOST_CHECK_EQUAL(m.Rejections(Door::kTeams, RejectReason::kReplayed), 1);
  BOOST_CHECK_EQUAL(m.Rejections(Door::kTeams, RejectReason::kBadSignature), 0);
  BOOST_CHECK_EQUAL(m.Rejections(Door::kMattermost, RejectReason::kBadSignature), 0);
}

BOOST_AUTO_TEST_CASE(the_text_format_has_help_type_and_one_line_per_series) {
  Metrics m;
  m.CountRejection(Door::kSlack, RejectReason::kBadSignature);
  m.CountRejection(Door::kSlack, RejectReason::kBadSignature);
  m.CountRejection(Door::kHttp, RejectReason::kTooLarge);
  const std::string text = m.Serialize();
  BOOST_TEST_MESSAGE(text);
  BOOST_CHECK(text.find("# TYPE sandbot_requests_rejected_total counter\n") != std::string::npos);
  BOOST_CHECK(text.find("# HELP sandbot_requests_rejected_total ") != std::string::npos);
  BOOST_CHECK(
      text.find("sandbot_requests_rejected_total{door=\"slack\",reason=\"bad_signature\"} 2\n") !=
      std::string::npos);
  BOOST_CHECK(
      text.find("sandbot_requests_rejected_total{door=\"http\",reason=\"too_large\"} 1\n") !=
      std::string::npos);
  BOOST_CHECK_EQUAL(std::string(Metrics::kContentType).rfind("text/plain; version=0.0.4", 0), 0u);
}

BOOST_AUTO_TEST_CASE(the_possible_series_are_there_at_zero_before_any_refusal) {
  Metrics m;
  const std::string text = m.Serialize();
  BOOST_CHECK(
      text.find("sandbot_requests_rejected_total{door=\"teams\",reason=\"replayed\"} 0\n") !=
      std::string::npos);
  BOOST_CHECK(
      text.find(
          "sandbot_requests_rejected_total{door=\"http\",reason=\"out_of_descriptors\"} 0\n") !=
      std::string::npos);
  // Mattermost signs nothing: it can be neither stale nor replayed.
  BOOST_CHECK(text.find("door=\"mattermost\",reason=\"replayed\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_label_value_is_a_fixed_lower_case_word) {
  // No value comes from a request, so none needs escaping and none can
  // make a series per request.
  auto word = [](const std::string& s) {
    return !s.empty() && s != "unknown" &&
           s.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
  };
  for (int d = 0; d < kDoorCount; ++d) BOOST_CHECK(word(DoorName(static_cast<Door>(d))));
  for (int r = 0; r < kRejectReasonCount; ++r) {
    BOOST_CHECK(word(RejectReasonName(static_cast<RejectReason>(r))));
  }
}

BOOST_AUTO_TEST_CASE(counting_from_many_threads_loses_nothing) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i)
        m.CountRejection(Door::kMattermost, RejectReason::kBadSignature);
    });
  }
  for (std::thread& t : threads) t.join();
  BOOST_CHECK_EQUAL(m.Rejections(Door::kMattermost, RejectReason::kBadSignature), 40000);
}

BOOST_AUTO_TEST_CASE(other_families_join_the_same_registry_and_the_same_answer) {
  // What issue 14's metrics will do.
  Metrics m;
  auto& jobs =
      prometheus::BuildCounter().Name("sandbot_jobs_total").Help("jobs").Register(m.registry());
  jobs.Add({{"kind", "deploy"}}).Increment(5);
  const std::string text = m.Serialize();
  BOOST_CHECK(text.find("sandbot_jobs_total{kind=\"deploy\"} 5\n") != std::string::npos);
  BOOST_CHECK(text.find("# TYPE sandbot_requests_rejected_total counter") != std::string::npos);
}

bool Has(const std::string& text, const std::string& line) {
  const bool found = text.find(line) != std::string::npos;
  if (!found) BOOST_TEST_MESSAGE("missing: " << line);
  return found;
}

BOOST_AUTO_TEST_CASE(requests_are_counted_by_door_and_status_class) {
  Metrics m;
  m.CountRequest(Door::kSlack, 200);
  m.CountRequest(Door::kSlack, 204);
  m.CountRequest(Door::kForge, 401);
  m.CountRequest(Door::kHttp, 503);
  m.CountRequest(Door::kHttp, 999);  // out of range: counted with the 5xx
  BOOST_CHECK_EQUAL(m.Requests(Door::kSlack, 200), 2);
  BOOST_CHECK_EQUAL(m.Requests(Door::kHttp, 500), 2);
  const std::string text = m.Serialize();
  BOOST_CHECK(Has(text, "sandbot_requests_total{door=\"slack\",status=\"2xx\"} 2\n"));
  BOOST_CHECK(Has(text, "sandbot_requests_total{door=\"forge\",status=\"4xx\"} 1\n"));
  BOOST_CHECK(Has(text, "sandbot_requests_total{door=\"web\",status=\"2xx\"} 0\n"));
}

BOOST_AUTO_TEST_CASE(the_door_comes_from_the_path_never_from_what_it_names) {
  HttpRequest r;
  r.path = "/slack/commands";
  BOOST_CHECK(RequestDoor(r) == Door::kMattermost);  // unsigned: Mattermost's
  r.headers.emplace_back("X-Slack-Signature", "v0=1");
  BOOST_CHECK(RequestDoor(r) == Door::kSlack);
  r = HttpRequest();
  for (const auto& [path, door] :
       std::vector<std::pair<std::string, Door>>{{"/slack/interactions", Door::kSlack},
                                                 {"/teams/messages", Door::kTeams},
                                                 {"/forges/anything/webhook", Door::kForge},
                                                 {"/ui/sandboxes", Door::kWeb},
                                                 {"/ui", Door::kWeb},
                                                 {"/uix", Door::kHttp},
                                                 {"/metrics", Door::kHttp},
                                                 {"/readyz", Door::kHttp},
                                                 {"/../../etc/passwd", Door::kHttp}}) {
    r.path = path;
    BOOST_CHECK_MESSAGE(RequestDoor(r) == door, path);
  }
}

BOOST_AUTO_TEST_CASE(jobs_are_counted_by_kind_and_outcome_with_their_duration) {
  Metrics m;
  m.CountJob(1, JobKind::kDeploy, JobOutcome::kSucceeded, 3.5);
  m.CountJob(2, JobKind::kDeploy, JobOutcome::kFailed, 0.2);
  m.CountJob(3, JobKind::kReroute, JobOutcome::kRequeued, 0.1);
  BOOST_CHECK_EQUAL(m.Jobs(JobKind::kDeploy, JobOutcome::kSucceeded), 1);
  BOOST_CHECK_EQUAL(m.Jobs(JobKind::kDeploy, JobOutcome::kFailed), 1);
  BOOST_CHECK_EQUAL(m.Jobs(JobKind::kReroute, JobOutcome::kRequeued), 1);
  BOOST_CHECK_EQUAL(m.Jobs(JobKind::kRename, JobOutcome::kSucceeded), 0);
  const std::string text = m.Serialize();
  BOOST_CHECK(Has(text, "# TYPE sandbot_jobs_total counter\n"));
  BOOST_CHECK(Has(text, "sandbot_jobs_total{kind=\"deploy\",outcome=\"succeeded\"} 1\n"));
  BOOST_CHECK(Has(text, "sandbot_jobs_total{kind=\"destroy\",outcome=\"failed\"} 0\n"));
  BOOST_CHECK(Has(text, "# TYPE sandbot_job_duration_seconds histogram\n"));
  BOOST_CHECK(Has(text, "sandbot_job_duration_seconds_count{kind=\"deploy\"} 2\n"));
  BOOST_CHECK(Has(text, "sandbot_job_duration_seconds_sum{kind=\"deploy\"} 3.7"));
  BOOST_CHECK(Has(text, "sandbot_job_duration_seconds_bucket{kind=\"deploy\",le=\"0.25\"} 1\n"));
  BOOST_CHECK(Has(text, "sandbot_job_duration_seconds_bucket{kind=\"deploy\",le=\"5\"} 2\n"));
  BOOST_CHECK(Has(text, "sandbot_job_duration_seconds_bucket{kind=\"deploy\",le=\"+Inf\"} 2\n"));
}

BOOST_AUTO_TEST_CASE(a_stage_lasts_from_its_event_to_the_next_one_or_the_job_s_end) {
  Metrics m;
  using std::chrono::milliseconds;
  const auto t0 = std::chrono::steady_clock::now();
  m.OnJobEvent(7, JobStage::kQueued, t0);  // an instant: nothing is timed
  m.OnJobEvent(7, JobStage::kBuilding, t0 + milliseconds(10));
  m.OnJobEvent(8, JobStage::kRerouting, t0 + milliseconds(20));  // another job, its own stage
  m.OnJobEvent(7, JobStage::kStarting, t0 + milliseconds(2010));
  m.OnJobEvent(7, JobStage::kRunning, t0 + milliseconds(2510));
  m.CountJob(8, JobKind::kReroute, JobOutcome::kSucceeded, 0.3);  // ends job 8's stage
  m.OnJobEvent(7, JobStage::kSucceeded, t0 + milliseconds(3000));
  BOOST_CHECK_EQUAL(m.StageCount(JobStage::kBuilding), 1u);
  BOOST_CHECK_EQUAL(m.StageCount(JobStage::kStarting), 1u);
  BOOST_CHECK_EQUAL(m.StageCount(JobStage::kRerouting), 1u);
  BOOST_CHECK_EQUAL(m.StageCount(JobStage::kRunning), 0u);
  BOOST_CHECK_EQUAL(m.StageCount(JobStage::kQueued), 0u);
  const std::string text = m.Serialize();
  BOOST_CHECK(Has(text, "sandbot_job_stage_duration_seconds_sum{stage=\"building\"} 2\n"));
  BOOST_CHECK(Has(text, "sandbot_job_stage_duration_seconds_sum{stage=\"starting\"} 0.5\n"));
  BOOST_CHECK(
      Has(text, "sandbot_job_stage_duration_seconds_bucket{stage=\"building\",le=\"1\"} 0\n"));
  BOOST_CHECK(
      Has(text, "sandbot_job_stage_duration_seconds_bucket{stage=\"building\",le=\"2.5\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(outbox_retries_are_counted_by_kind) {
  Metrics m;
  m.CountOutboxRetry(OutboxKind::kForge);
  m.CountOutboxRetry(OutboxKind::kForge);
  m.CountOutboxRetry(OutboxKind::kChat);
  BOOST_CHECK_EQUAL(m.OutboxRetries(OutboxKind::kForge), 2);
  const std::string text = m.Serialize();
  BOOST_CHECK(Has(text, "sandbot_outbox_retries_total{kind=\"forge\"} 2\n"));
  BOOST_CHECK(Has(text, "sandbot_outbox_retries_total{kind=\"chat\"} 1\n"));
}

BOOST_AUTO_TEST_CASE(state_gauges_are_read_at_each_scrape) {
  Metrics m;
  int scrapes = 0;
  m.set_before_scrape([&](ScrapeState* s) {
    ++scrapes;
    s->sandboxes = {5, 2, 1, 3};
    s->outbox_depth = 4;
    s->engine_up = scrapes == 1;
  });
  std::string text = m.Serialize();
  BOOST_CHECK(Has(text, "sandbot_sandboxes{state=\"healthy\"} 5\n"));
  BOOST_CHECK(Has(text, "sandbot_sandboxes{state=\"degraded\"} 2\n"));
  BOOST_CHECK(Has(text, "sandbot_sandboxes{state=\"unhealthy\"} 1\n"));
  BOOST_CHECK(Has(text, "sandbot_sandboxes{state=\"suspended\"} 3\n"));
  BOOST_CHECK(Has(text, "# TYPE sandbot_outbox_depth gauge\nsandbot_outbox_depth 4\n"));
  BOOST_CHECK(Has(text, "sandbot_engine_up 1\n"));
  BOOST_CHECK(Has(text, "sandbot_engine_breaker_state 0\n"));
  text = m.Serialize();
  BOOST_CHECK_EQUAL(scrapes, 2);
  BOOST_CHECK(Has(text, "sandbot_engine_up 0\n"));
  BOOST_CHECK(Has(text, "sandbot_engine_breaker_state 1\n"));
  // A store that cannot be read leaves the last values, not zeros.
  m.set_before_scrape([](ScrapeState* s) {
    s->store_ok = false;
    s->outbox_depth = 99;
  });
  text = m.Serialize();
  BOOST_CHECK(Has(text, "sandbot_outbox_depth 4\n"));
  BOOST_CHECK(Has(text, "sandbot_build_info{version=\""));
}

BOOST_AUTO_TEST_CASE(forge_rate_limits_come_from_the_answers_headers) {
  ClearForgeRateLimits();
  Metrics m;
  httplib::Headers github = {{"X-RateLimit-Remaining", "4998"}, {"X-RateLimit-Limit", "5000"}};
  NoteForgeRateLimit("github", github);
  NoteForgeRateLimit("gitlab", httplib::Headers{{"RateLimit-Remaining", "17"}});
  NoteForgeRateLimit("gitea", httplib::Headers{{"Content-Type", "application/json"}});
  NoteForgeRateLimitValue("github", "-1");     // not a count: ignored
  NoteForgeRateLimitValue("github", "12abc");  // nor this
  NoteForgeRateLimitValue("", "3");
  std::string text = m.Serialize();
  BOOST_CHECK(Has(text, "sandbot_forge_ratelimit_remaining{forge=\"github\"} 4998\n"));
  BOOST_CHECK(Has(text, "sandbot_forge_ratelimit_remaining{forge=\"gitlab\"} 17\n"));
  BOOST_CHECK(text.find("forge=\"gitea\"") == std::string::npos);
  NoteForgeRateLimitValue("github", "0");
  text = m.Serialize();
  BOOST_CHECK(Has(text, "sandbot_forge_ratelimit_remaining{forge=\"github\"} 0\n"));
  // Bounded, whatever calls it.
  for (int i = 0; i < 100; ++i) NoteForgeRateLimitValue("f" + std::to_string(i), "1");
  BOOST_CHECK_EQUAL(ForgeRateLimits().size(), kMaxForges);
  ClearForgeRateLimits();
}

BOOST_AUTO_TEST_CASE(the_scrape_state_counts_sandboxes_by_health_and_pending_messages) {
  TestStore store;
  Db* db = store.db.get();
  auto sandbox = [&](const std::string& name, const std::string& state,
                     std::vector<ServiceStatus> services) {
    Sandbox b;
    b.name = name;
    b.created_by = "ana";
    BOOST_REQUIRE(CreateSandbox(db, &b).ok());
    if (state != "active") BOOST_REQUIRE(SetSandboxState(db, name, state).ok());
    int i = 0;
    for (ServiceStatus st : services) {
      Service s;
      s.name = s.repo = "svc" + std::to_string(i++);
      s.branch = "main";
      BOOST_REQUIRE(UpsertService(db, b.id, &s).ok());
      BOOST_REQUIRE(SetServiceStatus(db, s.id, st, "").ok());
    }
  };
  sandbox("empty", "active", {});
  sandbox("ok", "active", {ServiceStatus::kRunning});
  sandbox("building", "active", {ServiceStatus::kRunning, ServiceStatus::kBuilding});
  sandbox("broken", "active", {ServiceStatus::kFailed});
  sandbox("asleep", "suspended", {ServiceStatus::kSuspended});
  sandbox("going", "destroying", {ServiceStatus::kRunning});
  // A dead router makes its sandbox Degraded, as in `sandbox status`; a
  // healthy one changes nothing.
  sandbox("routerless", "active", {ServiceStatus::kRunning});
  sandbox("routed", "active", {ServiceStatus::kRunning});
  Sandbox found;
  BOOST_REQUIRE(GetSandbox(db, "routerless", &found).ok());
  BOOST_REQUIRE(SetRouterHealth(db, found.id, "unhealthy: its container is not running").ok());
  BOOST_REQUIRE(GetSandbox(db, "routed", &found).ok());
  BOOST_REQUIRE(SetRouterHealth(db, found.id, "healthy").ok());
  OutboxMessage msg;
  msg.url = "https://hooks.example/x";
  msg.body = "{}";
  BOOST_REQUIRE(EnqueueOutbox(db, msg).ok());
  BOOST_REQUIRE(EnqueueOutbox(db, msg).ok());
  ScrapeState state;
  BOOST_REQUIRE(ReadScrapeState(db, &state).ok());
  BOOST_CHECK(state.store_ok);
  BOOST_CHECK_EQUAL(state.sandboxes[0], 3);  // healthy: "empty", "ok" and "routed"
  BOOST_CHECK_EQUAL(state.sandboxes[1], 2);  // degraded: "building" and "routerless"
  BOOST_CHECK_EQUAL(state.sandboxes[2], 1);  // unhealthy
  BOOST_CHECK_EQUAL(state.sandboxes[3], 1);  // suspended; "going" is not counted
  BOOST_CHECK_EQUAL(state.outbox_depth, 2);
}

// A sandbox whose router is unhealthy is Degraded in the gauges (and the
// dashboard's health filter), as in every status answer.
BOOST_AUTO_TEST_CASE(a_sandbox_with_an_unhealthy_router_counts_as_degraded) {
  TestStore store;
  Db* db = store.db.get();
  Sandbox b;
  b.name = "routed";
  b.created_by = "ana";
  BOOST_REQUIRE(CreateSandbox(db, &b).ok());
  Service s;
  s.name = s.repo = "web";
  s.branch = "main";
  BOOST_REQUIRE(UpsertService(db, b.id, &s).ok());
  BOOST_REQUIRE(SetServiceStatus(db, s.id, ServiceStatus::kRunning, "").ok());
  BOOST_REQUIRE(SetRouterHealth(db, b.id, "unhealthy: exited (1)").ok());
  Sandbox read;
  BOOST_REQUIRE(GetSandbox(db, "routed", &read).ok());
  BOOST_REQUIRE(SandboxHealthOf(read) == Health::kDegraded);
  ScrapeState state;
  BOOST_REQUIRE(ReadScrapeState(db, &state).ok());
  BOOST_CHECK_EQUAL(state.sandboxes[0], 0);
  BOOST_CHECK_EQUAL(state.sandboxes[1], 1);
  BOOST_REQUIRE(SetRouterHealth(db, b.id, "healthy").ok());
  BOOST_REQUIRE(ReadScrapeState(db, &state).ok());
  BOOST_CHECK_EQUAL(state.sandboxes[0], 1);
}

// The cache reads the tables again after any write, by the scraping
// connection or another one (another process's CLI, a worker's
// connection), and never otherwise.
BOOST_AUTO_TEST_CASE(the_scrape_cache_reads_again_only_after_a_write) {
  TestStore store;
  Db* db = store.db.get();
  std::unique_ptr<Db> other;
  BOOST_REQUIRE(Db::Open(db->path(), &other).ok());
  ScrapeStateCache cache;
  auto healthy = [&] {
    ScrapeState state;
    state.engine_up = false;
    BOOST_REQUIRE(cache.Read(db, &state).ok());
    BOOST_CHECK(!state.engine_up);  // the caller's, kept
    return state.sandboxes[0];
  };
  BOOST_CHECK_EQUAL(healthy(), 0);
  BOOST_CHECK_EQUAL(healthy(), 0);
  BOOST_CHECK_EQUAL(cache.reads(), 1);
  Sandbox a;
  a.name = "a";
  a.created_by = "ana";
  BOOST_REQUIRE(CreateSandbox(db, &a).ok());  // on the scraping connection
  BOOST_CHECK_EQUAL(healthy(), 1);
  BOOST_CHECK_EQUAL(cache.reads(), 2);
  Sandbox b;
  b.name = "b";
  b.created_by = "ana";
  BOOST_REQUIRE(CreateSandbox(other.get(), &b).ok());  // on another
  BOOST_CHECK_EQUAL(healthy(), 2);
  BOOST_CHECK_EQUAL(healthy(), 2);
  BOOST_CHECK_EQUAL(cache.reads(), 3);
  BOOST_REQUIRE(SetSandboxState(other.get(), "b", "suspended").ok());
  BOOST_CHECK_EQUAL(healthy(), 1);
  OutboxMessage msg;
  msg.url = "https://hooks.example/x";
  msg.body = "{}";
  BOOST_REQUIRE(EnqueueOutbox(other.get(), msg).ok());
  ScrapeState state;
  BOOST_REQUIRE(cache.Read(db, &state).ok());
  BOOST_CHECK_EQUAL(state.outbox_depth, 1);
  BOOST_CHECK_EQUAL(cache.reads(), 5);
  // The dashboard's health filter reads the same entry.
  std::unordered_map<int64_t, Health> health;
  BOOST_REQUIRE(cache.Health(db, &health).ok());
  BOOST_CHECK_EQUAL(health.size(), 2u);
  BOOST_CHECK(health[a.id] == Health::kHealthy);
  BOOST_CHECK(health[b.id] == Health::kSuspended);
  BOOST_CHECK_EQUAL(cache.reads(), 5);
}

// GET /readyz (bot/readiness.h).
struct FakeChecks {
  bool store = true, breaker_open = false, stopping = false;
  Status ping = Status::Ok();
  int pings = 0;
  ReadinessChecks Checks() {
    return {[this] { return store; }, [this] { return breaker_open; },
            [this] {
              ++pings;
              return ping;
            },
            [this] { return stopping; }};
  }
};

BOOST_AUTO_TEST_CASE(ready_when_store_and_engine_answer_and_not_stopping) {
  FakeChecks f;
  Readiness r(f.Checks());
  BOOST_CHECK(!r.Check().ready());  // no ping answered yet
  BOOST_CHECK(r.PingEngine());
  ReadinessResult res = r.Check();
  BOOST_CHECK(res.ready());
  BOOST_CHECK_EQUAL(res.Json(),
                    "{\"engine\":\"ok\",\"ready\":true,\"stopping\":false,\"store\":\"ok\"}");
}

BOOST_AUTO_TEST_CASE(each_failed_check_is_named) {
  {
    FakeChecks f;
    f.store = false;
    Readiness r(f.Checks());
    r.PingEngine();
    ReadinessResult res = r.Check();
    BOOST_CHECK(!res.ready());
    BOOST_CHECK(res.Json().find("\"failed\":\"store\"") != std::string::npos);
  }
  {
    FakeChecks f;
    Readiness r(f.Checks());
    r.PingEngine();
    f.breaker_open = true;  // opened since the last ping: Check believes the breaker
    ReadinessResult res = r.Check();
    BOOST_CHECK(!res.ready());
    BOOST_CHECK(res.Json().find("\"failed\":\"engine\"") != std::string::npos);
    BOOST_CHECK(!r.PingEngine());
    BOOST_CHECK_EQUAL(f.pings, 1);  // the breaker knows already: no ping
  }
  {
    FakeChecks f;
    f.ping = Status::Unavailable("cannot connect to /var/run/secret-path.sock");
    Readiness r(f.Checks());
    r.PingEngine();
    ReadinessResult res = r.Check();
    BOOST_CHECK(!res.ready());
    BOOST_CHECK(res.Json().find("\"engine\":\"unreachable\"") != std::string::npos);
    // The error's text (a path) stays in the log.
    BOOST_CHECK(res.Json().find("secret-path") == std::string::npos);
  }
  {
    FakeChecks f;
    f.stopping = true;
    Readiness r(f.Checks());
    r.PingEngine();
    BOOST_CHECK(r.Check().Json().find("\"failed\":\"stopping\"") != std::string::npos);
  }
}

// Several engines: each is pinged and named; ready while any answers.
BOOST_AUTO_TEST_CASE(readiness_names_each_engine_and_fails_only_when_none_answers) {
  struct Case {
    const char* what;
    bool local_open;
    Status local_ping;
    bool far_open;
    Status far_ping;
    bool ready;
    std::string engines;
  };
  const Status down = Status::Unavailable("refused");
  const std::vector<Case> cases = {
      {"both answer", false, Status::Ok(), false, Status::Ok(), true,
       R"({"far":"ok","local":"ok"})"},
      {"the default is away, far answers", false, down, false, Status::Ok(), true,
       R"({"far":"ok","local":"unreachable"})"},
      {"far's breaker is open", false, Status::Ok(), true, Status::Ok(), true,
       R"({"far":"unreachable","local":"ok"})"},
      {"none answers", true, Status::Ok(), false, down, false,
       R"({"far":"unreachable","local":"unreachable"})"},
  };
  for (const Case& c : cases) {
    ReadinessChecks checks{[] { return true; }, [&] { return c.local_open; },
                           [&] { return c.local_ping; }, [] { return false; }};
    checks.default_engine = "local";
    checks.other_engines.push_back({"far", [&] { return c.far_open; }, [&] { return c.far_ping; }});
    Readiness r(checks);
    r.PingEngine();
    const ReadinessResult res = r.Check();
    BOOST_TEST(res.ready() == c.ready, c.what);
    const nlohmann::json body = nlohmann::json::parse(res.Json());
    BOOST_TEST(body["engines"].dump() == c.engines, c.what << ": " << res.Json());
    BOOST_TEST((body.value("failed", "") == (c.ready ? "" : "engine")), c.what);
  }
  // One engine: the body stays as it was, without "engines".
  FakeChecks f;
  Readiness one(f.Checks());
  one.PingEngine();
  BOOST_TEST(one.Check().Json().find("engines") == std::string::npos);
}

// The ping runs on its own thread: Check (on an event-loop thread) never
// waits for the engine, it reads the last answer.
BOOST_AUTO_TEST_CASE(the_engine_is_pinged_on_a_thread_of_its_own) {
  using std::chrono::milliseconds;
  std::mutex mu;
  std::condition_variable cv;
  bool hang = false;
  int pings = 0;
  ReadinessChecks checks{[] { return true; }, [] { return false; },
                         [&] {
                           std::unique_lock<std::mutex> lock(mu);
                           ++pings;
                           cv.notify_all();
                           cv.wait(lock, [&] { return !hang; });
                           return Status::Ok();
                         },
                         [] { return false; }};
  Readiness r(checks, milliseconds(10));
  r.Start();
  BOOST_CHECK(r.Check().ready());  // Start pinged once before returning
  {
    std::unique_lock<std::mutex> lock(mu);
    hang = true;  // the next ping hangs, as an engine that stopped reading would
    const int seen = pings;
    cv.wait(lock, [&] { return pings > seen; });
  }
  const auto before = std::chrono::steady_clock::now();
  BOOST_CHECK(r.Check().ready());  // the last answer, at once
  BOOST_CHECK(std::chrono::steady_clock::now() - before < milliseconds(500));
  {
    std::lock_guard<std::mutex> lock(mu);
    hang = false;
  }
  cv.notify_all();
  r.Stop();
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
