#include "bot/mattermost_notifier.h"

#include "templates/mattermost.h"

namespace sandbot {

void MattermostNotifier::OnJobFinished(const Job& job, bool ok, const std::string& detail) {
  std::vector<JobReply> replies = notify::RepliesVia(ctx_, job.id, Transport::kMattermost);
  if (replies.empty()) return;
  const std::string stage = JobStateName(ok ? JobState::kSucceeded : JobState::kFailed);
  const MessageView view = notify::JobView(ctx_, job, stage, detail);
  const int64_t now = NowMillis();
  for (const JobReply& r : replies) {
    if (!notify::ReplyAllowed(r, true, now)) continue;
    notify::Queue(ctx_, r.url, RenderMattermost(view, "in_channel"),
                  "job " + std::to_string(job.id) + " " + stage + " → mattermost");
    notify::CountPost(ctx_, r);
  }
}

}  // namespace sandbot
