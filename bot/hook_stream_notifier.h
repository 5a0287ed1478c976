// HookStreamNotifier: the stream the git hook and `sandbot deploy --wait`
// follow (GET /v1/events on the local socket). Each step of a job is written
// to job_events as fields and the long-polling readers are woken; they render
// the lines themselves (hooks/event_lines.h). A job's end is written by the
// WorkerPool with the job's state, in the same transaction.
#ifndef SANDBOT_BOT_HOOK_STREAM_NOTIFIER_H_
#define SANDBOT_BOT_HOOK_STREAM_NOTIFIER_H_

#include "bot/chat_notifier.h"

namespace sandbot {

class HookStreamNotifier : public ChatNotifier {
 public:
  explicit HookStreamNotifier(const NotifyContext& ctx) : ctx_(ctx) {}
  Transport transport() const override { return Transport::kGit; }
  void OnJobEvent(const JobEvent& event) override;
  void OnJobFinished(const Job&, bool, const std::string&) override {}
  void NotifyOwner(const std::string&, const std::string&, const std::string&,
                   const std::string&) override {}

 private:
  NotifyContext ctx_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_HOOK_STREAM_NOTIFIER_H_
