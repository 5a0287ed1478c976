#include "bot/health_monitor.h"

#include <httplib.h>

#include <algorithm>
#include <set>
#include <vector>

#include "handlers/health.h"
#include "store/engines.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "util/engine_names.h"

namespace sandbot {

namespace {

// How long a restart keeps a service Degraded.
constexpr std::chrono::minutes kRestartWindow(5);

// What the engine says of a container, before any health request.
ProbeFacts FactsOf(const ContainerState& state) {
  ProbeFacts facts;
  facts.exists = state.exists;
  facts.running = state.running;
  facts.state = state.status;
  facts.exit_code = state.exit_code;
  return facts;
}

}  // namespace

HealthMonitor::HealthMonitor(Db* db, ContainerRuntime* runtime, std::chrono::milliseconds timeout,
                             std::string router_data_label)
    : db_(db),
      runtime_(runtime),
      timeout_(timeout),
      router_data_label_(std::move(router_data_label)) {}

// Every router of an active sandbox: running is healthy; stopped or exited
// (until the reconciler starts it) or gone after having been seen is a
// verdict on the sandbox row. A sandbox that never had one gets none.
Status HealthMonitor::CheckRouters(HealthReport* report) {
  std::vector<ContainerInfo> routers;
  std::vector<Sandbox> sandboxes;
  Status s = runtime_->ListContainers(
      {{kLabelManaged, "true"}, {kLabelData, router_data_label_}, {kLabelRole, "router"}},
      &routers);
  if (s.ok()) s = ListSandboxes(db_, &sandboxes);
  if (!s.ok()) return s;
  std::map<std::string, const ContainerInfo*> by_name;
  for (const ContainerInfo& c : routers) by_name[c.name] = &c;
  for (const Sandbox& sandbox : sandboxes) {
    if (sandbox.state != "active" || (owns_ && !owns_(sandbox.engine))) continue;
    auto found = by_name.find(RouterContainerName(sandbox.name));
    std::string verdict;
    if (found == by_name.end()) {
      if (sandbox.router_health.empty()) continue;
      ProbeFacts gone;
      gone.exists = false;
      verdict = ProbeVerdict(gone);
    } else {
      ContainerState state;
      s = runtime_->InspectContainer(found->second->name, &state);
      if (!s.ok()) return s;
      // Created, never started: a deploy is making it (beside the service's
      // container). Judged once it has run, or a verdict of "not running"
      // taken mid-deploy would leave the sandbox Degraded until next pass.
      if (state.status == "created") continue;
      verdict = ProbeVerdict(FactsOf(state));
    }
    s = SetRouterHealth(db_, sandbox.id, verdict);
    if (!s.ok()) return s;
    ++report->checked;
    if (verdict != "healthy") ++report->degraded;
  }
  return Status::Ok();
}

Status HealthMonitor::ServicesInScope(std::vector<Service>* services) {
  Status s = ListRunningServices(db_, services);
  if (!s.ok() || !owns_) return s;
  std::map<std::string, std::string> engines;
  s = ListSandboxEngines(db_, &engines);
  if (!s.ok()) return s;
  services->erase(std::remove_if(services->begin(), services->end(),
                                 [&](const Service& svc) { return !owns_(engines[svc.sandbox]); }),
                  services->end());
  return Status::Ok();
}

Status HealthMonitor::MarkEngineDown(const std::string& why, HealthReport* report) {
  std::vector<Service> services;
  Status s = ServicesInScope(&services);
  if (!s.ok()) return s;
  const std::string verdict = "unhealthy: " + why;
  for (const Service& svc : services) {
    if (svc.health == verdict) continue;
    s = SetServiceHealth(db_, svc, verdict, svc.restarts);
    if (!s.ok()) return s;
    ++report->checked;
    ++report->unhealthy;
  }
  return Status::Ok();
}

Status HealthMonitor::RunOnce(HealthReport* report) {
  // Routers first: a quick look each, before the services' health requests.
  if (!router_data_label_.empty()) {
    Status routers = CheckRouters(report);
    if (!routers.ok()) return routers;
  }
  std::vector<Service> services;
  std::vector<Repo> repos;
  Status s = ServicesInScope(&services);
  if (s.ok()) s = ListRepos(db_, &repos);
  if (!s.ok()) return s;
  std::map<std::string, std::string> health_paths;
  for (const Repo& r : repos) health_paths[r.name] = r.health;
  const auto now = std::chrono::steady_clock::now();
  std::set<std::string> seen;
  for (const Service& svc : services) {
    ContainerState state;
    s = runtime_->InspectContainer(svc.container_id, &state);
    if (!s.ok()) return s;
    ProbeFacts facts = FactsOf(state);
    facts.engine_health = state.health;
    facts.restarts = state.restart_count;
    seen.insert(svc.container_id);
    // A count above the one last seen (in memory, else on the row) is a restart.
    auto known = restarts_.find(svc.container_id);
    Restarts& r = restarts_[svc.container_id];
    const int before = known != restarts_.end()    ? r.count
                       : svc.health_checked_at > 0 ? svc.restarts
                                                   : state.restart_count;
    if (state.restart_count > before) {
      r.grew = true;
      r.grew_at = now;
    }
    r.count = state.restart_count;
    facts.restarted_recently = r.grew && now - r.grew_at < kRestartWindow;
    auto path = health_paths.find(svc.repo);
    if (state.running && path != health_paths.end() && !path->second.empty() && svc.host_port > 0) {
      facts.health_path = path->second;
      httplib::Client client(probe_host_, svc.host_port);
      // A gateway's port may be its router's main URL: this Host names the
      // service's own container there, whatever its route.
      if (!router_data_label_.empty()) client.set_default_headers({{"Host", svc.name + ".local"}});
      client.set_connection_timeout(timeout_);
      client.set_read_timeout(timeout_);
      auto res = client.Get(facts.health_path.c_str());
      facts.endpoint_status = res ? res->status : 0;
    }
    const std::string verdict = ProbeVerdict(facts);
    s = SetServiceHealth(db_, svc, verdict, state.restart_count);
    if (!s.ok()) return s;
    ++report->checked;
    if (verdict.rfind("unhealthy", 0) == 0) ++report->unhealthy;
    if (verdict.rfind("degraded", 0) == 0) ++report->degraded;
  }
  // Containers no longer running anything we watch.
  for (auto it = restarts_.begin(); it != restarts_.end();) {
    it = seen.count(it->first) ? std::next(it) : restarts_.erase(it);
  }
  return Status::Ok();
}

}  // namespace sandbot
