#include "hooks/event_lines.h"

namespace sandbot {

std::string EventLine(const JobEvent& e) {
  const std::string short_commit = e.commit.substr(0, 7);
  // A service's steps are built from its fields; events without a service
  // (the sandbox's steps, a job's end, rows older than the fields) carry
  // their whole line in the message.
  const bool of_service = !e.service.empty();
  switch (e.stage) {
    case JobStage::kQueued:
    case JobStage::kSucceeded: return "";
    case JobStage::kLog: return "--- last log lines ---\n" + e.message;
    case JobStage::kBuilding:
      if (of_service) return e.service + " building " + short_commit + " ...";
      break;
    case JobStage::kStarting:
      if (of_service) return e.service + " starting " + short_commit;
      break;
    case JobStage::kRunning:
      if (of_service) return e.service + " running  " + e.url;
      break;
    case JobStage::kFailed:
      if (of_service) return e.service + " failed: " + e.message;
      break;
    case JobStage::kWaiting:
    case JobStage::kRerouting:
    case JobStage::kRemoved:
    case JobStage::kReloaded:
    case JobStage::kRerouted:
    case JobStage::kSuspending:
    case JobStage::kSuspended:
    case JobStage::kResuming:
    case JobStage::kResumed:
    case JobStage::kDestroying:
    case JobStage::kDestroyed:
    case JobStage::kRenaming:
    case JobStage::kRenamed:
    case JobStage::kNote:
    case JobStage::kCancelled: break;
  }
  return e.message;
}

}  // namespace sandbot
