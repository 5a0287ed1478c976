#include "handlers/health.h"

#include <algorithm>

#include "util/engine_names.h"

namespace sandbot {

const char* HealthName(Health health) {
  switch (health) {
    case Health::kHealthy: return "Healthy";
    case Health::kDegraded: return "Degraded";
    case Health::kUnhealthy: return "Unhealthy";
    case Health::kSuspended: return "Suspended";
  }
  return "Unhealthy";
}

std::string ProbeVerdict(const ProbeFacts& f) {
  if (!f.exists) return "unhealthy: its container is gone";
  if (!f.running) {
    return "unhealthy: its container is " + (f.state.empty() ? "not running" : f.state) +
           " (exit code " + std::to_string(f.exit_code) + ")";
  }
  if (!f.health_path.empty() && (f.endpoint_status == 0 || f.endpoint_status >= 400)) {
    return "degraded: " + f.health_path +
           (f.endpoint_status == 0 ? " did not answer"
                                   : " answered " + std::to_string(f.endpoint_status));
  }
  if (f.engine_health == "unhealthy") return "degraded: the container's HEALTHCHECK fails";
  if (f.restarted_recently) {
    return "degraded: restarted recently (" + std::to_string(f.restarts) + " restarts)";
  }
  return "healthy";
}

ServiceHealth ServiceHealthOf(const Service& s) {
  if (s.status == ServiceStatus::kFailed) {
    return {Health::kUnhealthy, "deploy failed" + (s.detail.empty() ? "" : ": " + s.detail)};
  }
  if (s.status == ServiceStatus::kStopped) return {Health::kUnhealthy, "stopped"};
  if (s.status == ServiceStatus::kSuspended) return {Health::kSuspended, "suspended"};
  if (s.status != ServiceStatus::kRunning) {
    return {Health::kDegraded, "deploying (" + std::string(ServiceStatusName(s.status)) + ")"};
  }
  // A verdict taken before the row last changed is about an older container.
  if (s.health_checked_at == 0 || s.health_checked_at < s.updated_at) return {};
  const std::string& v = s.health;
  auto after_colon = [&v](size_t prefix) {
    return v.size() > prefix + 2 ? v.substr(prefix + 2) : std::string();
  };
  if (v.rfind("unhealthy", 0) == 0) return {Health::kUnhealthy, after_colon(9)};
  if (v.rfind("degraded", 0) == 0) return {Health::kDegraded, after_colon(8)};
  return {};
}

ServiceHealth RouterHealthOf(const Sandbox& sandbox) {
  const std::string& v = sandbox.router_health;
  if (v.empty() || v == "healthy") return {};
  const size_t colon = v.find(": ");
  return {Health::kDegraded, "router " + RouterContainerName(sandbox.name) + ": " +
                                 (colon == std::string::npos ? v : v.substr(colon + 2))};
}

Health SandboxHealthOf(const Sandbox& sandbox) {
  if (sandbox.state == "suspended") return Health::kSuspended;
  Health worst = RouterHealthOf(sandbox).health;
  for (const Service& s : sandbox.services) {
    Health h = ServiceHealthOf(s).health;
    if (h == Health::kSuspended) h = Health::kDegraded;
    worst = std::max(worst, h);
  }
  return worst;
}

}  // namespace sandbot
