#include "handlers/traefik.h"

namespace sandbot {

std::string TraefikHost(const std::string& sandbox, const std::string& service,
                        const std::string& domain) {
  return service + "." + sandbox + "." + domain;
}

Labels TraefikLabels(const std::string& sandbox, const std::string& service,
                     const std::string& domain, int container_port, const std::string& network) {
  if (domain.empty()) return {};
  // One router and one service per container: sandbox-service is unique on
  // the engine, like the container name.
  const std::string id = sandbox + "-" + service;
  return {
      {"traefik.enable", "true"},
      {"traefik.http.routers." + id + ".rule",
       "Host(`" + TraefikHost(sandbox, service, domain) + "`)"},
      {"traefik.http.services." + id + ".loadbalancer.server.port", std::to_string(container_port)},
      {"traefik.docker.network", network},
  };
}

Status ValidateDomain(const std::string& domain) {
  bool ok = !domain.empty() && domain.size() <= 200 && domain.front() != '.' &&
            domain.back() != '.' && domain.find("..") == std::string::npos;
  for (char c : domain) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + domain.substr(0, 80) +
                                 "' is not a domain like sandbox.example.com (lower-case letters, "
                                 "digits, '-' and '.')");
}

}  // namespace sandbot
