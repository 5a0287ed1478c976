// /deploy SERVICE BRANCH [to SANDBOX]
#ifndef SANDBOT_HANDLERS_DEPLOY_COMMANDS_H_
#define SANDBOT_HANDLERS_DEPLOY_COMMANDS_H_

#include "handlers/dispatch.h"
#include "util/status.h"

namespace sandbot {

// Rows of kCommands (handlers/command.cc). REQUIRES: the role checked;
// HandleCommand writes the audit row and commits.
Status HandleDeploy(const HandlerContext& ctx, const Request& req, Reply* reply);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_DEPLOY_COMMANDS_H_
