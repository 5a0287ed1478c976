// Sends the outbox's forge messages (bot/outbox_sender.h hands them over):
// calls to a forge's API with its token, to its configured API URL only.
//
// An outbox message for a forge names what it is about, not a URL:
//   forge:{forge}:status:{owner/repo}@{sha}   body: {"state","target_url","description"}
//       → the commit status `sandbot/preview` (GitHub and Gitea
//         POST /repos/{o}/{r}/statuses/{sha}; GitLab
//         POST /projects/{id}/statuses/{sha})
//   forge:{forge}:comment:{owner/repo}#{n}    body: the comment's Markdown
//       → sandbot's one comment on the PR, found by its id (kept in the
//         store), else by its hidden marker, else created; edited in place,
//         recreated when someone deleted it.
//   forge:{forge}:reply:{owner/repo}#{n}      body: Markdown
//       → a new comment on the PR (the answer to /why).
// Messages about one PR share their key, so they are sent in order.
#ifndef SANDBOT_BOT_FORGE_POSTER_H_
#define SANDBOT_BOT_FORGE_POSTER_H_

#include <cstdint>
#include <string>

#include "store/db.h"
#include "store/forges.h"
#include "store/outbox.h"

namespace sandbot {

struct ForgeSendResult {
  bool ok = false;
  bool retry = false;          // 429, 5xx, a connection error, a token not readable now
  int64_t retry_after_ms = 0;  // what the forge asked for (Retry-After, x-ratelimit-reset)
  std::string error;           // never the token
};

ForgeSendResult SendForgeMessage(Db* db, const OutboxMessage& message);

// Asks `forge` for the state of PR (MR) `number` of `repo`: *state is open,
// closed or merged, *head_sha its head. Any failure (unreachable, 404, 5xx,
// an answer it cannot read) is an error: never taken for "closed".
Status GetForgePullState(const Forge& forge, const std::string& repo, int64_t number,
                         std::string* state, std::string* head_sha);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_POSTER_H_
