// The daemon's local API, served on the unix socket {data}/sandbot.sock to the
// git hook and the CLI (HTTP/1.1 + JSON):
//
//   POST /v1/push     a push (hooks/push_wire.h) → {"lines":[…],"jobs":[…],"wait":bool}
//                     answered only after its jobs and audit rows are committed
//   GET  /v1/events?jobs=1,2&after=N&wait_ms=M
//                     job events after event id N, long-polling up to M ms
//                     → {"events":[{"id","job","stage","service","commit","url",
//                                   "message"}],"done":bool} (hooks/event_wire.h)
//   POST /v1/command  {"family","text"} → {"ok","text","jobs":[…]}: a
//                     command of the shared grammar from the CLI
//
// The caller is the socket's peer (bot/local_server.h, SO_PEERCRED): the
// CLI is cli:UID with that identity's role (bot/local_caller.h), and a
// push's pusher is the peer unless the peer is the git service account.
// A user name in the body is ignored.
//   POST /v1/wake     work was queued by another process: look now
//   GET  /v1/ping     → {"version":…}
#ifndef SANDBOT_BOT_LOCAL_API_H_
#define SANDBOT_BOT_LOCAL_API_H_

#include "bot/config.h"
#include "bot/event_hub.h"
#include "bot/local_server.h"
#include "handlers/runtime.h"
#include "store/db.h"
#include "store/secret_keys.h"

namespace sandbot {

// `secrets` seals and opens environment secrets (null: /env secrets refused).
void RegisterLocalApi(LocalServer* server, Db* db, EventHub* hub, ContainerRuntime* runtime,
                      const Config* config, SecretKeys* secrets = nullptr);

}  // namespace sandbot

#endif  // SANDBOT_BOT_LOCAL_API_H_
