// TEMPORARY (being written): /env
#include "handlers/dispatch.h"
namespace sandbot {
Status HandleEnvCommand(const HandlerContext&, const Request& req, Reply*) {
  return Status::Unavailable("/env " + req.command.verb + " is not built yet");
}
}  // namespace sandbot
