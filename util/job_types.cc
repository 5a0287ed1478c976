#include "util/job_types.h"

namespace sandbot {

namespace {

template <typename E>
struct Named {
  E value;
  const char* name;
};

// The one table of each type's names.
constexpr Named<JobKind> kJobKinds[] = {
    {JobKind::kDeploy, "deploy"},   {JobKind::kDestroy, "destroy"}, {JobKind::kReroute, "reroute"},
    {JobKind::kSuspend, "suspend"}, {JobKind::kResume, "resume"},   {JobKind::kRename, "rename"},
};

constexpr Named<JobState> kJobStates[] = {
    {JobState::kQueued, "queued"},       {JobState::kRunning, "running"},
    {JobState::kSucceeded, "succeeded"}, {JobState::kFailed, "failed"},
    {JobState::kCancelled, "cancelled"},
};

constexpr Named<ServiceStatus> kServiceStatuses[] = {
    {ServiceStatus::kQueued, "queued"},       {ServiceStatus::kBuilding, "building"},
    {ServiceStatus::kStarting, "starting"},   {ServiceStatus::kRunning, "running"},
    {ServiceStatus::kFailed, "failed"},       {ServiceStatus::kStopped, "stopped"},
    {ServiceStatus::kSuspended, "suspended"},
};

template <typename E, size_t N>
const char* NameIn(const Named<E> (&table)[N], E value) {
  for (const Named<E>& n : table) {
    if (n.value == value) return n.name;
  }
  return "unknown";
}

template <typename E, size_t N>
bool ParseIn(const Named<E> (&table)[N], const std::string& name, E* value) {
  for (const Named<E>& n : table) {
    if (name == n.name) {
      *value = n.value;
      return true;
    }
  }
  return false;
}

}  // namespace

const char* JobKindName(JobKind kind) { return NameIn(kJobKinds, kind); }
bool ParseJobKind(const std::string& name, JobKind* kind) { return ParseIn(kJobKinds, name, kind); }

const char* JobStateName(JobState state) { return NameIn(kJobStates, state); }
bool ParseJobState(const std::string& name, JobState* state) {
  return ParseIn(kJobStates, name, state);
}
bool IsFinalJobState(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed ||
         state == JobState::kCancelled;
}

const char* ServiceStatusName(ServiceStatus status) { return NameIn(kServiceStatuses, status); }
bool ParseServiceStatus(const std::string& name, ServiceStatus* status) {
  return ParseIn(kServiceStatuses, name, status);
}

}  // namespace sandbot
