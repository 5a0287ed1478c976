// Docker Engine API version negotiation (PROTOCOLS §6.1): the engine's
// Api-Version header from GET /_ping, capped at the newest version this
// client speaks, and checked against the engine's minimum from GET /version,
// which also says whether the engine is Podman.
#ifndef SANDBOT_BOT_DOCKER_VERSION_H_
#define SANDBOT_BOT_DOCKER_VERSION_H_

#include <string>

#include "bot/docker_transport.h"
#include "util/status.h"

namespace sandbot {

// The newest API minor version this client speaks ("1.45").
inline constexpr int kClientMaxMinor = 45;

// "1.41" → 41; -1 when it is not "1.<number>".
int ApiMinor(const std::string& version);
// min(client maximum, `server`) as "1.NN"; the fallback when the engine did
// not send a usable Api-Version header.
std::string NegotiateApiVersion(const std::string& server);

// GET /_ping (unversioned). Ok when the engine answers 200, with
// *server_version set to its Api-Version header (maybe empty); Unavailable
// otherwise.
Status PingEngine(const DockerTransport& transport, std::string* server_version);
// What GET /version says of the engine.
struct EngineVersion {
  bool podman = false;  // Podman's Docker-compatible service (bot/podman_compat.h)
  std::string product;  // "Podman Engine 4.3.1", for logs; "" when not read
  std::string min_api;  // MinAPIVersion, "" when not said
};
// The parts of a GET /version body sandbot uses; empty when it is not JSON.
EngineVersion ParseEngineVersion(const std::string& body);
// GET /version (unversioned, best effort): *engine is left empty when the
// engine does not answer it.
void ReadEngineVersion(const DockerTransport& transport, EngineVersion* engine);
// Unavailable when the engine's minimum API is above `version`, since it
// would reject every call; Ok when it is not, or when it did not say.
Status CheckMinApiVersion(const std::string& endpoint, const EngineVersion& engine,
                          const std::string& version);

}  // namespace sandbot

#endif  // SANDBOT_BOT_DOCKER_VERSION_H_
