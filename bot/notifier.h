// Notifier: tells everyone following a job or a sandbox what happened, by
// handing each piece of news to one ChatNotifier per transport
// (bot/chat_notifier.h):
//   - the hook stream: every step of a job, for the git hook and the CLI;
//   - Slack: a job started by a slash command edits its message in place at
//     the stages a person waits for and at its end; deploys and owner
//     notices go to the configured incoming webhook;
//   - Mattermost: a job started there gets its outcome;
//   - Teams: a job started there gets its result as an Adaptive Card;
//     deploys and owner notices go to the configured Workflows webhook;
//   - a forge: a preview's pull request gets its commit status and its one
//     comment (bot/forge_notifier.h).
// Chat messages go through the store's outbox and the OutboxSender's one
// thread, in order, retried with backoff on 429/5xx/connection errors.
#ifndef SANDBOT_BOT_NOTIFIER_H_
#define SANDBOT_BOT_NOTIFIER_H_

#include <memory>
#include <string>
#include <vector>

#include "bot/chat_notifier.h"
#include "bot/config.h"
#include "bot/event_hub.h"
#include "bot/forge_notifier.h"
#include "bot/outbox_sender.h"
#include "store/db.h"
#include "store/jobs.h"

namespace sandbot {

// The implementation for `transport`, made once: kGit and kCli follow the
// hook stream.
std::unique_ptr<ChatNotifier> MakeChatNotifier(Transport transport, const NotifyContext& ctx);

class Notifier {
 public:
  Notifier(Db* db, const Config* config, EventHub* hub);
  ~Notifier();

  // A step of a running job (from the Deployer): recorded for the hook
  // stream first, then told in chat.
  void OnJobEvent(const JobEvent& event);
  // A job ended (from the WorkerPool).
  void OnJobFinished(const Job& job, bool ok, const std::string& detail);
  // Something sandbot did to a sandbox on its own (idle expiry), told on the
  // configured Slack and Teams incoming webhooks, naming its owner.
  void NotifyOwner(const std::string& sandbox, const std::string& owner, const std::string& title,
                   const std::string& text);

  // Where the outbox's retries are counted; may be null. Set before Start.
  void set_metrics(Metrics* metrics) { sender_.set_metrics(metrics); }

  void Start();  // starts sending the outbox
  void Stop();   // sends nothing more; pending messages stay in the outbox

 private:
  std::vector<std::unique_ptr<ChatNotifier>> notifiers_;
  std::unique_ptr<ForgeNotifier> forge_;  // pull requests' comments and statuses
  OutboxSender sender_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_NOTIFIER_H_
