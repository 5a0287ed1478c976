// The dashboard's commands: `/sandbox web` answers with a one-time sign-in
// link for the caller (store/web_links.h), `/sandbox web-sessions` lists
// live dashboard sessions (the caller's own; every one for an admin) and
// `/sandbox web-revoke ID` ends one (own, or any for an admin).
#ifndef SANDBOT_HANDLERS_WEB_COMMANDS_H_
#define SANDBOT_HANDLERS_WEB_COMMANDS_H_

#include <vector>

#include "handlers/command.h"
#include "handlers/dispatch.h"

namespace sandbot {

Status ParseWebSessionId(const std::vector<std::string>& args, Command* command);

Status HandleSandboxWeb(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleWebSessions(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleWebRevoke(const HandlerContext& ctx, const Request& req, Reply* reply);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_WEB_COMMANDS_H_
