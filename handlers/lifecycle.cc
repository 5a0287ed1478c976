// TEMPORARY (being written): sandbox clone | suspend | resume | snapshot | restore | lock | unlock
#include "handlers/dispatch.h"
namespace sandbot {
Status HandleLifecycleCommand(const HandlerContext&, const Request& req, Reply*) {
  return Status::Unavailable("/sandbox " + req.command.verb + " is not built yet");
}
}  // namespace sandbot
