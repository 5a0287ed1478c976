// SwarmRuntime: ContainerRuntime over a Docker Swarm manager. A sandbox's
// "container" is a replicated Swarm service of the same name and labels
// (bot/swarm_request.h holds the spec it becomes), on an attachable overlay
// network `sandbox-{name}`:
//   create   a service with 0 replicas (its port not yet published)
//   start    1 replica with its port published; waits for the task to run
//   stop     0 replicas, no port (suspend); waits for the task to stop
//   rename   Swarm cannot rename: the name sandbot knows a service by is
//            a label (kSwarmNameLabel), changed without touching the task;
//            the Swarm name is the container's at create (with a suffix
//            while a renamed standby still holds it)
//   inspect  the newest task's state read as a container's
//   logs     the service's logs; signal: the task's container, on this node
// Files bind-mounted read-only (secrets, environment files) become Swarm
// secrets; folders stay bind mounts. Images, and the list of networks, are
// the manager engine's own, through DockerRuntime. Every service is placed
// on the manager sandbot talks to: the images it builds and the folders it
// mounts exist only there (see README "Docker Swarm").
//
// Thread-safety: every method may be called from several threads at once.
#ifndef SANDBOT_BOT_SWARM_RUNTIME_H_
#define SANDBOT_BOT_SWARM_RUNTIME_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/docker_runtime.h"
#include "bot/forwarding_runtime.h"
#include "bot/swarm_request.h"
#include "handlers/runtime.h"
#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace sandbot {

// Images, volumes, archives and network lists are the manager's own
// (ForwardingRuntime to its DockerRuntime: every task runs on the manager);
// containers and networks become services and overlay networks.
class SwarmRuntime : public ForwardingRuntime {
 public:
  SwarmRuntime(std::string endpoint, EngineTls tls, SwarmPublish publish);
  SwarmRuntime(const SwarmRuntime&) = delete;
  SwarmRuntime& operator=(const SwarmRuntime&) = delete;

  // GET /info: Ok for an active manager (its node id kept for placement),
  // else InvalidArgument saying what to do. The daemon calls it at start.
  Status CheckManager(SwarmNode* node = nullptr) EXCLUDES(mu_);
  DockerRuntime* docker() { return &docker_; }

  Status EnsureNetwork(const std::string& name, const Labels& labels) override;
  Status RemoveNetwork(const std::string& name) override;

  Status CreateContainer(const ContainerSpec& spec, std::string* id) override;
  Status StartContainer(const std::string& id) override;
  Status StopContainer(const std::string& id, int timeout_seconds) override;
  Status SignalContainer(const std::string& name_or_id, const std::string& signal) override;
  Status RenameContainer(const std::string& name_or_id, const std::string& new_name) override;
  Status RemoveContainer(const std::string& name_or_id) override;
  Status InspectContainer(const std::string& name_or_id, ContainerState* state) override;
  Status ContainerLogs(const std::string& name_or_id, int tail, std::string* out) override;
  Status ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) override;

 private:
  // The manager's node id, asking /info the first time.
  Status NodeId(std::string* id) EXCLUDES(mu_);
  // The service standing for container `name` (by its kSwarmNameLabel);
  // *found false when none.
  Status GetService(const std::string& name, nlohmann::json* service, bool* found);
  // GET /tasks of the service with id `service_id`.
  Status Tasks(const std::string& service_id, nlohmann::json* tasks);
  // POST /services/ID/update with `spec` at the service's version.
  Status UpdateService(const nlohmann::json& service, const nlohmann::json& spec);
  // Polls until the newest task that should run runs (Ok), failed, or
  // `seconds` passed (Unavailable naming its state and error).
  Status AwaitRunning(const std::string& name, const std::string& service_id, int seconds);
  // Polls until no task of the service is running or about to.
  Status AwaitStopped(const std::string& name, const std::string& service_id, int seconds);
  // Kills the service's task containers on the manager (docker stop's
  // SIGKILL after its timeout; a forced remove).
  void KillLocal(const std::string& service_id);
  // Polls until the manager holds no container of the service any more
  // (its network endpoints and published port are free then).
  Status AwaitGone(const std::string& service_id, int seconds);
  // Swarm secrets for the files of `spec` (created, or found by name).
  Status MakeSecrets(const ContainerSpec& spec, std::vector<SwarmSecretRef>* refs);
  // Removes the unused secrets of `sandbox` (those in use are refused by
  // the manager and kept).
  void PruneSecrets(const std::string& sandbox);

  DockerRuntime docker_;
  const SwarmPublish publish_;
  Mutex mu_;
  std::string node_id_ GUARDED_BY(mu_);
  Mutex network_mu_;  // serialises our network creates (see DockerRuntime)
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_SWARM_RUNTIME_H_
