// MattermostNotifier: a job started by a slash command gets its outcome on
// the command's response_url (Mattermost cannot edit it in place, so there
// are no progress posts). Mattermost has no incoming webhook configured:
// announcements and owner notices go to Slack and Teams only.
#ifndef SANDBOT_BOT_MATTERMOST_NOTIFIER_H_
#define SANDBOT_BOT_MATTERMOST_NOTIFIER_H_

#include "bot/chat_notifier.h"

namespace sandbot {

class MattermostNotifier : public ChatNotifier {
 public:
  explicit MattermostNotifier(const NotifyContext& ctx) : ctx_(ctx) {}
  Transport transport() const override { return Transport::kMattermost; }
  void OnJobEvent(const JobEvent&) override {}
  void OnJobFinished(const Job& job, bool ok, const std::string& detail) override;
  void NotifyOwner(const std::string&, const std::string&, const std::string&,
                   const std::string&) override {}

 private:
  NotifyContext ctx_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_MATTERMOST_NOTIFIER_H_
