// Who may command sandbot from a pull request comment: the forge is asked.
//
//   GitHub  GET /repos/{o}/{r}/collaborators/{login}/permission
//           → write when `permission` is admin or write (maintain folds into
//             write) or `role_name` is admin, maintain or write
//   Gitea   GET /repos/{o}/{r}/collaborators/{login}/permission
//           → write when `permission` is owner, admin or write
//   GitLab  GET /projects/{id}/members/all/{user_id}
//           → write when `access_level` ≥ 30 (Developer) and the member is active
// A 404 is a definite "no" (not a collaborator, not a member). Anything else
// that is not a readable 200 (unreachable, 5xx, 401, an odd body) is an
// error: the comment is refused with it, never allowed.
//
// The worker (RunForgeComments) takes the comments the webhook queued
// (store/forge_commands.h), asks (or reuses an answer younger than
// kForgePermissionTtlMs), and runs them (handlers/forge_commands.h).
#ifndef SANDBOT_BOT_FORGE_PERMISSION_H_
#define SANDBOT_BOT_FORGE_PERMISSION_H_

#include <cstdint>
#include <map>
#include <string>

#include "handlers/command.h"
#include "handlers/dispatch.h"
#include "store/forges.h"
#include "util/status.h"

namespace sandbot {

inline constexpr int64_t kForgePermissionTtlMs = 5 * 60 * 1000;

// Reads a forge's answer (HTTP status and body) to the permission call.
Status ParseForgePermission(const std::string& kind, int http_status, const std::string& body,
                            bool* can_write);

// Asks `forge` whether `login` (GitLab: user `user_id`) may write to `repo`.
Status AskForgePermission(const Forge& forge, const std::string& repo, const std::string& login,
                          int64_t user_id, bool* can_write);

// Runs the queued comments, oldest first: *ran says how many. `roles`: the
// configuration's grants (identity → role). Each comment's commands and its
// leaving the queue are one transaction (the forge is asked before it), so
// a crash mid-run is undone and the comment runs again, once; a comment
// whose runs never finish is given up after kMaxForgeCommentAttempts, its
// delivery's outcome "failed". Failpoint forge.comment.ran: after the
// commands ran, before the commit.
Status RunForgeComments(const HandlerContext& ctx, const std::map<std::string, Role>& roles,
                        int* ran, bool* queued_jobs);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_PERMISSION_H_
