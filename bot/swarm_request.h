// What SwarmRuntime sends to a Swarm manager and how it reads the answers,
// apart from the transport: the service spec a ContainerSpec becomes, the
// overlay network's body, the task states read as container states. Pure
// functions, unit-tested on their JSON (tests/unit/swarm_request_test.cc).
#ifndef SANDBOT_BOT_SWARM_REQUEST_H_
#define SANDBOT_BOT_SWARM_REQUEST_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "handlers/runtime.h"

namespace sandbot {

// How a service's port is published: on the routing mesh (every node
// answers on it; needs IPVS in the nodes' kernels) or on the node that runs
// the task (the manager sandbot talks to, see SwarmServiceBody).
enum class SwarmPublish { kIngress, kHost };

// "ingress" or "host"; InvalidArgument otherwise.
Status ParseSwarmPublish(const std::string& text, SwarmPublish* out);
const char* SwarmPublishName(SwarmPublish mode);

// Service label holding "CONTAINER_PORT:PUBLISHED_PORT": the port is
// published only while the service runs (a stopped service holds none, as
// a stopped container does), so Start puts it back from here.
inline constexpr char kSwarmPublishLabel[] = "sandbot.swarm.publish";

// Service label holding the container name the service stands for: Swarm
// names are DNS labels, so "sandbox-a-web.old" (a standby) is the service
// "sandbox-a-web--old" (SwarmServiceName).
inline constexpr char kSwarmNameLabel[] = "sandbot.swarm.name";
// The service name for container name `name`: each '.' becomes "--".
std::string SwarmServiceName(const std::string& name);

// A file mounted from the host that becomes a Swarm secret.
struct SwarmSecretRef {
  std::string id;
  std::string name;
  std::string target;  // absolute path in the container
};

// The manager's answer to GET /info, as far as SwarmRuntime needs it.
struct SwarmNode {
  std::string node_id;
  std::string state;     // Swarm.LocalNodeState: inactive, pending, active, error, locked
  bool manager = false;  // Swarm.ControlAvailable
  int nodes = 0;         // Swarm.Nodes
};
// Reads /info's Swarm section; Ok only for an active manager, else
// FailedPrecondition-like InvalidArgument saying what to do. `endpoint`
// names the engine in messages.
Status ReadSwarmNode(const nlohmann::json& info, const std::string& endpoint, SwarmNode* node);

// Splits `spec.binds` ("host:container[:ro]"): read-only binds of regular
// files (secrets, environment files) go to `files` (host path, target);
// everything else (folders: routes, the router's state) stays a bind mount.
void SplitBinds(const std::vector<std::string>& binds,
                std::vector<std::pair<std::string, std::string>>* files,
                std::vector<std::string>* folders);

// The body of POST /services/create for `spec`: one replicated service,
// created with 0 replicas (Start scales it to 1), on `spec.network` with
// `spec.aliases`, its files as `secrets`, its folders as bind mounts,
// limits as resource limits, no restart by Swarm (the reconciler restarts,
// as for containers), placed on `node_id` (the node whose disk holds the
// folders and whose engine holds the images sandbot built; empty: anywhere).
// Host mode resolves names by DNS round robin (no virtual IP: that needs
// IPVS); ingress mode keeps Swarm's virtual IP.
nlohmann::json SwarmServiceBody(const ContainerSpec& spec, SwarmPublish publish,
                                const std::string& node_id,
                                const std::vector<SwarmSecretRef>& secrets);
// The endpoint spec with the port of `labels`' kSwarmPublishLabel
// published (`running`) or none.
nlohmann::json SwarmEndpointSpec(const Labels& labels, SwarmPublish publish, bool running);
// POST /networks/create: an attachable overlay network in the swarm scope.
nlohmann::json OverlayNetworkBody(const std::string& name, const Labels& labels);
// POST /secrets/create.
nlohmann::json SecretCreateBody(const std::string& name, const std::string& data,
                                const Labels& labels);
// A stable name for a secret holding `data` at `target` ("sandbot-" and 24
// hex digits): the same file for the same target reuses one secret.
std::string SwarmSecretName(const std::string& target, const std::string& data);

// The service's state as a container's, from its spec's replica count and
// its tasks (GET /tasks for the service, any order): the newest task that
// should run tells running, status and exit code; failed tasks count as
// restarts. `exists` is left to the caller.
void ReadServiceState(const nlohmann::json& service, const nlohmann::json& tasks,
                      ContainerState* state);
// The replica count of a replicated service spec (0 when absent).
int64_t SwarmReplicas(const nlohmann::json& spec);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SWARM_REQUEST_H_
