// The JSON form of the local API's answer to GET /v1/events, as the daemon
// sends it and the hook (or the CLI) reads it:
//   {"events":[{"id":12,"job":7,"stage":"running","service":"web",
//               "commit":"3f2a…","url":"http://…","message":""}],"done":false}
#ifndef SANDBOT_HOOKS_EVENT_WIRE_H_
#define SANDBOT_HOOKS_EVENT_WIRE_H_

#include <string>
#include <vector>

#include "util/job_event.h"
#include "util/status.h"

namespace sandbot {

std::string EncodeEvents(const std::vector<JobEvent>& events, bool done);
// InvalidArgument for a body that is not such an answer (or names a stage
// this build does not know: the hook and the daemon are one release).
Status DecodeEvents(const std::string& body, std::vector<JobEvent>* events, bool* done);

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_EVENT_WIRE_H_
