// A push as the hook hands it over, and its JSON form, as sent to the daemon
// and as written to the spool when the daemon is down:
//   {"id":"…","repo":"web","actor":"ana","actor_variable":"GITEA_PUSHER_NAME",
//    "options":["sandbot.wait"],
//    "updates":[{"old":"000…","new":"3f2a…","ref":"refs/heads/feature/x"}]}
// This file is the one place ref updates turn into JSON and back.
#ifndef SANDBOT_HOOKS_PUSH_WIRE_H_
#define SANDBOT_HOOKS_PUSH_WIRE_H_

#include <string>
#include <vector>

#include "hooks/ref_update.h"
#include "util/status.h"

namespace sandbot {

struct PushMessage {
  std::string id;  // unique per push (made by the hook): applied at most once
  std::string repo;
  // Who the hook says pushed, and the variable it read that from ("": the
  // hook's OS user). A claim: the daemon believes it only from the git
  // service account (bot/local_caller.h), and otherwise replaces it.
  std::string actor;
  std::string actor_variable;
  std::vector<std::string> options;  // git push -o …
  std::vector<RefUpdate> updates;
};

std::string EncodePush(const PushMessage& push);
// InvalidArgument for anything that is not a well-formed push; every update
// passes ValidateRefUpdate, as the hook's stdin lines do.
Status DecodePush(const std::string& body, PushMessage* push);

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_PUSH_WIRE_H_
