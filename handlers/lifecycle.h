// What the lifecycle state of a sandbox (locked, suspended) and the
// configured maximum number of sandboxes mean for an answer. Shared by the
// lifecycle commands (handlers/lifecycle.cc), the sandbox view, /deploy,
// /route, /sandbox create and destroy, and pushes.
#ifndef SANDBOT_HANDLERS_LIFECYCLE_H_
#define SANDBOT_HANDLERS_LIFECYCLE_H_

#include <string>
#include <vector>

#include "handlers/dispatch.h"
#include "store/db.h"
#include "store/sandboxes.h"
#include "util/status.h"

namespace sandbot {

// Lines every answer about the sandbox carries: who holds its lock, since
// when and why; that it is suspended and how to resume it. Empty when
// neither applies.
std::vector<std::string> LifecycleNotes(const Sandbox& sandbox);
// Why work queued for the sandbox does not start now ("queued; applied when
// unlocked …"), or "" when it runs at once.
std::string WaitNote(const Sandbox& sandbox);
// Conflict saying how many sandboxes exist, the limit and how to free one
// when one more would exceed `max` (0: no limit). Suspended sandboxes count:
// they keep their ports.
Status CheckSandboxLimit(Db* db, int max);
// Forbidden, naming the holder, unless the sandbox is unlocked or `req`
// comes from its holder or an admin. `what` is the refused action.
Status CheckLockHolder(const Sandbox& sandbox, const Request& req, const std::string& what);

// /sandbox clone | suspend | resume | snapshot | restore | lock | unlock: rows
// of kCommands (handlers/command.cc). REQUIRES: the role checked;
// HandleCommand writes the audit row and commits.
Status HandleSandboxClone(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxSuspend(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxResume(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxSnapshot(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxRestore(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxLock(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxUnlock(const HandlerContext& ctx, const Request& req, Reply* reply);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_LIFECYCLE_H_
