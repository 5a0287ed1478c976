// TEMPORARY (being written): /template
#include "handlers/dispatch.h"
namespace sandbot {
Status HandleTemplateCommand(const HandlerContext&, const Request& req, Reply*) {
  return Status::Unavailable("/template " + req.command.verb + " is not built yet");
}
}  // namespace sandbot
