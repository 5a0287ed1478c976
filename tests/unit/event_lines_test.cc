#define BOOST_TEST_DYN_LINK
#include "hooks/event_lines.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "hooks/event_wire.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(event_lines)

JobEvent Of(JobStage stage, const std::string& service, const std::string& commit,
            const std::string& url, const std::string& message) {
  JobEvent e;
  e.stage = stage;
  e.service = service;
  e.commit = commit;
  e.url = url;
  e.message = message;
  return e;
}

// Every stage, with the line a pusher sees after `remote: sandbot: `
// (tests/e2e/push_test.sh checks the same lines end to end).
BOOST_AUTO_TEST_CASE(every_stage) {
  const std::string sha = "3f2a9c1d2e4b";
  const struct {
    JobEvent event;
    std::string line;
  } cases[] = {
      {Of(JobStage::kQueued, "", "", "", "queued"), ""},
      {Of(JobStage::kWaiting, "", "", "", "the Docker engine is unreachable"),
       "the Docker engine is unreachable"},
      {CommitEvent(JobStage::kBuilding, "web", sha), "web building 3f2a9c1 ..."},
      {CommitEvent(JobStage::kStarting, "web", sha), "web starting 3f2a9c1"},
      {ServiceRunning("web", "http://127.0.0.1:9001"), "web running  http://127.0.0.1:9001"},
      {ServiceFailed("web", "the container stopped"), "web failed: the container stopped"},
      {Of(JobStage::kFailed, "", "", "", "interrupted 3 times"), "interrupted 3 times"},
      {MessageEvent(JobStage::kLog, "line 1\nline 2"), "--- last log lines ---\nline 1\nline 2"},
      {MessageEvent(JobStage::kRerouting, "applying routes to sandbox qa"),
       "applying routes to sandbox qa"},
      {MessageEvent(JobStage::kRemoved, "removed qa-api (its service left the sandbox)"),
       "removed qa-api (its service left the sandbox)"},
      {MessageEvent(JobStage::kReloaded, "web reloaded routes (SIGHUP)"),
       "web reloaded routes (SIGHUP)"},
      {MessageEvent(JobStage::kRerouted, "routes applied"), "routes applied"},
      {MessageEvent(JobStage::kSuspending, "stopping the containers of qa"),
       "stopping the containers of qa"},
      {MessageEvent(JobStage::kSuspended, "sandbox qa suspended"), "sandbox qa suspended"},
      {MessageEvent(JobStage::kResuming, "starting the containers of qa"),
       "starting the containers of qa"},
      {MessageEvent(JobStage::kResumed, "sandbox qa resumed"), "sandbox qa resumed"},
      {MessageEvent(JobStage::kDestroying, "destroying sandbox qa"), "destroying sandbox qa"},
      {MessageEvent(JobStage::kDestroyed, "sandbox qa destroyed"), "sandbox qa destroyed"},
      {MessageEvent(JobStage::kRenaming, "moving sandbox qa to qa2"), "moving sandbox qa to qa2"},
      {MessageEvent(JobStage::kRenamed, "sandbox qa is now qa2"), "sandbox qa is now qa2"},
      {MessageEvent(JobStage::kNote, "migrate completed (exit code 0)"),
       "migrate completed (exit code 0)"},
      {MessageEvent(JobStage::kSucceeded, "succeeded"), ""},
      {MessageEvent(JobStage::kCancelled, "superseded by job 9"), "superseded by job 9"},
  };
  bool seen[static_cast<int>(JobStage::kCancelled) + 1] = {};
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(JobStageName(c.event.stage)) {
      BOOST_CHECK_EQUAL(EventLine(c.event), c.line);
    }
    seen[static_cast<int>(c.event.stage)] = true;
  }
  for (int i = 0; i <= static_cast<int>(JobStage::kCancelled); ++i) {
    BOOST_TEST_CONTEXT(JobStageName(static_cast<JobStage>(i))) { BOOST_CHECK(seen[i]); }
  }
}

// Rows written before events had fields carry their whole line.
BOOST_AUTO_TEST_CASE(events_without_fields_show_their_message) {
  for (JobStage stage : {JobStage::kBuilding, JobStage::kStarting, JobStage::kRunning}) {
    BOOST_CHECK_EQUAL(EventLine(MessageEvent(stage, "web building 3f2a9c1 ...")),
                      "web building 3f2a9c1 ...");
  }
}

BOOST_AUTO_TEST_CASE(wire_round_trip) {
  JobEvent running = ServiceRunning("web", "http://127.0.0.1:9001");
  running.id = 12;
  running.job_id = 7;
  JobEvent log = MessageEvent(JobStage::kLog, "a \"quoted\"\nline");
  log.id = 13;
  log.job_id = 7;
  std::vector<JobEvent> events;
  bool done = false;
  BOOST_REQUIRE(DecodeEvents(EncodeEvents({running, log}, true), &events, &done).ok());
  BOOST_CHECK(done);
  BOOST_REQUIRE_EQUAL(events.size(), 2u);
  BOOST_CHECK_EQUAL(events[0].id, 12);
  BOOST_CHECK_EQUAL(events[0].job_id, 7);
  BOOST_CHECK(events[0].stage == JobStage::kRunning);
  BOOST_CHECK_EQUAL(events[0].service, "web");
  BOOST_CHECK_EQUAL(events[0].url, "http://127.0.0.1:9001");
  BOOST_CHECK(events[1].stage == JobStage::kLog);
  BOOST_CHECK_EQUAL(events[1].message, "a \"quoted\"\nline");
}

BOOST_AUTO_TEST_CASE(wire_refuses_what_it_cannot_read) {
  std::vector<JobEvent> events;
  bool done = false;
  BOOST_CHECK(!DecodeEvents("not json", &events, &done).ok());
  BOOST_CHECK(!DecodeEvents("[]", &events, &done).ok());
  BOOST_CHECK(!DecodeEvents(R"({"events":[{"id":1,"stage":"exploded"}]})", &events, &done).ok());
  BOOST_CHECK(DecodeEvents(R"({"events":[],"done":false})", &events, &done).ok());
  BOOST_CHECK(events.empty());
}

BOOST_AUTO_TEST_SUITE_END()
