// JobSteps: what every kind of Deployer job shares: the job's events and
// its log file, the stop flag and the verdict on an engine failure (requeue
// or fail), and starting one service's container until it answers healthy.
// The job kinds themselves live in deploy_job.h, reroute_job.h and
// lifecycle_jobs.h; Deployer (deployer.h) picks one per job.
#ifndef SANDBOT_BOT_JOB_STEPS_H_
#define SANDBOT_BOT_JOB_STEPS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/compose_source.h"
#include "bot/event_hub.h"
#include "bot/sandbox_router.h"
#include "bot/volume_data.h"
#include "handlers/compose_plan.h"
#include "handlers/limits.h"
#include "handlers/runtime.h"
#include "store/db.h"
#include "store/jobs.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "util/engine_names.h"
#include "util/job_event.h"
#include "util/status.h"

namespace sandbot {

class SecretKeys;

struct DeployConfig {
  std::string data_dir;
  int port_lo = 9001;  // host ports handed to services
  int port_hi = 9999;
  std::string public_host = "127.0.0.1";  // host name in the URLs we answer with
  // Where the engine publishes service ports: its loopback, unless the
  // engine names a public host of its own that is not a loopback one (a
  // remote engine: its URLs must answer there; bot/engine_registry.cc).
  std::string publish_ip = "127.0.0.1";
  // The runtime of another engine by name, for volumes to copy from it (a
  // moved sandbox's, a clone's source's, a seed's; bot/volume_data.h);
  // null: one engine.
  std::function<ContainerRuntime*(const std::string& engine)> engine_runtime;
  std::string seeds_engine;  // where seeds live (the default engine); "": one engine
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
  // Every new sandbox gets a router (bot/sandbox_router.h) holding its
  // HTTP services' names; their routes change without recreates. On by
  // default in `serve` (--no-router), off on Swarm engines; off here so a
  // test's runtime needs no router image.
  bool router = false;
  // The engine runs routers (not a Swarm engine): a sandbox that has one
  // keeps it under --no-router too, so no name is split between its router
  // and a container deployed later.
  bool routers_here = false;
  std::string router_ca;  // serve --router-ca: the routers' extra CA file
  // Told after each line written to a job's log file: the dashboard's live
  // log (GET /ui/jobs/ID/events) wakes on it rather than polling. May be null.
  EventHub* log_written = nullptr;
};

// Records a step of a job for everyone following it (store, waiters, chat).
using JobEventFn = std::function<void(const JobEvent& event)>;

// The URL a service is reached at, http://{public_host}:{port}.
std::string ServiceUrl(const DeployConfig& config, int host_port);
// 127.0.0.1, ::1, [::1] and localhost (any case).
bool IsLoopbackHost(const std::string& host);
// Where health probes (deploy's wait, the health monitor) reach a service's
// published port: the engine's public host when ports are published beyond
// its loopback (a remote engine), else 127.0.0.1 (the engine is this host).
std::string ProbeHost(const DeployConfig& config);
// The create request for a service's container (pure; tested).
// `route_env` is the sandbox's {SERVICE}_URL table (handlers/routes.h).
ContainerSpec BuildServiceSpec(const Repo& repo, const Service& service, const std::string& sha,
                               const std::string& image, int host_port, const std::string& workdir,
                               const std::vector<std::string>& route_env);
// The last `n` lines of `text`.
std::string TailLines(const std::string& text, int n);

class JobSteps {
 public:
  JobSteps(Db* db, ContainerRuntime* runtime, DeployConfig config, JobEventFn on_event);

  Db* db() const { return db_; }
  ContainerRuntime* runtime() const { return runtime_; }
  const DeployConfig& config() const { return config_; }
  // DataLabel(config().data_dir), for the engine objects jobs create.
  const std::string& data_label() const { return data_label_; }

  // Running jobs stop at their next safe point (between stages, while
  // waiting for health) with an error; the WorkerPool requeues them.
  void RequestStop() { stop_ = true; }
  Status CheckStop() const;
  // True when `s` failed because the daemon is stopping or the engine is
  // unreachable: the job goes back to the queue rather than failing.
  bool Interrupted(const Status& s);

  // Records `event` of `job` (its job_id is filled in) and writes its line to
  // the job's log.
  void Event(const Job& job, JobEvent event);
  void AppendLog(const Job& job, const std::string& line);
  // The whole job log so far (empty when there is none).
  std::string ReadLog(const Job& job) const;

  // The sandbox's network (made when missing; StartService makes sure of it
  // too). Thread-safe: a deploy makes it while its image builds.
  Status EnsureSandboxNetwork(const std::string& sandbox);
  // (Re)creates one service's container from `image` and waits until it is
  // healthy; records the outcome on the service row.
  Status StartService(const Job& job, const Repo& repo, const Service& service,
                      const std::string& sha, const std::string& image, const std::string& workdir,
                      std::string* container_id);
  // Whether `sandbox` has a router: on an engine with config().routers_here,
  // a sandbox that got one (its router's state folder exists), or with
  // config().router one that has no container yet (deciding so makes that
  // folder: the answer sticks). A sandbox deployed without one keeps its
  // services' own names: a router holding them too would split each name
  // between two containers.
  bool UsesRouter(const Sandbox& sandbox) const;
  // The sandbox's route table as {SERVICE}_URL variables, and written to
  // routes.json in `routes_dir`, a folder holding only that file, mounted
  // read-only at /etc/sandbot: a running container sees each new table.
  // With config().router, *held (when given) gets the services the router
  // holds, *version the version of the table written, and *gateway the
  // main URL the router publishes (the sandbox's gateway when the router
  // holds it and its port is allocated).
  Status RouteEnvFor(const std::string& sandbox, std::vector<std::string>* env,
                     std::string* routes_dir, std::vector<std::string>* held = nullptr,
                     std::string* version = nullptr, RouterGateway* gateway = nullptr);
  // `host`: the Host header of the probe, "" for httplib's; through the
  // router's main URL "{service}.local", the new container itself whatever
  // the gateway's route (handlers/router_table.h).
  Status WaitHealthy(const Job& job, const Repo& repo, const std::string& container, int port,
                     const std::string& host = "");
  // WaitHealthy, or for a compose file's service WaitComposeReady with its
  // readiness (the file read again at the service's commit).
  Status WaitReady(const Job& job, const Repo& repo, const Service& service,
                   const std::string& container);
  // True for a compose file's one-shot job (another service waits for it to
  // complete with service_completed_successfully).
  bool ComposeJobDone(const Repo& repo, const Service& service, const std::string& sandbox);
  // A compose service's readiness (handlers/compose_plan.h): running, the
  // engine's health check healthy, or exited 0 for a one-shot job.
  Status WaitComposeReady(const std::string& container, ComposeReadiness readiness);
  // The compose file of `repo` at `sha` as `sandbox` reads it (kept per
  // commit); *out null when the commit has none. InvalidArgument with the
  // file's refusals.
  Status ComposeOf(const Repo& repo, const std::string& sha, const std::string& sandbox,
                   const std::string& branch, std::shared_ptr<const ComposeCommit>* out);
  // The container's last log lines; empty when they cannot be read.
  std::string LogTail(const std::string& container);
  // A request for the sandbox volume `volume` ("": the template's, which
  // fill it in) with this engine's data label, stop check, the other
  // engines to copy from and the spool folder (bot/volume_data.h).
  VolumeRequest NewVolumeRequest(const std::string& volume);
  // Records a service's new status. A failure is logged, not returned: for
  // fail paths, where the job's own error is the one to report.
  void NoteServiceStatus(const Service& service, ServiceStatus status, const std::string& detail);

 private:
  // Inspects a service's container into *current, after undoing a
  // replacement that was cut short (a container left under its standby
  // name, util/engine_names.h).
  Status RecoverStandby(const std::string& sandbox, const std::string& service,
                        ContainerState* current);
  // The new container could not be created or started: it goes, the
  // previous one (`old` as it was) gets its name back and runs again.
  Status PutBack(const Job& job, const Service& service, const ContainerState& old,
                 const Status& why);
  // A replacement that failed while the previous container runs: its
  // service row says running again; the job fails saying so.
  Status KeepRunning(const Job& job, const Service& service, const Status& why);

  Db* db_;
  ContainerRuntime* runtime_;
  std::atomic<bool> stop_{false};
  DeployConfig config_;
  JobEventFn on_event_;
  std::string data_label_;
  std::mutex compose_mu_;
  std::map<std::string, std::shared_ptr<const ComposeCommit>> compose_cache_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_JOB_STEPS_H_
