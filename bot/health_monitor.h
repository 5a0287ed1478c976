// HealthMonitor: the facts behind every status answer's Healthy / Degraded /
// Unhealthy (handlers/health.h), gathered off the request path. The daemon
// runs it every --health-interval seconds: for each running service of an
// active sandbox it inspects the container (state, restart count, the
// engine's own health) and GETs the repo's health path on the published
// loopback port, then stores the verdict on the service row.
#ifndef SANDBOT_BOT_HEALTH_MONITOR_H_
#define SANDBOT_BOT_HEALTH_MONITOR_H_

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "handlers/runtime.h"
#include "store/db.h"
#include "store/sandboxes.h"
#include "util/status.h"

namespace sandbot {

struct HealthReport {
  int checked = 0;
  int unhealthy = 0;
  int degraded = 0;
};

class HealthMonitor {
 public:
  // `timeout` bounds each health request (connect and read).
  // With `router_data_label` (serve --router: the daemon's data label) it
  // also inspects each sandbox's router and stores that verdict on the
  // sandbox row.
  HealthMonitor(Db* db, ContainerRuntime* runtime,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(2000),
                std::string router_data_label = "");

  // One pass over every running service. Errors reading the store or the
  // engine end the pass; a service that does not answer is a verdict.
  Status RunOnce(HealthReport* report);
  // With several engines each has its monitor: only services of sandboxes
  // on an engine `owns` accepts (bot/reconciler.h has the same scope).
  void set_scope(std::function<bool(const std::string& engine)> owns) { owns_ = std::move(owns); }
  // Where services' published ports are probed (ProbeHost, bot/job_steps.h:
  // a remote engine's public host); 127.0.0.1 unless set.
  void set_probe_host(std::string host) { probe_host_ = std::move(host); }
  // The engine does not answer: every running service in scope is
  // recorded "unhealthy: `why`" (the next pass after it answers mends it).
  Status MarkEngineDown(const std::string& why, HealthReport* report);

 private:
  Status CheckRouters(HealthReport* report);

  Db* db_;
  ContainerRuntime* runtime_;
  std::chrono::milliseconds timeout_;
  std::string router_data_label_;
  std::function<bool(const std::string& engine)> owns_;
  std::string probe_host_ = "127.0.0.1";
  // The services of ListRunningServices in scope.
  Status ServicesInScope(std::vector<Service>* services);
  // By container id: the restart count last seen and when it last grew
  // (a restart makes a service Degraded for a while, not only for one pass).
  struct Restarts {
    int count = 0;
    std::chrono::steady_clock::time_point grew_at;
    bool grew = false;
  };
  std::map<std::string, Restarts> restarts_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_HEALTH_MONITOR_H_
