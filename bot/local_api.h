// The daemon's local API, served on the unix socket {data}/sandbot.sock to the
// git hook and the CLI (HTTP/1.1 + JSON):
//
//   POST /v1/push     a push (hooks/push_wire.h) → {"lines":[…],"jobs":[…],"wait":bool}
//                     answered only after its jobs and audit rows are committed
//   GET  /v1/events?jobs=1,2&after=N&wait_ms=M
//                     job events after event id N, long-polling up to M ms
//                     → {"events":[{"id","job","stage","service","commit","url",
//                                   "message"}],"done":bool} (hooks/event_wire.h)
//   POST /v1/command  {"family","text","user"} → {"ok","text","jobs":[…]}: a
//                     command of the shared grammar from the CLI
//   POST /v1/wake     work was queued by another process: look now
//   GET  /v1/ping     → {"version":…}
#ifndef SANDBOT_BOT_LOCAL_API_H_
#define SANDBOT_BOT_LOCAL_API_H_

#include <httplib.h>

#include "bot/config.h"
#include "bot/event_hub.h"
#include "handlers/runtime.h"
#include "store/db.h"
#include "store/secret_keys.h"

namespace sandbot {

// `secrets` seals and opens environment secrets (null: /env secrets refused).
void RegisterLocalApi(httplib::Server* server, Db* db, EventHub* hub, ContainerRuntime* runtime,
                      const Config* config, SecretKeys* secrets = nullptr);

}  // namespace sandbot

#endif  // SANDBOT_BOT_LOCAL_API_H_
