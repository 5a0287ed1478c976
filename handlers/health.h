// Health roll-up: from what is known about each service — its deploy status,
// and what the health monitor (bot/health_monitor.h) last saw of its
// container and health endpoint — to Healthy / Degraded / Unhealthy per
// service and for the whole sandbox. Pure functions of store rows, so every
// status answer can show them without touching the engine.
//
// The rule, per service:
//   Unhealthy  the deploy failed, the service is stopped, or the monitor saw
//              its container missing or not running
//   Degraded   a deploy is under way (queued, building, starting), or the
//              container runs but its health endpoint did not answer below
//              400, the engine's own HEALTHCHECK says unhealthy, or it
//              restarted in the last 5 minutes
//   Healthy    running, and the last check (if any since it was deployed)
//              found nothing wrong
//   Suspended  the service is suspended
// A sandbox is Suspended when its state is 'suspended'; otherwise it is the
// worst of its services (a suspended service in an active sandbox counts as
// Degraded) and its router (serve --router: a router the monitor found not
// running makes the sandbox Degraded, the services behind it may still
// answer on their own names), and Healthy when it has none.
#ifndef SANDBOT_HANDLERS_HEALTH_H_
#define SANDBOT_HANDLERS_HEALTH_H_

#include <string>
#include <vector>

#include "store/sandboxes.h"

namespace sandbot {

enum class Health { kHealthy = 0, kDegraded = 1, kUnhealthy = 2, kSuspended = 3 };
const char* HealthName(Health health);  // "Healthy", "Degraded", "Unhealthy", "Suspended"

// What the monitor saw of one running service's container.
struct ProbeFacts {
  bool exists = true;
  bool running = true;
  std::string state;  // the engine's State.Status
  int exit_code = 0;
  std::string engine_health;  // State.Health.Status; "" without a HEALTHCHECK
  int restarts = 0;           // the engine's RestartCount
  bool restarted_recently = false;
  std::string health_path;  // the repo's health path; "": none to ask
  int endpoint_status = 0;  // HTTP status of GET health_path; 0: no answer
};

// The verdict stored in services.health: "healthy", "degraded: WHY" or
// "unhealthy: WHY".
std::string ProbeVerdict(const ProbeFacts& facts);

struct ServiceHealth {
  Health health = Health::kHealthy;
  std::string reason;  // why it is not Healthy; "" when it is
};

// From the service row: its status, and the stored verdict when it was taken
// after the row last changed (an older one is about a previous container).
ServiceHealth ServiceHealthOf(const Service& service);
// The sandbox's router: Healthy when it has none or the monitor's last
// verdict is healthy, else Degraded with the reason naming the router.
ServiceHealth RouterHealthOf(const Sandbox& sandbox);
// The sandbox's roll-up (see the rule above).
Health SandboxHealthOf(const Sandbox& sandbox);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_HEALTH_H_
