#include "bot/notifier.h"

#include "bot/hook_stream_notifier.h"
#include "bot/mattermost_notifier.h"
#include "bot/slack_notifier.h"
#include "bot/teams_notifier.h"

namespace sandbot {

std::unique_ptr<ChatNotifier> MakeChatNotifier(Transport transport, const NotifyContext& ctx) {
  switch (transport) {
    case Transport::kSlack: return std::make_unique<SlackNotifier>(ctx);
    case Transport::kMattermost: return std::make_unique<MattermostNotifier>(ctx);
    case Transport::kTeams: return std::make_unique<TeamsNotifier>(ctx);
    case Transport::kCli:
    case Transport::kGit: return std::make_unique<HookStreamNotifier>(ctx);
  }
  return nullptr;
}

Notifier::Notifier(Db* db, const Config* config, EventHub* hub) : sender_(db, &config->chat, hub) {
  NotifyContext ctx;
  ctx.db = db;
  ctx.config = config;
  ctx.hub = hub;
  // The hook stream first: a step is stored before chat hears of it.
  for (Transport t :
       {Transport::kGit, Transport::kSlack, Transport::kMattermost, Transport::kTeams}) {
    notifiers_.push_back(MakeChatNotifier(t, ctx));
  }
  forge_ = std::make_unique<ForgeNotifier>(ctx);
}

Notifier::~Notifier() { Stop(); }

void Notifier::Start() { sender_.Start(); }

void Notifier::Stop() { sender_.Stop(); }

void Notifier::OnJobEvent(const JobEvent& event) {
  for (auto& n : notifiers_) n->OnJobEvent(event);
  forge_->OnJobEvent(event);
}

void Notifier::OnJobFinished(const Job& job, bool ok, const std::string& detail) {
  for (auto& n : notifiers_) n->OnJobFinished(job, ok, detail);
  forge_->OnJobFinished(job, ok, detail);
}

void Notifier::NotifyOwner(const std::string& sandbox, const std::string& owner,
                           const std::string& title, const std::string& text) {
  for (auto& n : notifiers_) n->NotifyOwner(sandbox, owner, title, text);
}

}  // namespace sandbot
