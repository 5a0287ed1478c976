// DockerRuntime: ContainerRuntime over the Docker Engine API (plain HTTP/1.1
// on a unix socket or a loopback TCP port). The API version is negotiated on
// first use (PROTOCOLS §6.1) and every path is prefixed with it. Also works
// against Podman's Docker-compatible service: detected then from GET
// /version, its differences read through bot/podman_compat.h.
//
// This file holds the endpoints: which request each method sends and what
// the answer means. The pieces they are made of live apart:
//   bot/docker_transport.h  one HTTP exchange over the socket
//   bot/docker_version.h    /_ping, /version, the version to speak
//   bot/docker_request.h    request bodies, paths, URL encoding
//   bot/docker_stream.h     progress streams and multiplexed logs
//   bot/docker_json.h       tolerant reading of the engine's JSON
//   bot/podman_compat.h     where Podman's answers differ from dockerd's
//   bot/image_ref.h         image name[:tag] grammar
//
// Thread-safety: every method may be called from several threads at once.
// Each call opens its own connection; the negotiated version is guarded by a
// mutex.
#ifndef SANDBOT_BOT_DOCKER_RUNTIME_H_
#define SANDBOT_BOT_DOCKER_RUNTIME_H_

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/docker_transport.h"
#include "handlers/runtime.h"
#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

namespace sandbot {

class DockerRuntime : public ContainerRuntime {
 public:
  // `endpoint`: see DockerTransport. An unsupported endpoint makes every call
  // fail with InvalidArgument.
  // `tls`: the client certificate and CA of a tcp:// engine (bot/engine_config.h).
  explicit DockerRuntime(std::string endpoint = kDefaultDockerEndpoint,
                         EngineTls tls = EngineTls());
  ~DockerRuntime() override = default;
  DockerRuntime(const DockerRuntime&) = delete;
  DockerRuntime& operator=(const DockerRuntime&) = delete;

  Status Ping() override EXCLUDES(mu_);

  Status EnsureNetwork(const std::string& name, const Labels& labels) override EXCLUDES(mu_);
  Status RemoveNetwork(const std::string& name) override EXCLUDES(mu_);
  Status ListNetworks(const Labels& labels, std::vector<NetworkInfo>* out) override EXCLUDES(mu_);

  Status BuildImage(const std::string& context_tar, const std::string& tag,
                    const LineSink& log) override EXCLUDES(mu_);
  Status BuildImageWith(const std::string& context_tar, const std::string& tag,
                        const BuildOptions& options, const LineSink& log) override EXCLUDES(mu_);
  Status ImageExists(const std::string& ref, bool* exists) override EXCLUDES(mu_);
  Status LoadImage(const std::string& tar_path, const LineSink& log) override EXCLUDES(mu_);
  Status ImportImage(const std::string& rootfs_tar_path, const std::string& repo_tag,
                     const LineSink& log) override EXCLUDES(mu_);

  Status CreateContainer(const ContainerSpec& spec, std::string* id) override EXCLUDES(mu_);
  Status StartContainer(const std::string& id) override EXCLUDES(mu_);
  Status StopContainer(const std::string& id, int timeout_seconds) override EXCLUDES(mu_);
  Status SignalContainer(const std::string& name_or_id, const std::string& signal) override
      EXCLUDES(mu_);
  Status RenameContainer(const std::string& name_or_id, const std::string& new_name) override
      EXCLUDES(mu_);
  Status RemoveContainer(const std::string& name_or_id) override EXCLUDES(mu_);
  Status InspectContainer(const std::string& name_or_id, ContainerState* state) override
      EXCLUDES(mu_);
  // The engine's POST /wait: answered the moment the process exits.
  Status WaitContainer(const std::string& name_or_id, int timeout_seconds,
                       ContainerState* state) override EXCLUDES(mu_);
  Status ContainerLogs(const std::string& name_or_id, int tail, std::string* out) override
      EXCLUDES(mu_);
  Status ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) override
      EXCLUDES(mu_);
  Status GetArchive(const std::string& id, const std::string& path,
                    const std::string& tar_path) override;
  Status PutArchive(const std::string& id, const std::string& dir,
                    const std::string& tar_path) override EXCLUDES(mu_);

  Status EnsureVolume(const std::string& name, const Labels& labels, bool* created) override
      EXCLUDES(mu_);
  Status RemoveVolume(const std::string& name) override EXCLUDES(mu_);
  Status ListVolumes(const Labels& labels, std::vector<VolumeInfo>* out) override EXCLUDES(mu_);

  // The negotiated API version ("1.41"), negotiating first if needed.
  Status ApiVersion(std::string* version) EXCLUDES(mu_);
  // Whether the engine is Podman (from GET /version), negotiating first if
  // needed; its answers are then read through bot/podman_compat.h.
  Status IsPodman(bool* podman) EXCLUDES(mu_);
  // What the engine said it is ("Docker Engine 20.10.24") at negotiation;
  // "" before, or when it did not say.
  std::string Product() EXCLUDES(mu_);
  const DockerTransport& transport() const { return transport_; }

  // The request path, for runtimes built on this one (bot/swarm_runtime.h):
  // the call sent under the negotiated version, then an answer whose status is not in `accept`
  // becomes the engine's error for `what` (404 NotFound, 409 Conflict, …).
  Status Exchange(DockerCall call, const std::string& what, std::initializer_list<int> accept,
                  DockerReply* reply) EXCLUDES(mu_);
  // Exchange, then the body parsed into *out (discarded when it is not
  // JSON). `status`, when given, receives the answer's status code.
  Status GetJson(DockerCall call, const std::string& what, std::initializer_list<int> accept,
                 nlohmann::json* out, int* status = nullptr) EXCLUDES(mu_);

  // In an `accept` list: any 2xx status.
  static constexpr int kAny2xx = 2;

 private:
  // GET /_ping; records the negotiated version on the first success.
  Status PingAndNegotiate() EXCLUDES(mu_);
  // Sends `call` under the negotiated version prefix. Fails only when no
  // HTTP answer came back; the caller judges the status code.
  Status SendVersioned(DockerCall call, DockerReply* reply) EXCLUDES(mu_);
  // Ids of the networks whose name is exactly `name` (there may be several).
  Status NetworkIdsNamed(const std::string& name, std::vector<std::string>* ids) EXCLUDES(mu_);
  // Runs a build/load/import request whose answer is a JSON progress stream.
  Status StreamingPost(DockerCall call, const std::string& what, const LineSink& log) EXCLUDES(mu_);

  const DockerTransport transport_;

  Mutex mu_;
  std::string api_version_ GUARDED_BY(mu_);  // empty until negotiated
  bool podman_ GUARDED_BY(mu_) = false;      // set when negotiated
  std::string product_ GUARDED_BY(mu_);      // set when negotiated
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_DOCKER_RUNTIME_H_
