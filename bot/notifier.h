// Notifier: turns job progress into chat messages and sends them.
//
//   - A job started from chat reports to its response_url on stage changes
//     (building, running, failed…), editing one message in place
//     (replace_original) and never spending more than 5 posts or 30 minutes,
//     Slack's and Mattermost's limits. Teams gets the result as an Adaptive
//     Card on the configured Workflows webhook.
//   - Every deploy started, succeeded or failed — from git push or chat — is
//     announced on the configured Slack and Teams incoming webhooks, naming
//     who pushed what.
// Messages go through the store's outbox and one sender thread, in order,
// retried with backoff on 429/5xx/connection errors.
#ifndef SANDBOT_BOT_NOTIFIER_H_
#define SANDBOT_BOT_NOTIFIER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "bot/config.h"
#include "bot/event_hub.h"
#include "store/db.h"
#include "store/jobs.h"

namespace sandbot {

class Notifier {
 public:
  Notifier(Db* db, const Config* config, EventHub* hub);
  ~Notifier();

  // A stage of a running job (from the Deployer).
  void OnJobEvent(int64_t job_id, const std::string& stage, const std::string& message);
  // A job ended (from the WorkerPool).
  void OnJobFinished(const Job& job, bool ok, const std::string& detail);
  // Something sandbot did to a sandbox on its own (idle expiry), told on the
  // configured Slack and Teams incoming webhooks, naming its owner.
  void NotifyOwner(const std::string& sandbox, const std::string& owner, const std::string& title,
                   const std::string& text);

  void Start();
  void Stop();  // sends nothing more; pending messages stay in the outbox

 private:
  void Queue(const std::string& url, const std::string& body, const std::string& purpose);
  void ReportToReplies(const Job& job, const std::string& stage, bool final_message,
                       const std::string& detail);
  void Announce(const Job& job, const std::string& outcome, const std::string& detail);
  void SendLoop();

  Db* db_;
  const Config* config_;
  EventHub* hub_;
  std::atomic<bool> stopping_{false};
  std::thread sender_;
};

// Splits "https://host:8443/a/b?c" into "https://host:8443" and "/a/b?c".
bool SplitUrl(const std::string& url, std::string* origin, std::string* path);

}  // namespace sandbot

#endif  // SANDBOT_BOT_NOTIFIER_H_
