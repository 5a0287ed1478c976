// ForgeNotifier: tells a pull request what its preview is doing, like the
// chat notifiers tell a channel: the commit status `sandbot/preview` on the
// deployed head (pending → success/failure, target_url the service's URL)
// and sandbot's one comment on the PR, edited in place (queued, building,
// running, failed, destroyed), the PR's deployment (GitHub Deployments,
// GitLab environments) and the reactions on the comment that asked for the
// job (🚀 or 😕). Everything goes through the outbox
// (bot/forge_poster.h sends it), never straight to the network.
#ifndef SANDBOT_BOT_FORGE_NOTIFIER_H_
#define SANDBOT_BOT_FORGE_NOTIFIER_H_

#include <string>

#include "bot/chat_notifier.h"
#include "store/jobs.h"
#include "util/job_event.h"

namespace sandbot {

class ForgeNotifier {
 public:
  explicit ForgeNotifier(const NotifyContext& ctx) : ctx_(ctx) {}
  void OnJobEvent(const JobEvent& event);
  void OnJobFinished(const Job& job, bool ok, const std::string& detail);

 private:
  // Queues the status (when `status` is not "") and the comment for the
  // preview `job` is about; nothing when it is no preview, or its commit is
  // no longer the PR's head.
  void Tell(const Job& job, const std::string& status, const std::string& state,
            const std::string& detail);

  // 🚀 or 😕 on the comment whose command queued `job`, if one did.
  void React(const Job& job, bool ok);

  NotifyContext ctx_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_NOTIFIER_H_
