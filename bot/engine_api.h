// The engines on the daemon's local socket, for `sandbot engine list` and
// `sandbot engine status NAME` (bot/cli_engine.h):
//
//   GET /v1/engines → {"engines":[{"name","url","tls","insecure","up",
//                      "error","version","containers","public_host",
//                      "ports","gateway_ports","tls_dir"}]}
//
// Each engine is asked afresh (a ping, its version, its running containers
// of this data folder), so the answer is what the engine says now, not what
// the breaker last saw. Read-only; no secret is in it (the TLS folder's
// path, never its files).
#ifndef SANDBOT_BOT_ENGINE_API_H_
#define SANDBOT_BOT_ENGINE_API_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/docker_runtime.h"
#include "bot/engine_breaker.h"
#include "bot/engine_config.h"
#include "bot/local_server.h"

namespace sandbot {

struct EngineView {
  EngineSpec spec;
  DockerRuntime* docker = nullptr;  // talked to directly: a fresh answer
  EngineBreaker* breaker = nullptr;
};

// One engine's entry of GET /v1/engines.
nlohmann::json DescribeEngine(const EngineView& engine, const std::string& data_dir);

void RegisterEngineApi(LocalServer* server, std::vector<EngineView> engines,
                       const std::string& data_dir);

}  // namespace sandbot

#endif  // SANDBOT_BOT_ENGINE_API_H_
