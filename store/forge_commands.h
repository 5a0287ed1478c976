// Comment commands waiting for the forge to say who may give them, and what
// the forges said.
//
// A comment's commands run only once the forge said the commenter may write
// to the repository (handlers/forge_pr.h). The webhook is answered before
// that (within 1 s): the comment waits here, durably, for the worker that
// asks the forge (bot/forge_permission.h). It leaves the queue in the
// transaction that holds its commands' effects, so a crash mid-run loses
// nothing and does nothing twice: the run is rolled back and made again.
// Each run is first counted (ClaimForgeComment), so a comment that crashes
// the daemon every time is given up after kMaxForgeCommentAttempts. The forge's answer is kept a
// few minutes per (forge, repo, login), so a burst of comments asks once.
#ifndef SANDBOT_STORE_FORGE_COMMANDS_H_
#define SANDBOT_STORE_FORGE_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct ForgeCommentJob {
  int64_t id = 0;
  std::string forge;     // Forge::name
  std::string delivery;  // the delivery that carried the comment
  std::string event;     // the comment as handlers/forge_pr.h wrote it (JSON)
  int64_t created_ms = 0;
  int attempts = 0;  // runs begun, this one included once claimed
};

inline constexpr int kMaxForgeCommentAttempts = 3;

Status QueueForgeComment(Db* db, const ForgeCommentJob& job, int64_t* id);
// The oldest `limit` waiting comments, oldest first.
Status ListForgeComments(Db* db, int limit, std::vector<ForgeCommentJob>* out);
// Counts a run of `job` before it begins (committed on its own, so a crash
// still counts): job->attempts becomes the new count.
Status ClaimForgeComment(Db* db, ForgeCommentJob* job);
Status DeleteForgeComment(Db* db, int64_t id);

// What the forge said of `login`'s access to `forge_repo` no longer ago than
// `max_age_ms`: *found false when it was not asked (or too long ago).
Status GetForgePermission(Db* db, const std::string& forge, const std::string& forge_repo,
                          const std::string& login, int64_t max_age_ms, bool* found,
                          bool* can_write);
Status SaveForgePermission(Db* db, const std::string& forge, const std::string& forge_repo,
                           const std::string& login, bool can_write);

// Records that the PR got the comment commands' help; *first is false when
// it had it already (help is given once per PR).
Status MarkForgeHelpGiven(Db* db, const std::string& forge, const std::string& forge_repo,
                          int64_t number, bool* first);

}  // namespace sandbot

#endif  // SANDBOT_STORE_FORGE_COMMANDS_H_
