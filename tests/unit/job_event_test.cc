#define BOOST_TEST_DYN_LINK
#include "util/job_event.h"

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>

#include "store/job_events.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(job_event)

// Every stage, first to last (the enum has no gaps).
constexpr int kStageCount = static_cast<int>(JobStage::kCancelled) + 1;

BOOST_AUTO_TEST_CASE(stage_names_round_trip) {
  std::set<std::string> names;
  for (int i = 0; i < kStageCount; ++i) {
    const JobStage stage = static_cast<JobStage>(i);
    const std::string name = JobStageName(stage);
    BOOST_TEST_CONTEXT("stage " << i << " " << name) {
      BOOST_CHECK(name != "unknown");
      BOOST_CHECK(names.insert(name).second);  // one name per stage
      JobStage back = JobStage::kQueued;
      BOOST_CHECK(ParseJobStage(name, &back));
      BOOST_CHECK(back == stage);
    }
  }
}

BOOST_AUTO_TEST_CASE(names_are_the_stored_ones) {
  // These strings are in stores and on the wire: renaming one is a migration.
  BOOST_CHECK_EQUAL(JobStageName(JobStage::kQueued), "queued");
  BOOST_CHECK_EQUAL(JobStageName(JobStage::kWaiting), "waiting");
  BOOST_CHECK_EQUAL(JobStageName(JobStage::kBuilding), "building");
  BOOST_CHECK_EQUAL(JobStageName(JobStage::kRunning), "running");
  BOOST_CHECK_EQUAL(JobStageName(JobStage::kLog), "log");
  BOOST_CHECK_EQUAL(JobStageName(JobStage::kSucceeded), "succeeded");
  BOOST_CHECK_EQUAL(JobStageName(JobStage::kCancelled), "cancelled");
}

BOOST_AUTO_TEST_CASE(unknown_names_are_refused) {
  JobStage stage = JobStage::kRunning;
  BOOST_CHECK(!ParseJobStage("", &stage));
  BOOST_CHECK(!ParseJobStage("Running", &stage));
  BOOST_CHECK(!ParseJobStage("exploded", &stage));
  BOOST_CHECK(stage == JobStage::kRunning);
}

BOOST_AUTO_TEST_CASE(final_states_map_to_their_stages) {
  BOOST_CHECK(FinalStage("succeeded") == JobStage::kSucceeded);
  BOOST_CHECK(FinalStage("failed") == JobStage::kFailed);
  BOOST_CHECK(FinalStage("cancelled") == JobStage::kCancelled);
  BOOST_CHECK(FinalStage("nonsense") == JobStage::kFailed);
}

BOOST_AUTO_TEST_CASE(store_keeps_the_fields) {
  TestStore t;
  Job j = DeployJob("qa", "web", "3f2a9c1d00");
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &j).ok());
  JobEvent running = ServiceRunning("web", "http://127.0.0.1:9001");
  running.job_id = j.id;
  BOOST_REQUIRE(AddJobEvent(t.db.get(), running).ok());
  JobEvent building = CommitEvent(JobStage::kBuilding, "web", "3f2a9c1d00");
  building.job_id = j.id;
  BOOST_REQUIRE(AddJobEvent(t.db.get(), building).ok());
  std::vector<JobEvent> events;
  BOOST_REQUIRE(ListJobEvents(t.db.get(), {j.id}, 0, &events).ok());
  BOOST_REQUIRE_EQUAL(events.size(), 3u);
  BOOST_CHECK(events[0].stage == JobStage::kQueued);
  BOOST_CHECK(events[1].stage == JobStage::kRunning);
  BOOST_CHECK_EQUAL(events[1].service, "web");
  BOOST_CHECK_EQUAL(events[1].url, "http://127.0.0.1:9001");
  BOOST_CHECK_EQUAL(events[1].job_id, j.id);
  BOOST_CHECK(events[2].stage == JobStage::kBuilding);
  BOOST_CHECK_EQUAL(events[2].commit, "3f2a9c1d00");
  BOOST_CHECK(events[1].id < events[2].id);
  // After an id: only the later ones.
  const int64_t after = events[1].id;
  events.clear();
  BOOST_REQUIRE(ListJobEvents(t.db.get(), {j.id}, after, &events).ok());
  BOOST_REQUIRE_EQUAL(events.size(), 1u);
  BOOST_CHECK(events[0].stage == JobStage::kBuilding);
}

BOOST_AUTO_TEST_CASE(a_damaged_stage_is_an_error) {
  TestStore t;
  Job j = DeployJob("qa", "web", "3f2a9c1");
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &j).ok());
  BOOST_REQUIRE(t.db->Exec("UPDATE job_events SET stage = 'exploded'").ok());
  std::vector<JobEvent> events;
  BOOST_CHECK(!ListJobEvents(t.db.get(), {j.id}, 0, &events).ok());
}

BOOST_AUTO_TEST_SUITE_END()
