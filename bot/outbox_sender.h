// OutboxSender: the one thread that sends the store's outbox (messages for
// chat services) in id order, so edits of one message arrive in the order
// they were made; retried with backoff on 429, 5xx and connection errors,
// given up after 6 attempts or on any other answer.
#ifndef SANDBOT_BOT_OUTBOX_SENDER_H_
#define SANDBOT_BOT_OUTBOX_SENDER_H_

#include <atomic>
#include <string>
#include <thread>

#include "bot/event_hub.h"
#include "store/db.h"

namespace sandbot {

class OutboxSender {
 public:
  OutboxSender(Db* db, EventHub* hub) : db_(db), hub_(hub) {}
  ~OutboxSender() { Stop(); }

  void Start();
  void Stop();  // sends nothing more; pending messages stay in the outbox

 private:
  void SendLoop();

  Db* db_;
  EventHub* hub_;  // notified when a message is queued
  std::atomic<bool> stopping_{false};
  std::thread sender_;
};

// Splits "https://host:8443/a/b?c" into "https://host:8443" and "/a/b?c".
bool SplitUrl(const std::string& url, std::string* origin, std::string* path);

}  // namespace sandbot

#endif  // SANDBOT_BOT_OUTBOX_SENDER_H_
