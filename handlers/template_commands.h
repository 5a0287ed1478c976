// /template create | update | show | list | delete | export | import
#ifndef SANDBOT_HANDLERS_TEMPLATE_COMMANDS_H_
#define SANDBOT_HANDLERS_TEMPLATE_COMMANDS_H_

#include "handlers/dispatch.h"
#include "util/status.h"

namespace sandbot {

// Rows of kCommands (handlers/command.cc). REQUIRES: the role checked;
// HandleCommand writes the audit row and commits.
Status HandleTemplateCreate(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleTemplateUpdate(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleTemplateShow(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleTemplateList(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleTemplateDelete(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleTemplateExport(const HandlerContext& ctx, const Request& req, Reply* reply);
Status HandleTemplateImport(const HandlerContext& ctx, const Request& req, Reply* reply);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_TEMPLATE_COMMANDS_H_
