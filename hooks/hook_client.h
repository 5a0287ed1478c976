// The git side of a push, run by the hook that `sandbot repo add` installs
// (the small `sandbot-hook` binary, or `sandbot hook post-receive`: the same
// code). Hands the push to the daemon and prints what it says (git shows
// each line to the pusher as `remote: …`). When the daemon is down the push
// goes to the spool instead; it is never lost.
//
// Links only hooks/ and util/: the daemon is reached through its unix
// socket with hooks/unix_http.h, so the hook starts in a few milliseconds.
#ifndef SANDBOT_HOOKS_HOOK_CLIENT_H_
#define SANDBOT_HOOKS_HOOK_CLIENT_H_

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace sandbot {

struct HookRequest {
  std::string data_dir;
  std::string repo;
  std::string actor;
  std::string actor_variable;  // where `actor` came from (PushingUser)
  std::vector<std::string> push_options;
  std::string stdin_text;  // the ref lines
  int wait_timeout_seconds = 900;
};

// Returns the hook's exit code (git ignores it once refs are updated, but a
// non-zero code helps scripts and tests).
int RunPostReceive(const HookRequest& request, std::ostream& out);

// The post-receive hook as git runs it: the ref lines from `in`, the push
// options from the environment, the pusher from PushingUser().
int PostReceiveMain(const std::string& data_dir, const std::string& repo, std::istream& in,
                    std::ostream& out);

// Follows jobs through the daemon's event stream, printing each stage as a
// "sandbot: …" line, until all have ended or `timeout_seconds` pass. Returns
// whether every job succeeded.
bool FollowJobs(const std::string& data_dir, const std::vector<int64_t>& jobs, int timeout_seconds,
                std::ostream& out);

// The user the git server says is pushing, else the OS user; `variable`
// (optional) gets the environment variable that named it ("" for the OS
// user). Only a claim: the daemon takes the pusher from the socket's peer
// unless that is the git service account.
std::string PushingUser(std::string* variable = nullptr);

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_HOOK_CLIENT_H_
