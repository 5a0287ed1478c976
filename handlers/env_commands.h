// /env create | set | set-file | unset | show | list | attach | detach | delete |
// rotate-key
#ifndef SANDBOT_HANDLERS_ENV_COMMANDS_H_
#define SANDBOT_HANDLERS_ENV_COMMANDS_H_

#include "handlers/dispatch.h"
#include "util/status.h"

namespace sandbot {

// Rows of kCommands (handlers/command.cc). REQUIRES: the role checked;
// HandleCommand writes the audit row and commits.
Status HandleEnvCreate(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleEnvSet(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleEnvSetFile(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleEnvUnset(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleEnvShow(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleEnvList(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleEnvAttach(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleEnvDetach(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleEnvDelete(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleEnvRotateKey(const HandlerContext& ctx, const Request& req, Reply* reply);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_ENV_COMMANDS_H_
