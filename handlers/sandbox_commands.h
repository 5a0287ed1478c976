// /sandbox create | list | status | destroy | logs | use | rename
#ifndef SANDBOT_HANDLERS_SANDBOX_COMMANDS_H_
#define SANDBOT_HANDLERS_SANDBOX_COMMANDS_H_

#include "handlers/dispatch.h"
#include "util/status.h"

namespace sandbot {

// Rows of kCommands (handlers/command.cc). REQUIRES: the role checked;
// HandleCommand writes the audit row and commits.
Status HandleSandboxCreate(const HandlerContext& ctx, const Request& req, Reply* reply);
// An engine named for sandboxes (--engine NAME, a template's engine): one the
// daemon drives (NotFound, listing them) and, when `for_new`, not drained
// (Conflict). Not checked when ctx.engines is empty (offline).
Status CheckEngineChoice(const HandlerContext& ctx, const std::string& engine, bool for_new = true);
Status HandleSandboxList(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxStatus(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxDestroy(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxLogs(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSandboxUse(const HandlerContext& ctx, const Request& req, Reply* reply);
// Refused while locked, suspended, or while a job of it is queued or
// running, and when NEW is taken. Queues a "rename" job (sandbox NEW, branch
// OLD) that moves the containers, network and folders.
Status HandleSandboxRename(const HandlerContext& ctx, const Request& req, Reply* reply);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_SANDBOX_COMMANDS_H_
