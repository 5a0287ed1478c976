// SlackNotifier: a job started by a slash command edits one message in place
// on its response_url at each stage a person waits for (building,
// rerouting, destroying) and at its end, within Slack's limits; deploys and
// owner notices are announced on the configured incoming webhook.
#ifndef SANDBOT_BOT_SLACK_NOTIFIER_H_
#define SANDBOT_BOT_SLACK_NOTIFIER_H_

#include "bot/chat_notifier.h"

namespace sandbot {

class SlackNotifier : public ChatNotifier {
 public:
  explicit SlackNotifier(const NotifyContext& ctx) : ctx_(ctx) {}
  Transport transport() const override { return Transport::kSlack; }
  void OnJobEvent(const JobEvent& event) override;
  void OnJobFinished(const Job& job, bool ok, const std::string& detail) override;
  void NotifyOwner(const std::string& sandbox, const std::string& owner, const std::string& title,
                   const std::string& text) override;

 private:
  void Reply(const Job& job, const std::string& stage, bool final_message,
             const std::string& detail);
  void Announce(const Job& job, const std::string& outcome, const std::string& detail);

  NotifyContext ctx_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_SLACK_NOTIFIER_H_
