#include "util/job_event.h"

namespace sandbot {

namespace {

struct StageName {
  JobStage stage;
  const char* name;
};

// The one table of stage names.
constexpr StageName kStageNames[] = {
    {JobStage::kQueued, "queued"},
    {JobStage::kWaiting, "waiting"},
    {JobStage::kBuilding, "building"},
    {JobStage::kStarting, "starting"},
    {JobStage::kRunning, "running"},
    {JobStage::kFailed, "failed"},
    {JobStage::kLog, "log"},
    {JobStage::kRerouting, "rerouting"},
    {JobStage::kRemoved, "removed"},
    {JobStage::kReloaded, "reloaded"},
    {JobStage::kRerouted, "rerouted"},
    {JobStage::kSuspending, "suspending"},
    {JobStage::kSuspended, "suspended"},
    {JobStage::kResuming, "resuming"},
    {JobStage::kResumed, "resumed"},
    {JobStage::kDestroying, "destroying"},
    {JobStage::kDestroyed, "destroyed"},
    {JobStage::kRenaming, "renaming"},
    {JobStage::kRenamed, "renamed"},
    {JobStage::kNote, "note"},
    {JobStage::kSucceeded, "succeeded"},
    {JobStage::kCancelled, "cancelled"},
};

}  // namespace

const char* JobStageName(JobStage stage) {
  for (const StageName& s : kStageNames) {
    if (s.stage == stage) return s.name;
  }
  return "unknown";
}

bool ParseJobStage(const std::string& name, JobStage* stage) {
  for (const StageName& s : kStageNames) {
    if (name == s.name) {
      *stage = s.stage;
      return true;
    }
  }
  return false;
}

JobStage FinalStage(const std::string& state) {
  JobStage stage = JobStage::kFailed;
  ParseJobStage(state, &stage);  // an unknown state is told as a failure
  return stage;
}

JobEvent CommitEvent(JobStage stage, const std::string& service, const std::string& commit) {
  JobEvent e;
  e.stage = stage;
  e.service = service;
  e.commit = commit;
  return e;
}

JobEvent ServiceRunning(const std::string& service, const std::string& url) {
  JobEvent e;
  e.stage = JobStage::kRunning;
  e.service = service;
  e.url = url;
  return e;
}

JobEvent ServiceFailed(const std::string& service, const std::string& why) {
  JobEvent e;
  e.stage = JobStage::kFailed;
  e.service = service;
  e.message = why;
  return e;
}

JobEvent MessageEvent(JobStage stage, const std::string& message) {
  JobEvent e;
  e.stage = stage;
  e.message = message;
  return e;
}

}  // namespace sandbot
