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
    if (!r.target.empty()) env.push_back(RouteEnvName(r.service) + "=" + r.target);
  }
  return env;
}

std::string RoutesJson(const std::vector<RouteEntry>& routes) {
  nlohmann::json table = nlohmann::json::object();
  for (const RouteEntry& r : routes) table[r.service] = {{"route", r.route}, {"url", r.target}};
  return table.dump(2) + "\n";
}

}  // namespace sandbot
