// JobEvent: one step of a job, as fields. The deployer and the store write
// them, the local API sends them to the git hook and the CLI, the notifier
// tells chat about some of them; each reads the fields it needs instead of
// parsing prose. The stage names are converted to and from text here only.
#ifndef SANDBOT_UTIL_JOB_EVENT_H_
#define SANDBOT_UTIL_JOB_EVENT_H_

#include <cstdint>
#include <string>

namespace sandbot {

enum class JobStage {
  kQueued,      // the job was queued (or queued again after a restart)
  kWaiting,     // back in the queue: the engine is away or the daemon stops
  kBuilding,    // a service's image is being built for `commit`
  kStarting,    // a service's container is being created for `commit`
  kRunning,     // a service answers at `url`
  kFailed,      // a service, or the whole job, failed: `message` says why
  kLog,         // the last lines of a failed service's log, in `message`
  kRerouting,   // the sandbox's route table is being applied
  kRemoved,     // a container whose service left the sandbox was removed
  kReloaded,    // a service took the new routes by a signal
  kRerouted,    // the routes are applied
  kSuspending,  // the sandbox's containers are being stopped
  kSuspended,
  kResuming,  // the sandbox's containers are being started again
  kResumed,
  kDestroying,
  kDestroyed,
  kRenaming,  // the sandbox's folders, containers and network take its new name
  kRenamed,
  kNote,       // a line for people: a compose file's warning, a job that completed
  kSucceeded,  // the job ended well
  kCancelled,  // the job was superseded or its service removed
};

// "queued", "building", … as stored in job_events.stage and sent on the wire.
const char* JobStageName(JobStage stage);
// The inverse; false (and `stage` untouched) for a name it does not know.
bool ParseJobStage(const std::string& name, JobStage* stage);
// The stage a job's final state ("succeeded", "failed", "cancelled") is told as.
JobStage FinalStage(const std::string& state);

struct JobEvent {
  int64_t id = 0;  // set by the store, increasing
  int64_t job_id = 0;
  int64_t time = 0;  // ms since the epoch, set by the store
  JobStage stage = JobStage::kQueued;
  std::string service;  // the service the step is about; "" for the sandbox or the job
  std::string commit;   // building, starting: the commit (full or short)
  std::string url;      // running: where the service answers
  std::string message;  // the rest in words: why it failed, a log tail, what was done
};

// A service's step on a commit (building, starting).
JobEvent CommitEvent(JobStage stage, const std::string& service, const std::string& commit);
// A service answers at `url`.
JobEvent ServiceRunning(const std::string& service, const std::string& url);
// A service failed, `why`.
JobEvent ServiceFailed(const std::string& service, const std::string& why);
// A step told wholly by its message (the sandbox's steps, a log tail, a
// job's end).
JobEvent MessageEvent(JobStage stage, const std::string& message);

}  // namespace sandbot

#endif  // SANDBOT_UTIL_JOB_EVENT_H_
