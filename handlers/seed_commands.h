// /seed create | list | show | delete | refresh: rows of kCommands
// (handlers/command.cc). The commands write the seed's row; the copy itself
// is made by the daemon's seed worker (bot/seed_worker.h), so an answer
// comes at once and `/seed show NAME` follows the copy.
//
// REQUIRES: the role checked; HandleCommand writes the audit row and commits.
#ifndef SANDBOT_HANDLERS_SEED_COMMANDS_H_
#define SANDBOT_HANDLERS_SEED_COMMANDS_H_

#include "handlers/dispatch.h"

namespace sandbot {

Status HandleSeedCreate(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSeedList(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSeedShow(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSeedDelete(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleSeedRefresh(const HandlerContext& ctx, const Request& req, Reply* reply);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_SEED_COMMANDS_H_
