// The router of each sandbox (`serve --router`): one container,
// sandbox-{sandbox}.router, running `sandbot router` from the image
// `sandbot image build-router` makes, holding the network names of the
// sandbox's HTTP services (handlers/routes.h RouteThroughRouter). It reads
// the mounted routes folder and writes the version of the table it uses to
// RouterStateDir, which the daemon waits on after a route change.
#ifndef SANDBOT_BOT_SANDBOX_ROUTER_H_
#define SANDBOT_BOT_SANDBOX_ROUTER_H_

#include <string>
#include <vector>

#include "handlers/runtime.h"
#include "util/status.h"

namespace sandbot {

// Where the router reports the table in use, inside its container.
inline constexpr char kRouterAckFile[] = "/run/sandbot/table-version";
// The label listing the names a router holds, to know when it must be
// recreated with others.
inline constexpr char kLabelRouterNames[] = "sandbot.router-names";
// The operator's CA file the router trusts besides the system bundle
// (serve --router-ca), so a changed one recreates the router.
inline constexpr char kLabelRouterCa[] = "sandbot.router-ca";
// Where that file is mounted in the router.
inline constexpr char kRouterCaFile[] = "/etc/sandbot-ca.pem";
// The published main URL ("host port:router port") the router holds.
inline constexpr char kLabelRouterMain[] = "sandbot.router-main";

// The sandbox's main URL through its router: the gateway service (one the
// router holds) and the host port allocated to it, which the router's
// container publishes on `port`, where it listens for that service.
struct RouterGateway {
  std::string service;  // "": the main URL is not the router's
  int host_port = 0;
  int port = 0;
};

// The create request of a sandbox's router (pure; tested).
ContainerSpec RouterContainerSpec(const std::string& sandbox, const std::string& image,
                                  const std::vector<std::string>& held,
                                  const std::string& routes_dir, const std::string& state_dir,
                                  const std::string& data_label, const std::string& user,
                                  const std::string& ca_file = "",
                                  const RouterGateway& gateway = {});

// Starts the sandbox's router unless one runs with these names (and this
// CA file: serve --router-ca, "" for none) already; builds the router image
// on `runtime`'s engine when that engine does not have it (each engine is
// asked: several engines each need their own).
Status EnsureSandboxRouter(ContainerRuntime* runtime, const std::string& data_dir,
                           const std::string& data_label, const std::string& sandbox,
                           const std::vector<std::string>& held, const std::string& ca_file = "",
                           const RouterGateway& gateway = {});

// Waits until the router reports `version` (at most timeout_ms); *waited_ms
// says how long it took. Woken by inotify on the state folder (each wait
// bounded to 50 ms), polling every 2 ms where inotify is not to be had.
Status AwaitRouterTable(const std::string& data_dir, const std::string& sandbox,
                        const std::string& version, int timeout_ms, int* waited_ms);

// Waits until the router reports the table its routes folder holds now,
// whichever that is: a service about to start reaches the others through a
// router that has loaded the latest table (jobs starting services at once
// each write one, so no single version is the one to wait for).
Status AwaitRouterCurrentTable(const std::string& data_dir, const std::string& sandbox,
                               int timeout_ms, int* waited_ms);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SANDBOX_ROUTER_H_
