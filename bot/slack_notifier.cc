#include "bot/slack_notifier.h"

#include "bot/destination.h"
#include "templates/slack.h"

namespace sandbot {

void SlackNotifier::OnJobEvent(const JobEvent& event) {
  Job job;
  if (!notify::ProgressJob(ctx_, event, &job)) return;
  Reply(job, JobStageName(event.stage), false, "");
  if (job.kind == JobKind::kDeploy && event.stage == JobStage::kBuilding)
    Announce(job, "started", "");
}

void SlackNotifier::OnJobFinished(const Job& job, bool ok, const std::string& detail) {
  const std::string outcome = JobStateName(ok ? JobState::kSucceeded : JobState::kFailed);
  Reply(job, outcome, true, detail);
  if (job.kind == JobKind::kDeploy) Announce(job, outcome, detail);
}

void SlackNotifier::NotifyOwner(const std::string& sandbox, const std::string& owner,
                                const std::string& title, const std::string& text) {
  if (ctx_.config->chat.slack_webhook_url.empty()) return;
  notify::Queue(ctx_, kSlackWebhook,
                RenderSlack(notify::OwnerView(ctx_, sandbox, owner, title, text), "", false),
                title + " → slack webhook");
}

void SlackNotifier::Reply(const Job& job, const std::string& stage, bool final_message,
                          const std::string& detail) {
  std::vector<JobReply> replies = notify::RepliesVia(ctx_, job.id, Transport::kSlack);
  if (replies.empty()) return;
  const MessageView view = notify::JobView(ctx_, job, stage, detail);
  const int64_t now = NowMillis();
  for (const JobReply& r : replies) {
    if (!notify::ReplyAllowed(r, final_message, now)) continue;
    // The first post answers the command; later ones edit it in place.
    notify::Queue(ctx_, r.url, RenderSlack(view, "in_channel", r.posts > 0),
                  "job " + std::to_string(job.id) + " " + stage + " → slack");
    notify::CountPost(ctx_, r);
  }
}

void SlackNotifier::Announce(const Job& job, const std::string& outcome,
                             const std::string& detail) {
  if (ctx_.config->chat.slack_webhook_url.empty()) return;
  notify::Queue(ctx_, kSlackWebhook,
                RenderSlack(notify::DeployView(ctx_, job, outcome, detail), "", false),
                "deploy " + outcome + " job " + std::to_string(job.id) + " → slack webhook");
}

}  // namespace sandbot
