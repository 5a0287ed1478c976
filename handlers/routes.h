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
  std::string target;  // where the route leads; "" when nothing to point at
  // With a sandbox router holding this service's name (RouteThroughRouter):
  // the port it listens on for it, and {SERVICE}_URL stays
  // http://{service}:{port} whatever the route. 0: no router.
  int router_port = 0;
  // The sandbox's gateway, its main URL published by the router: "main" in
  // routes.json (handlers/router_table.h).
  bool main = false;
};

std::vector<RouteEntry> ResolveRoutes(const Sandbox& sandbox,
                                      const std::map<std::string, std::string>& explicit_routes,
                                      const std::map<std::string, std::string>& baselines,
                                      const std::vector<Repo>& repos);

// With a router in the sandbox (bot/router_proxy.h): the services it holds
// are the HTTP ones, a repo with a health path or a service known only by
// its baseline URL. A repo without one (a database port) and a service of
// a compose file (`sandbox`'s service whose repo is another: the file gives
// ports, not protocols, so a PostgreSQL port looks like any other) keep
// being reached directly and rerouted by recreating. Sets router_port on
// the held ones.
void RouteThroughRouter(const Sandbox& sandbox, const std::vector<Repo>& repos,
                        std::vector<RouteEntry>* routes);
// The network aliases of a service's own container: its name, unless the
// router holds it, and "{service}.local", where the router reaches it.
std::vector<std::string> ServiceAliases(const std::string& service, bool held_by_router);

// "payment-api" → "PAYMENT_API_URL".
std::string RouteEnvName(const std::string& service);
// {SERVICE}_URL=target for every route with a target (the stable router
// URL for one the router holds).
std::vector<std::string> RouteEnv(const std::vector<RouteEntry>& routes);
// The same table as the JSON mounted at /etc/sandbot/routes.json:
// {"api": {"route": "sandbox", "url": "http://api:8080"}, …}, with "port"
// (router_port) on the services a router holds.
std::string RoutesJson(const std::vector<RouteEntry>& routes);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_ROUTES_H_
