// Sandboxes and their services, and the host ports the services hold.
#ifndef SANDBOT_STORE_SANDBOXES_H_
#define SANDBOT_STORE_SANDBOXES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/job_types.h"
#include "util/status.h"

namespace sandbot {

struct Service {
  int64_t id = 0;
  int64_t sandbox_id = 0;
  std::string sandbox;  // the sandbox's name, filled by the readers
  std::string name;
  std::string repo;
  std::string branch;
  std::string commit;
  ServiceStatus status = ServiceStatus::kQueued;
  std::string route = "sandbox";
  std::string container_id;
  std::string image;
  std::string url;     // where it answers, once deployed
  std::string detail;  // why it failed, or what it is waiting for
  int host_port = 0;   // 0 until a port is allocated
  int64_t updated_at = 0;
  int memory_mb = 0;  // limits for this service; 0: the sandbox's, else the configuration's
  double cpus = 0;
  // The health monitor's last verdict ("healthy", "degraded: …",
  // "unhealthy: …"; see handlers/health.h), the container's restart count,
  // and when it looked (0: never).
  std::string health;
  int restarts = 0;
  int64_t health_checked_at = 0;
};

struct Sandbox {
  int64_t id = 0;
  std::string name;
  std::string created_by;
  std::string origin_repo;  // set when a push of origin_branch created it
  std::string origin_branch;
  std::string state = "active";  // active, suspended, destroying
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string template_name;  // the template it was created from
  std::string gateway;        // the service whose URL is the sandbox's main URL
  std::string locked_by;      // "" when not locked: deploys wait in the queue
  int64_t locked_at = 0;
  std::string lock_reason;
  int64_t last_active_at = 0;  // last deploy or command; idle expiry counts from it
  int64_t suspended_at = 0;
  int memory_mb = 0;  // per-container limits; 0: the configuration's
  double cpus = 0;
  // The health monitor's last verdict on its router (serve --router), as
  // Service::health; "" when it has none to look at.
  std::string router_health;
  int64_t router_checked_at = 0;
  // The engine it lives on (bot/engine_registry.h); "": not placed yet (its
  // first job places it, store/engines.h).
  std::string engine;
  std::vector<Service> services;
};

// Inserts `sandbox` (without services) and fills its id; Conflict when taken.
Status CreateSandbox(Db* db, Sandbox* sandbox);
bool SandboxExists(Db* db, const std::string& name);
// The sandbox with its services (ordered by name); NotFound.
Status GetSandbox(Db* db, const std::string& name, Sandbox* sandbox);
Status ListSandboxes(Db* db, std::vector<Sandbox>* sandboxes);
// Every sandbox name, in order (for "did you mean").
Status ListSandboxNames(Db* db, std::vector<std::string>* names);
// Names of the sandboxes a push of repo/branch created.
Status FindSandboxesByOrigin(Db* db, const std::string& repo, const std::string& branch,
                             std::vector<std::string>* names);
// Services (with their sandbox names) that track repo at branch, in active
// and suspended sandboxes (a suspended one's deploy waits for its resume).
Status FindServicesTracking(Db* db, const std::string& repo, const std::string& branch,
                            std::vector<Service>* services);
Status SetSandboxState(Db* db, const std::string& name, const std::string& state);
// The service whose URL is the sandbox's main URL (a compose file's
// x-sandbot.gateway, when the sandbox has none).
Status SetSandboxGateway(Db* db, const std::string& name, const std::string& gateway);
// Gives sandbox `from` the name `to` wherever the store names it: the
// sandbox row, its jobs and deployments, channel defaults and users' last
// sandboxes (services, routes, environments and snapshots hold its id; the
// audit trail keeps the name things happened under). Conflict when `to` is
// taken, NotFound when `from` does not exist.
Status RenameSandbox(Db* db, const std::string& from, const std::string& to);
// Removes the sandbox, its services and their ports.
Status DeleteSandbox(Db* db, const std::string& name);

// Inserts the service, or updates branch/repo of the existing one with that
// name in that sandbox; fills service->id.
Status UpsertService(Db* db, int64_t sandbox_id, Service* service);
Status GetService(Db* db, const std::string& sandbox, const std::string& name, Service* service);
// The service named `name` among those `sandbox` was read with; null when it
// has none (also a compose service of one of its repos, by its own name).
const Service* FindService(const Sandbox& sandbox, const std::string& name);
Status SetServiceStatus(Db* db, int64_t service_id, ServiceStatus status,
                        const std::string& detail);
// Where the service's own {SERVICE}_URL points (sandbox, baseline or a URL).
Status SetServiceRoute(Db* db, int64_t service_id, const std::string& route);
// Records what is now running for the service.
Status SetServiceDeployed(Db* db, int64_t service_id, const std::string& commit,
                          const std::string& image, const std::string& container_id,
                          const std::string& url);

// The service's host port: the one it holds when that is in [lo, hi], else
// (releasing one outside) the lowest free port in [lo, hi]. Unavailable when
// the range is exhausted.
Status AllocatePort(Db* db, int64_t service_id, int lo, int hi, int* port);
// Every allocated port, ascending (for checks and the reconciler).
Status ListPorts(Db* db, std::vector<int>* ports);

// Services with a running container in active sandboxes (for the health
// monitor), with their sandbox names.
Status ListRunningServices(Db* db, std::vector<Service>* services);
// Records the health monitor's verdict on `seen` — unless the row changed
// since it was read (a redeploy replaced the container it looked at).
Status SetServiceHealth(Db* db, const Service& seen, const std::string& verdict, int restarts);
// Records the health monitor's verdict on the sandbox's router ("" clears it).
Status SetRouterHealth(Db* db, int64_t sandbox_id, const std::string& verdict);

}  // namespace sandbot

#endif  // SANDBOT_STORE_SANDBOXES_H_
