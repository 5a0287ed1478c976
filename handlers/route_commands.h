// /route SERVICE sandbox|baseline|URL [in SANDBOX] | list [SANDBOX]
#ifndef SANDBOT_HANDLERS_ROUTE_COMMANDS_H_
#define SANDBOT_HANDLERS_ROUTE_COMMANDS_H_

#include "handlers/dispatch.h"
#include "util/status.h"

namespace sandbot {

// Rows of kCommands (handlers/command.cc). REQUIRES: the role checked;
// HandleCommand writes the audit row and commits.
Status HandleRouteSet(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleRouteList(const HandlerContext& ctx, const Request& req, Reply* reply);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_ROUTE_COMMANDS_H_
