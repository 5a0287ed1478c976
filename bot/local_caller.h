// Who is on the other end of the local socket: taken from the socket's peer
// credentials (SO_PEERCRED, bot/local_server.h) or, for a spooled push, from
// the file's owner; never from a name the caller sends. The CLI is cli:UID
// with the OS user's name for display; a hook's push may name its pusher
// (GITEA_PUSHER_NAME, GL_USERNAME…) only when it runs as the configured git
// service account.
#ifndef SANDBOT_BOT_LOCAL_CALLER_H_
#define SANDBOT_BOT_LOCAL_CALLER_H_

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "bot/config.h"

namespace sandbot {

struct LocalCaller {
  std::string identity;  // cli:UID, or forge:NAME/LOGIN for a vouched pusher
  std::string name;      // for display: the OS user, or the login the git server named
  // "name (identity)", as handlers/dispatch.h ActorOf writes actors.
  std::string Actor() const;
};

// The OS user's name for `uid`; "uid N" when the host has none.
std::string UserNameOf(uid_t uid);

// The CLI's caller: cli:UID, named after the OS user.
LocalCaller CliCaller(uid_t uid);

// The role of a local uid: what the configuration grants cli:UID; else admin
// for root and for `daemon_uid` (the daemon's own user, so an operator can
// run `sandbot baseline set` on a fresh install); else the default role.
Role LocalRole(const Config& config, uid_t uid, uid_t daemon_uid);

// The pusher of a hook's push arriving from `peer_uid`. `variable` is the
// environment variable the hook read the name `claimed` from (empty: none).
// The name is believed only when the peer is the configured git service
// account and the variable is one a git server sets (GITEA_PUSHER_NAME,
// GL_USERNAME, REMOTE_USER, SANDBOT_PUSHER): then forge:NAME/LOGIN. Any
// other peer is itself (CliCaller).
LocalCaller PusherOf(const Config& config, uid_t peer_uid, const std::string& variable,
                     const std::string& claimed);

}  // namespace sandbot

#endif  // SANDBOT_BOT_LOCAL_CALLER_H_
