// Route resolution: for every known service (repos and configured
// baselines), where a sandbox's containers reach it. Pure.
//
//   sandbox   its own container, by network alias: http://{service}:{port}
//   baseline  the shared environment's URL from the configuration
//   URL       an explicit URL
// Without an explicit route, a service deployed in the sandbox is routed to
// `sandbox`, every other one to `baseline`.
#ifndef SANDBOT_HANDLERS_ROUTES_H_
#define SANDBOT_HANDLERS_ROUTES_H_

#include <map>
#include <string>
#include <vector>

#include "store/repos.h"
#include "store/sandboxes.h"

namespace sandbot {

struct RouteEntry {
  std::string service;
  std::string route;   // sandbox, baseline, or the URL
  std::string target;  // what {SERVICE}_URL holds; "" when nothing to point at
};

std::vector<RouteEntry> ResolveRoutes(const Sandbox& sandbox,
                                      const std::map<std::string, std::string>& explicit_routes,
                                      const std::map<std::string, std::string>& baselines,
                                      const std::vector<Repo>& repos);

// "payment-api" → "PAYMENT_API_URL".
std::string RouteEnvName(const std::string& service);
// {SERVICE}_URL=target for every route with a target.
std::vector<std::string> RouteEnv(const std::vector<RouteEntry>& routes);
// The same table as the JSON mounted at /etc/sandbot/routes.json:
// {"api": {"route": "sandbox", "url": "http://api:8080"}, …}
std::string RoutesJson(const std::vector<RouteEntry>& routes);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_ROUTES_H_
