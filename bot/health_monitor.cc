#include "bot/health_monitor.h"

#include <httplib.h>

#include <set>
#include <vector>

#include "handlers/health.h"
#include "store/repos.h"
#include "store/sandboxes.h"

namespace sandbot {

namespace {

// How long a restart keeps a service Degraded.
constexpr std::chrono::minutes kRestartWindow(5);

}  // namespace

HealthMonitor::HealthMonitor(Db* db, ContainerRuntime* runtime, std::chrono::milliseconds timeout)
    : db_(db), runtime_(runtime), timeout_(timeout) {}

Status HealthMonitor::RunOnce(HealthReport* report) {
  std::vector<Service> services;
  std::vector<Repo> repos;
  Status s = ListRunningServices(db_, &services);
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
    ProbeFacts facts;
    facts.exists = state.exists;
    facts.running = state.running;
    facts.state = state.status;
    facts.exit_code = state.exit_code;
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
      httplib::Client client("127.0.0.1", svc.host_port);
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
