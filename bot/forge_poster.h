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
//   forge:{forge}:reaction:{owner/repo}#{n}   body: {"comment_id","content"}
//       → a reaction (eyes, rocket, confused) on a comment of the PR
//         (GitHub and Gitea POST /repos/{o}/{r}/issues/comments/{id}/reactions;
//         GitLab POST /projects/{id}/merge_requests/{n}/notes/{id}/award_emoji)
//   forge:{forge}:deployment:{owner/repo}#{n} body: {"state","sha",
//                                                "environment_url","log_url"}
//       → GitHub: the deployment of sha to environment pr-N (created once per
//         sha, the previous one made inactive) and its status (in_progress,
//         success, failure, inactive); GitLab: environment pr-N with the URL
//         on success, stopped on inactive; Gitea: nothing (no such API).
// Content-creating calls keep to the daemon's rate budget
// (bot/forge_budget.h): over it, or while the forge asked to wait, the
// message is deferred (ForgeSendResult::deferred), not failed.
// Messages about one PR share their key, so they are sent in order.
#ifndef SANDBOT_BOT_FORGE_POSTER_H_
#define SANDBOT_BOT_FORGE_POSTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "store/forges.h"
#include "store/outbox.h"

namespace sandbot {

struct ForgeSendResult {
  bool ok = false;
  bool retry = false;          // 429, 5xx, a connection error, a token not readable now
  int64_t retry_after_ms = 0;  // what the forge asked for (Retry-After, x-ratelimit-reset)
  // Rate limited (our budget, or the forge's 429/403 limit): wait
  // retry_after_ms and send again; not a failed attempt.
  bool deferred = false;
  std::string error;  // never the token
};

ForgeSendResult SendForgeMessage(Db* db, const OutboxMessage& message);

// Asks `forge` for the state of PR (MR) `number` of `repo`: *state is open,
// closed or merged, *head_sha its head. Any failure (unreachable, 404, 5xx,
// an answer it cannot read) is an error: never taken for "closed".
Status GetForgePullState(const Forge& forge, const std::string& repo, int64_t number,
                         std::string* state, std::string* head_sha);

// An open pull request as the forge lists it.
struct ForgeOpenPull {
  int64_t number = 0;
  std::string head_sha, head_ref, title, url;
  int64_t head_at = 0;  // updated_at, seconds
  bool draft = false;
  bool fork = false;
  std::vector<std::string> labels;
};

// The open PRs (MRs) of `repo` (the first 100). Any failure is an error:
// never taken for "none open".
Status ListForgeOpenPulls(const Forge& forge, const std::string& repo,
                          std::vector<ForgeOpenPull>* out);

// Reads a list of open PRs as `kind` (github | gitea | gitlab) answers it.
Status ParseForgeOpenPulls(const std::string& kind, const std::string& repo,
                           const std::string& answer, std::vector<ForgeOpenPull>* out);

// GET {api}/repos/{repo}{path} (GitLab: /projects/{id}{path}) with the
// forge's token: *status and *body of the answer, whatever the status;
// Unavailable when the forge cannot be reached or its token read.
Status ForgeRepoGet(const Forge& forge, const std::string& repo, const std::string& path,
                    int* status, std::string* body);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_POSTER_H_
