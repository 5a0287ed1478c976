// /baseline set SERVICE URL | unset SERVICE | list
#ifndef SANDBOT_HANDLERS_BASELINE_COMMANDS_H_
#define SANDBOT_HANDLERS_BASELINE_COMMANDS_H_

#include "handlers/dispatch.h"
#include "util/status.h"

namespace sandbot {

// Rows of kCommands (handlers/command.cc). REQUIRES: the role checked;
// HandleCommand writes the audit row and commits.
Status HandleBaselineSet(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleBaselineUnset(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleBaselineList(const HandlerContext& ctx, const Request& req, Reply* reply);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_BASELINE_COMMANDS_H_
