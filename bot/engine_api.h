// The engines on the daemon's local socket, for `sandbot engine list |
// status NAME | drain NAME | undrain NAME` and `sandbot sandbox move`
// (bot/cli_engine.h):
//
//   GET  /v1/engines → {"engines":[{"name","url","tls","insecure","up",
//                       "error","version","containers","public_host",
//                       "ports","gateway_ports","tls_dir","breaker_open",
//                       "drained","sandboxes","default"}]}
//   POST /v1/engines/drain {"name", "drained": bool}  (admin)
//   POST /v1/sandboxes/move {"sandbox", "to"}          (admin)
//
// Each engine is asked afresh (a ping, its version, its running containers
// of this data folder), so the answer is what the engine says now, not what
// the breaker last saw. No secret is in it (the TLS folder's path, never
// its files). Drain and move are admin's: the socket's peer is judged as
// for every command (bot/local_caller.h), and both are audited.
#ifndef SANDBOT_BOT_ENGINE_API_H_
#define SANDBOT_BOT_ENGINE_API_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/config.h"
#include "bot/docker_runtime.h"
#include "bot/engine_breaker.h"
#include "bot/engine_config.h"
#include "bot/engine_registry.h"
#include "bot/event_hub.h"
#include "bot/local_server.h"
#include "store/db.h"

namespace sandbot {

struct EngineView {
  EngineSpec spec;
  DockerRuntime* docker = nullptr;  // talked to directly: a fresh answer
  EngineBreaker* breaker = nullptr;
};

// One engine's entry of GET /v1/engines.
nlohmann::json DescribeEngine(const EngineView& engine, const std::string& data_dir);

void RegisterEngineApi(LocalServer* server, Db* db, EngineRegistry* engines, const Config* config,
                       EventHub* hub);

}  // namespace sandbot

#endif  // SANDBOT_BOT_ENGINE_API_H_
