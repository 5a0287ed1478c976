#include "bot/teams_notifier.h"

#include "bot/destination.h"
#include "templates/teams.h"

namespace sandbot {

void TeamsNotifier::OnJobEvent(const JobEvent& event) {
  // Replies get the result only; the webhook hears that a deploy started.
  if (event.stage != JobStage::kBuilding) return;
  Job job;
  if (!notify::ProgressJob(ctx_, event, &job)) return;
  if (job.kind == JobKind::kDeploy) Announce(job, "started", "");
}

void TeamsNotifier::OnJobFinished(const Job& job, bool ok, const std::string& detail) {
  const std::string outcome = JobStateName(ok ? JobState::kSucceeded : JobState::kFailed);
  if (job.kind != JobKind::kDeploy) {
    std::vector<JobReply> replies = notify::RepliesVia(ctx_, job.id, Transport::kTeams);
    if (!replies.empty()) {
      const std::string card = RenderTeamsCard(notify::JobView(ctx_, job, outcome, detail));
      for (const JobReply& r : replies) {
        notify::Queue(ctx_, r.url, card, "job " + std::to_string(job.id) + " → teams");
      }
    }
  }
  if (job.kind == JobKind::kDeploy) Announce(job, outcome, detail);
}

void TeamsNotifier::NotifyOwner(const std::string& sandbox, const std::string& owner,
                                const std::string& title, const std::string& text) {
  if (ctx_.config->chat.teams_webhook_url.empty()) return;
  notify::Queue(ctx_, kTeamsWebhook,
                RenderTeamsCard(notify::OwnerView(ctx_, sandbox, owner, title, text)),
                title + " → teams webhook");
}

void TeamsNotifier::Announce(const Job& job, const std::string& outcome,
                             const std::string& detail) {
  if (ctx_.config->chat.teams_webhook_url.empty()) return;
  notify::Queue(ctx_, kTeamsWebhook,
                RenderTeamsCard(notify::DeployView(ctx_, job, outcome, detail)),
                "deploy " + outcome + " job " + std::to_string(job.id) + " → teams webhook");
}

}  // namespace sandbot
