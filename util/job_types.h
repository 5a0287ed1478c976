// The kinds and states of jobs and the statuses of services, as types the
// compiler checks. Converted to and from text here only: the names are the
// ones stored in jobs.kind, jobs.state and services.status (and the SQL
// CHECKs in store/schema.cc), and the ones views and messages print.
#ifndef SANDBOT_UTIL_JOB_TYPES_H_
#define SANDBOT_UTIL_JOB_TYPES_H_

#include <string>

namespace sandbot {

enum class JobKind {
  kDeploy,   // run a service's commit
  kDestroy,  // remove the sandbox
  kReroute,  // apply the sandbox's route table
  kSuspend,  // stop the sandbox's containers
  kResume,   // start them again
  kRename,   // give the sandbox a new name
};

enum class JobState {
  kQueued,
  kRunning,
  kSucceeded,
  kFailed,
  kCancelled,  // superseded, or its service removed
};

enum class ServiceStatus {
  kQueued,
  kBuilding,
  kStarting,
  kRunning,
  kFailed,
  kStopped,
  kSuspended,
};

// "deploy", "destroy", …
const char* JobKindName(JobKind kind);
// The inverse; false (and `kind` untouched) for a name it does not know.
bool ParseJobKind(const std::string& name, JobKind* kind);

// "queued", "running", …
const char* JobStateName(JobState state);
bool ParseJobState(const std::string& name, JobState* state);
// Succeeded, failed or cancelled: the job will not run again.
bool IsFinalJobState(JobState state);

// "queued", "building", …
const char* ServiceStatusName(ServiceStatus status);
bool ParseServiceStatus(const std::string& name, ServiceStatus* status);

}  // namespace sandbot

#endif  // SANDBOT_UTIL_JOB_TYPES_H_
