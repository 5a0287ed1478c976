// TeamsNotifier: Teams has no message to edit, so a job started from Teams
// (other than a deploy, which the webhook announces) gets its result once, as
// an Adaptive Card on the Workflows webhook it came with; deploys and owner
// notices are announced on the configured Teams webhook.
#ifndef SANDBOT_BOT_TEAMS_NOTIFIER_H_
#define SANDBOT_BOT_TEAMS_NOTIFIER_H_

#include "bot/chat_notifier.h"

namespace sandbot {

class TeamsNotifier : public ChatNotifier {
 public:
  explicit TeamsNotifier(const NotifyContext& ctx) : ctx_(ctx) {}
  Transport transport() const override { return Transport::kTeams; }
  void OnJobEvent(const JobEvent& event) override;
  void OnJobFinished(const Job& job, bool ok, const std::string& detail) override;
  void NotifyOwner(const std::string& sandbox, const std::string& owner, const std::string& title,
                   const std::string& text) override;

 private:
  void Announce(const Job& job, const std::string& outcome, const std::string& detail);

  NotifyContext ctx_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_TEAMS_NOTIFIER_H_
