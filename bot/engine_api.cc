#include "bot/engine_api.h"

#include "util/engine_names.h"

namespace sandbot {

using nlohmann::json;

json DescribeEngine(const EngineView& e, const std::string& data_dir) {
  json j = {{"name", e.spec.name},           {"url", e.spec.url},
            {"tls", e.spec.Tls().enabled()}, {"tls_dir", e.spec.tls_dir},
            {"insecure", e.spec.insecure},   {"public_host", e.spec.public_host},
            {"ports", e.spec.ports},         {"gateway_ports", e.spec.gateway_ports}};
  Status s = e.docker->Ping();
  j["up"] = s.ok();
  j["error"] = s.ok() ? "" : s.message();
  j["version"] = s.ok() ? e.docker->Product() : "";
  int running = -1;
  if (s.ok()) {
    std::vector<ContainerInfo> containers;
    const Labels ours = {{kLabelManaged, "true"}, {kLabelData, DataLabel(data_dir)}};
    if (e.docker->ListContainers(ours, &containers).ok()) {
      running = 0;
      for (const ContainerInfo& c : containers) running += c.state == "running" ? 1 : 0;
    }
  }
  j["containers"] = running;  // -1: unknown
  j["breaker_open"] = e.breaker != nullptr && e.breaker->open();
  return j;
}

void RegisterEngineApi(LocalServer* server, std::vector<EngineView> engines,
                       const std::string& data_dir) {
  server->Get("/v1/engines",
              [engines, data_dir](const HttpRequest&, const PeerCredentials&, HttpResponse* res) {
                json list = json::array();
                for (const EngineView& e : engines) list.push_back(DescribeEngine(e, data_dir));
                res->status = 200;
                res->Set(json{{"engines", list}}.dump(), "application/json");
              });
}

}  // namespace sandbot
