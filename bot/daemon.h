// Daemon: `sandbot serve`. Owns the store, the runtime, the worker pool, the
// local API on {data}/sandbot.sock and the HTTP listener, and the spool
// ingester; runs until SIGTERM or SIGINT.
#ifndef SANDBOT_BOT_DAEMON_H_
#define SANDBOT_BOT_DAEMON_H_

#include "bot/config.h"

namespace sandbot {

// Returns the process exit code.
int RunDaemon(const Config& config);

}  // namespace sandbot

#endif  // SANDBOT_BOT_DAEMON_H_
