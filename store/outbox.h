// Outbox: messages for chat services (response_url posts, incoming webhooks),
// written by whoever has news and sent by one sender thread in id order, so
// edits of one message arrive in the order they were made.
#ifndef SANDBOT_STORE_OUTBOX_H_
#define SANDBOT_STORE_OUTBOX_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct OutboxMessage {
  int64_t id = 0;
  std::string url;
  std::string body;
  std::string content_type = "application/json";
  std::string purpose;  // "job 7 running → slack", for logs
  std::string state = "pending";
  int attempts = 0;
  int64_t next_at = 0;
  std::string last_error;
};

Status EnqueueOutbox(Db* db, const OutboxMessage& message);
// The oldest pending message that is due at `now` and is the oldest pending
// one for its URL (order is kept per destination), if any.
Status NextOutbox(Db* db, int64_t now, OutboxMessage* message, bool* found);
Status MarkOutboxSent(Db* db, int64_t id);
// Records a failed attempt: retried at `next_at`, or failed for good when
// `give_up`.
Status MarkOutboxAttempt(Db* db, int64_t id, const std::string& error, int64_t next_at,
                         bool give_up);
// Holds a message until `next_at` without counting an attempt (a rate
// limit: the message did not fail).
Status DeferOutbox(Db* db, int64_t id, const std::string& why, int64_t next_at);
Status ListOutbox(Db* db, std::vector<OutboxMessage>* messages);
// Messages still to be sent (pending, due or waiting for a retry).
Status CountPendingOutbox(Db* db, int64_t* count);

}  // namespace sandbot

#endif  // SANDBOT_STORE_OUTBOX_H_
