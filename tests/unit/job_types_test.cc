#define BOOST_TEST_DYN_LINK
#include "util/job_types.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <utility>
#include <vector>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(job_types)

// Each type's values with the names the database and the views hold.
BOOST_AUTO_TEST_CASE(job_kinds_round_trip) {
  const std::vector<std::pair<JobKind, std::string>> table = {
      {JobKind::kDeploy, "deploy"},   {JobKind::kDestroy, "destroy"},
      {JobKind::kReroute, "reroute"}, {JobKind::kSuspend, "suspend"},
      {JobKind::kResume, "resume"},   {JobKind::kRename, "rename"},
  };
  for (const auto& [kind, name] : table) {
    BOOST_TEST(JobKindName(kind) == name);
    JobKind parsed = JobKind::kDeploy;
    BOOST_TEST(ParseJobKind(name, &parsed));
    BOOST_TEST((parsed == kind));
  }
  JobKind kind = JobKind::kResume;
  BOOST_TEST(!ParseJobKind("Deploy", &kind));
  BOOST_TEST(!ParseJobKind("", &kind));
  BOOST_TEST((kind == JobKind::kResume));
}

BOOST_AUTO_TEST_CASE(job_states_round_trip) {
  const std::vector<std::pair<JobState, std::string>> table = {
      {JobState::kQueued, "queued"},       {JobState::kRunning, "running"},
      {JobState::kSucceeded, "succeeded"}, {JobState::kFailed, "failed"},
      {JobState::kCancelled, "cancelled"},
  };
  for (const auto& [state, name] : table) {
    BOOST_TEST(JobStateName(state) == name);
    JobState parsed = JobState::kQueued;
    BOOST_TEST(ParseJobState(name, &parsed));
    BOOST_TEST((parsed == state));
  }
  JobState state = JobState::kRunning;
  BOOST_TEST(!ParseJobState("done", &state));
  BOOST_TEST((state == JobState::kRunning));
  BOOST_TEST(!IsFinalJobState(JobState::kQueued));
  BOOST_TEST(!IsFinalJobState(JobState::kRunning));
  BOOST_TEST(IsFinalJobState(JobState::kSucceeded));
  BOOST_TEST(IsFinalJobState(JobState::kFailed));
  BOOST_TEST(IsFinalJobState(JobState::kCancelled));
}

BOOST_AUTO_TEST_CASE(service_statuses_round_trip) {
  const std::vector<std::pair<ServiceStatus, std::string>> table = {
      {ServiceStatus::kQueued, "queued"},       {ServiceStatus::kBuilding, "building"},
      {ServiceStatus::kStarting, "starting"},   {ServiceStatus::kRunning, "running"},
      {ServiceStatus::kFailed, "failed"},       {ServiceStatus::kStopped, "stopped"},
      {ServiceStatus::kSuspended, "suspended"},
  };
  for (const auto& [status, name] : table) {
    BOOST_TEST(ServiceStatusName(status) == name);
    ServiceStatus parsed = ServiceStatus::kQueued;
    BOOST_TEST(ParseServiceStatus(name, &parsed));
    BOOST_TEST((parsed == status));
  }
  ServiceStatus status = ServiceStatus::kStopped;
  BOOST_TEST(!ParseServiceStatus("active", &status));
  BOOST_TEST((status == ServiceStatus::kStopped));
}

BOOST_AUTO_TEST_SUITE_END()
