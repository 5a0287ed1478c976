#include "bot/docker_version.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "bot/docker_json.h"
#include "bot/podman_compat.h"

namespace sandbot {

using nlohmann::json;

namespace {

constexpr char kFallbackVersion[] = "1.41";  // when the engine sends no Api-Version

}  // namespace

int ApiMinor(const std::string& version) {
  if (version.size() < 3 || version.compare(0, 2, "1.") != 0 || version.size() > 6) return -1;
  std::string minor = version.substr(2);
  if (minor.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::atoi(minor.c_str());
}

std::string NegotiateApiVersion(const std::string& server) {
  int minor = ApiMinor(server);
  if (minor < 0) return kFallbackVersion;
  return "1." + std::to_string(std::min(minor, kClientMaxMinor));
}

Status PingEngine(const DockerTransport& transport, std::string* server_version) {
  server_version->clear();
  DockerCall call;
  call.path = "/_ping";
  DockerReply reply;
  Status s = transport.Send(call, &reply);
  if (!s.ok()) return s;
  if (reply.status != 200) {
    return Status::Unavailable("the Docker engine at " + transport.endpoint() +
                               " answered /_ping with HTTP " + std::to_string(reply.status) + ": " +
                               EngineErrorMessage(reply.body));
  }
  *server_version = reply.api_version;
  return Status::Ok();
}

EngineVersion ParseEngineVersion(const std::string& body) {
  EngineVersion engine;
  json v = json::parse(body, nullptr, false);
  if (!v.is_object()) return engine;
  engine.podman = IsPodmanVersion(v);
  engine.product = EngineProduct(v);
  engine.min_api = JsonString(v, "MinAPIVersion");
  return engine;
}

void ReadEngineVersion(const DockerTransport& transport, EngineVersion* engine) {
  *engine = EngineVersion();
  DockerCall call;
  call.path = "/version";
  DockerReply reply;
  // Best effort: an engine that cannot say what it is is taken for dockerd,
  // and the first real call will tell.
  if (!transport.Send(call, &reply).ok() || reply.status != 200) return;
  *engine = ParseEngineVersion(reply.body);
}

Status CheckMinApiVersion(const std::string& endpoint, const EngineVersion& engine,
                          const std::string& version) {
  if (ApiMinor(engine.min_api) > ApiMinor(version)) {
    return Status::Unavailable("the Docker engine at " + endpoint + " needs API " + engine.min_api +
                               " or newer, but sandbot speaks at most 1." +
                               std::to_string(kClientMaxMinor));
  }
  return Status::Ok();
}

}  // namespace sandbot
