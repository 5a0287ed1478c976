// Deployer: does the Docker work of one job — build or check out the pushed
// commit, (re)create the service's container on the sandbox network, wait
// until it answers on its health path — or tears a sandbox down. Runs on
// worker threads, never on a request path.
#ifndef SANDBOT_BOT_DEPLOYER_H_
#define SANDBOT_BOT_DEPLOYER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "handlers/limits.h"
#include "handlers/runtime.h"
#include "store/db.h"
#include "store/jobs.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "util/engine_names.h"  // the names of what a deploy creates
#include "util/status.h"

namespace sandbot {

class SecretKeys;

struct DeployConfig {
  std::string data_dir;
  int port_lo = 9001;  // host ports handed to services
  int port_hi = 9999;
  std::string public_host = "127.0.0.1";  // host name in the URLs we answer with
  int health_timeout_seconds = 60;
  int log_tail_lines = 15;   // container log lines shown when a deploy fails
  int64_t memory_bytes = 0;  // per-container limit; 0: none
  int64_t nano_cpus = 0;     // 1e9 = one CPU; 0: none
  int gateway_lo = 8080;     // host ports of gateway services (a sandbox's main URL)
  int gateway_hi = 8099;
  std::string domain;  // "": no Traefik labels
  // Per service name, from the configuration: above memory_bytes/nano_cpus,
  // below the sandbox's and the service row's own limits.
  std::map<std::string, LimitSource> service_limits;
  // Opens environment secrets for injection (store/secret_keys.h); null:
  // deploys of services with attached secrets fail saying so.
  const SecretKeys* secrets = nullptr;
};

// Records a step of a job for everyone following it (store, waiters, chat).
using JobEventFn = std::function<void(const JobEvent& event)>;

// The URL a service is reached at, http://{public_host}:{port}.
std::string ServiceUrl(const DeployConfig& config, int host_port);
// The create request for a service's container (pure; tested).
// `route_env` is the sandbox's {SERVICE}_URL table (handlers/routes.h).
ContainerSpec BuildServiceSpec(const Repo& repo, const Service& service, const std::string& sha,
                               const std::string& image, int host_port, const std::string& workdir,
                               const std::vector<std::string>& route_env);

class Deployer {
 public:
  Deployer(Db* db, ContainerRuntime* runtime, DeployConfig config, JobEventFn on_event);

  // Runs a claimed job to its end. Ok means succeeded; otherwise the Status
  // message says why it failed, for the job row and the audit trail.
  Status Run(const Job& job);
  // Running jobs stop at their next safe point (between stages, while
  // waiting for health) with an error; the WorkerPool requeues them.
  void RequestStop() { stop_ = true; }

 private:
  Status Deploy(const Job& job);
  Status Destroy(const Job& job);
  // Recreates the sandbox's containers from their current images with the
  // current route table: a route change without a rebuild. A running
  // container whose repo declares a reload signal gets the signal instead.
  Status Reroute(const Job& job);
  // Stops the sandbox's containers (kept, with their ports) and marks its
  // services suspended.
  Status Suspend(const Job& job);
  // Starts them again (recreating any that vanished), waits until each is
  // healthy, and makes the sandbox active.
  Status Resume(const Job& job);
  // Moves a renamed sandbox's containers, network and folders (bot/rename.cc).
  Status Rename(const Job& job);
  // (Re)creates one service's container from `image` and waits until it is
  // healthy; records the outcome on the service row.
  Status StartService(const Job& job, const Repo& repo, const Service& service,
                      const std::string& sha, const std::string& image, const std::string& workdir,
                      std::string* container_id);
  // The sandbox's route table as {SERVICE}_URL variables, and written to
  // routes.json in `routes_dir`, a folder holding only that file, mounted
  // read-only at /etc/sandbot: a running container sees each new table.
  Status RouteEnvFor(const std::string& sandbox, std::vector<std::string>* env,
                     std::string* routes_dir);
  // Image for the commit: built from its Dockerfile, or the repo's runtime
  // image with the commit checked out into `workdir`.
  Status PrepareImage(const Job& job, const Repo& repo, std::string* image, std::string* workdir);
  Status WaitHealthy(const Job& job, const Repo& repo, const std::string& container, int port);
  std::string LogTail(const std::string& container);
  // Records `event` of `job` (its job_id is filled in) and writes its line to
  // the job's log.
  void Event(const Job& job, JobEvent event);
  void AppendLog(const Job& job, const std::string& line);

  Status CheckStop() const;
  // True when `s` failed because the daemon is stopping or the engine is
  // unreachable: the job goes back to the queue rather than failing.
  bool Interrupted(const Status& s);

  Db* db_;
  ContainerRuntime* runtime_;
  std::atomic<bool> stop_{false};
  DeployConfig config_;
  JobEventFn on_event_;
  std::string data_label_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_DEPLOYER_H_
