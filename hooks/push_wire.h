// The JSON form of a push, as the hook sends it to the daemon and as it is
// written to the spool when the daemon is down:
//   {"id":"…","repo":"web","actor":"ana","options":["sandbot.wait"],
//    "updates":[{"old":"000…","new":"3f2a…","ref":"refs/heads/feature/x"}]}
#ifndef SANDBOT_HOOKS_PUSH_WIRE_H_
#define SANDBOT_HOOKS_PUSH_WIRE_H_

#include <string>

#include "handlers/push.h"
#include "util/status.h"

namespace sandbot {

std::string EncodePush(const PushRequest& request);
// InvalidArgument for anything that is not a well-formed push.
Status DecodePush(const std::string& body, PushRequest* request);

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_PUSH_WIRE_H_
