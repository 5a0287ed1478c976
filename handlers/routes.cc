#include "handlers/routes.h"

#include <nlohmann/json.hpp>
#include <set>

namespace sandbot {

std::vector<RouteEntry> ResolveRoutes(const Sandbox& sandbox,
                                      const std::map<std::string, std::string>& explicit_routes,
                                      const std::map<std::string, std::string>& baselines,
                                      const std::vector<Repo>& repos) {
  std::map<std::string, int> ports;
  for (const Repo& r : repos) ports[r.name] = r.port;
  std::set<std::string> known;
  for (const Repo& r : repos) known.insert(r.name);
  for (const auto& b : baselines) known.insert(b.first);
  std::set<std::string> deployed;
  for (const Service& s : sandbox.services) {
    deployed.insert(s.name);
    known.insert(s.name);
  }

  std::vector<RouteEntry> out;
  for (const std::string& service : known) {
    RouteEntry e;
    e.service = service;
    auto it = explicit_routes.find(service);
    e.route = it != explicit_routes.end() ? it->second
                                          : (deployed.count(service) ? "sandbox" : "baseline");
    if (e.route == "sandbox") {
      auto port = ports.find(service);
      e.target =
          "http://" + service + ":" + std::to_string(port == ports.end() ? 8080 : port->second);
    } else if (e.route == "baseline") {
      auto base = baselines.find(service);
      e.target = base == baselines.end() ? "" : base->second;
    } else {
      e.target = e.route;
    }
    out.push_back(std::move(e));
  }
  return out;
}

void RouteThroughRouter(const Sandbox& sandbox, const std::vector<Repo>& repos,
                        std::vector<RouteEntry>* routes) {
  std::map<std::string, const Repo*> by_name;
  for (const Repo& r : repos) by_name[r.name] = &r;
  std::set<std::string> composed;
  for (const Service& s : sandbox.services) {
    if (!s.repo.empty() && s.repo != s.name) composed.insert(s.name);
  }
  for (RouteEntry& e : *routes) {
    auto repo = by_name.find(e.service);
    if (composed.count(e.service)) {
      continue;  // its protocol is unknown: reached directly
    } else if (repo == by_name.end()) {
      e.router_port = 8080;  // a baseline-only service: its URL is HTTP(S)
    } else if (!repo->second->health.empty()) {
      e.router_port = repo->second->port;
    }
  }
}

std::vector<std::string> ServiceAliases(const std::string& service, bool held_by_router) {
  if (held_by_router) return {service + ".local"};
  return {service, service + ".local"};
}

std::string RouteEnvName(const std::string& service) {
  std::string name;
  for (char c : service) {
    if (c >= 'a' && c <= 'z') {
      name.push_back(static_cast<char>(c - 'a' + 'A'));
    } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      name.push_back(c);
    } else {
      name.push_back('_');
    }
  }
  return name + "_URL";
}

std::vector<std::string> RouteEnv(const std::vector<RouteEntry>& routes) {
  std::vector<std::string> env;
  for (const RouteEntry& r : routes) {
    if (r.router_port > 0) {
      env.push_back(RouteEnvName(r.service) + "=http://" + r.service + ":" +
                    std::to_string(r.router_port));
    } else if (!r.target.empty()) {
      env.push_back(RouteEnvName(r.service) + "=" + r.target);
    }
  }
  return env;
}

std::string RoutesJson(const std::vector<RouteEntry>& routes) {
  nlohmann::json table = nlohmann::json::object();
  for (const RouteEntry& r : routes) {
    table[r.service] = {{"route", r.route}, {"url", r.target}};
    if (r.router_port > 0) table[r.service]["port"] = r.router_port;
    if (r.router_port > 0 && r.main) table[r.service]["main"] = true;
  }
  return table.dump(2) + "\n";
}

}  // namespace sandbot
