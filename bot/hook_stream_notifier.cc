#include "bot/hook_stream_notifier.h"

#include <spdlog/spdlog.h>

#include "hooks/event_lines.h"
#include "store/job_events.h"

namespace sandbot {

void HookStreamNotifier::OnJobEvent(const JobEvent& event) {
  Status s = AddJobEvent(ctx_.db, event);
  // The job goes on; its followers miss this line (the job log has it).
  if (!s.ok()) spdlog::error("job {}: {}", event.job_id, s.ToString());
  spdlog::info("job {} {}: {}", event.job_id, JobStageName(event.stage), EventLine(event));
  ctx_.hub->Notify();
}

}  // namespace sandbot
