// OutboxSender: the one thread that sends the store's outbox (messages for
// chat services): each destination's messages in id order, so edits of one
// message arrive in the order they were made, while a destination that
// fails or asks to wait (429 Retry-After, clamped to an hour) holds back
// only its own. Retried with backoff on 429, 5xx and connection errors,
// given up after 6 attempts or on any other answer. Each URL is checked
// against the reply URL policy just before sending, and connected to at the
// address that was checked.
#ifndef SANDBOT_BOT_OUTBOX_SENDER_H_
#define SANDBOT_BOT_OUTBOX_SENDER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "bot/destination.h"
#include "bot/event_hub.h"
#include "bot/metrics.h"
#include "store/db.h"

namespace sandbot {

class OutboxSender {
 public:
  OutboxSender(Db* db, const ChatConfig* chat, EventHub* hub)
      : db_(db), chat_(chat), hub_(hub), policy_(MakeReplyUrlPolicy(*chat)) {}
  ~OutboxSender() { Stop(); }

  // Where retries are counted (sandbot_outbox_retries_total); may be null.
  // Set before Start.
  void set_metrics(Metrics* metrics) { metrics_ = metrics; }

  void Start();
  void Stop();  // sends nothing more; pending messages stay in the outbox

 private:
  void SendLoop();

  Db* db_;
  const ChatConfig* chat_;  // resolves webhook names (bot/destination.h)
  EventHub* hub_;           // notified when a message is queued
  ReplyUrlPolicy policy_;
  Metrics* metrics_ = nullptr;
  std::atomic<bool> stopping_{false};
  std::thread sender_;
};

// Seconds a Retry-After header asks to wait, as milliseconds: digits only
// (an HTTP date or garbage gives 0), overflow-checked, at most an hour: one
// destination must not park its messages for ages.
int64_t RetryAfterMillis(const std::string& header);

// Splits "https://host:8443/a/b?c" into "https://host:8443" and "/a/b?c".
bool SplitUrl(const std::string& url, std::string* origin, std::string* path);

}  // namespace sandbot

#endif  // SANDBOT_BOT_OUTBOX_SENDER_H_
