// ChatNotifier: one transport's way of telling people about jobs and
// sandboxes. The Notifier (bot/notifier.h) hands every piece of news to one
// implementation per transport — Slack, Mattermost, Teams, and the hook
// stream the git hook and the CLI follow — and each decides what its
// transport gets and renders it for that transport only.
//
// Chat messages go through the store's outbox (durable, sent in order by the
// OutboxSender), never straight to the network.
#ifndef SANDBOT_BOT_CHAT_NOTIFIER_H_
#define SANDBOT_BOT_CHAT_NOTIFIER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bot/config.h"
#include "bot/event_hub.h"
#include "store/chat.h"
#include "store/db.h"
#include "store/jobs.h"
#include "templates/view.h"
#include "util/job_event.h"
#include "util/transport.h"

namespace sandbot {

class ChatNotifier {
 public:
  virtual ~ChatNotifier() = default;
  virtual Transport transport() const = 0;
  // A step of a running job (from the Deployer).
  virtual void OnJobEvent(const JobEvent& event) = 0;
  // A job ended (from the WorkerPool); its final event is already stored.
  virtual void OnJobFinished(const Job& job, bool ok, const std::string& detail) = 0;
  // Something sandbot did to a sandbox on its own (idle expiry), told to its
  // owner.
  virtual void NotifyOwner(const std::string& sandbox, const std::string& owner,
                           const std::string& title, const std::string& text) = 0;
};

// What the implementations share.
struct NotifyContext {
  Db* db = nullptr;
  const Config* config = nullptr;
  EventHub* hub = nullptr;  // woken when a message is queued
};

// The pieces the chat implementations are built from.
namespace notify {

// The stages a person waits for in chat; the rest stays in the job log.
bool IsProgressStage(JobStage stage);
// Queues `body` for `url` in the outbox and wakes the sender. A message the
// store cannot take is logged: chat news is best effort, the job goes on.
void Queue(const NotifyContext& ctx, const std::string& url, const std::string& body,
           const std::string& purpose);
// The replies to the command that made `job` that came in by `transport`.
std::vector<JobReply> RepliesVia(const NotifyContext& ctx, int64_t job_id, Transport transport);
// Whether one more post to a response_url fits Slack's and Mattermost's
// limits (5 posts, 30 minutes), keeping the last post for the outcome.
bool ReplyAllowed(const JobReply& reply, bool final_message, int64_t now_ms);
// Records a post to a response_url (its count is how the limits are kept).
void CountPost(const NotifyContext& ctx, const JobReply& reply);
// "job 7 (web@main 3f2a9c1): building" with the sandbox it concerns.
MessageView JobView(const NotifyContext& ctx, const Job& job, const std::string& stage,
                    const std::string& detail);
// "Deploy succeeded: web in qa", naming who pushed what, for incoming webhooks.
MessageView DeployView(const NotifyContext& ctx, const Job& job, const std::string& outcome,
                       const std::string& detail);
// A notice for a sandbox's owner, for incoming webhooks.
MessageView OwnerView(const NotifyContext& ctx, const std::string& sandbox,
                      const std::string& owner, const std::string& title, const std::string& text);
// The job `event` is about, when chat gets told of it; false otherwise
// (a stage chat does not show, or a job that is gone).
bool ProgressJob(const NotifyContext& ctx, const JobEvent& event, Job* job);

}  // namespace notify

}  // namespace sandbot

#endif  // SANDBOT_BOT_CHAT_NOTIFIER_H_
