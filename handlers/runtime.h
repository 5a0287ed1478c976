// ContainerRuntime: everything sandbot asks of a container engine, as one
// interface. DockerRuntime (bot/docker_runtime.h) speaks the Docker Engine API
// over a unix socket; tests may substitute a recording fake. Handlers and
// workers depend only on this header.
//
// Thread-safety: implementations must allow concurrent calls from several
// worker threads.
#ifndef SANDBOT_HANDLERS_RUNTIME_H_
#define SANDBOT_HANDLERS_RUNTIME_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "util/status.h"

namespace sandbot {

using Labels = std::map<std::string, std::string>;
// Receives one line of engine output at a time (build steps, load progress).
using LineSink = std::function<void(const std::string& line)>;

// A named volume mounted into a container (Compose `volumes:` of type
// volume). `volume` is the engine's name, `sandbox-{sandbox}-{volume}`.
struct VolumeMount {
  std::string volume;
  std::string target;
  bool read_only = false;
};

// The engine's own health check (Docker's HealthConfig). Durations in
// nanoseconds; 0: the engine's default.
struct HealthCheck {
  std::vector<std::string> test;  // {"CMD", …}, {"CMD-SHELL", "…"} or {"NONE"}
  int64_t interval_ns = 0;
  int64_t timeout_ns = 0;
  int64_t start_period_ns = 0;
  int retries = 0;
};

// One more published or exposed port ("8080/tcp"); host_port 0: exposed on
// the sandbox's network only.
struct PortSpec {
  int container_port = 0;
  std::string protocol = "tcp";
  int host_port = 0;
  std::string host_ip = "127.0.0.1";
};

struct ContainerSpec {
  std::string name;              // sandbox-{sandbox}-{service}
  std::string image;             // tag or id
  std::vector<std::string> cmd;  // empty: the image's default command
  std::vector<std::string> env;  // "KEY=VALUE"
  Labels labels;
  std::string network;               // joined at create time
  std::vector<std::string> aliases;  // DNS names on `network`
  int container_port = 0;            // published when host_port > 0
  int host_port = 0;
  std::string host_ip = "127.0.0.1";
  std::vector<std::string> binds;  // "/abs/host:/ctr[:ro]"
  std::string working_dir;
  std::string user;          // "uid:gid"; "": the image's
  int64_t memory_bytes = 0;  // 0: unlimited
  int64_t nano_cpus = 0;     // 1e9 = one CPU; 0: unlimited
  // What Compose files add (bot/compose_deploy.h); the defaults keep the
  // single-service create request as it was.
  std::vector<std::string> entrypoint;  // empty: the image's
  bool entrypoint_set = false;          // `entrypoint: []` clears the image's
  bool cmd_set = false;                 // `command: []` clears the image's
  HealthCheck healthcheck;              // test empty: the image's own
  std::string restart = "no";           // no, always, on-failure[:N], unless-stopped
  std::vector<PortSpec> extra_ports;
  std::vector<VolumeMount> volume_mounts;
  // Labels a volume gets when the engine creates it on first mount.
  Labels volume_labels;
  std::vector<std::string> tmpfs;  // container paths
  int64_t pids_limit = 0;          // 0: unlimited
};

struct BuildOptions {
  std::string dockerfile;  // path inside the context; "": Dockerfile
  std::map<std::string, std::string> args;
  std::string target;  // multi-stage target; "": the last stage
  Labels labels;
};

struct ContainerInfo {
  std::string id;
  std::string name;   // without the leading '/'
  std::string state;  // created, running, exited, …
  std::string image;
  Labels labels;
};

struct NetworkInfo {
  std::string name;
  Labels labels;
};

struct VolumeInfo {
  std::string name;
  Labels labels;
};

struct ContainerState {
  bool exists = false;
  bool running = false;
  std::string status;  // engine's State.Status
  int exit_code = 0;
  int restart_count = 0;
  std::string health;  // State.Health.Status, empty when none
  std::string image;   // image id
};

class ContainerRuntime {
 public:
  virtual ~ContainerRuntime() = default;

  // Answers Ok when the engine responds; Unavailable with a message that says
  // how to start it otherwise.
  virtual Status Ping() = 0;
  // False while the engine is known to be unreachable (see GuardedRuntime):
  // callers answer "queued" at once instead of waiting on it.
  virtual bool Reachable() { return true; }

  // Creates the bridge network unless it exists.
  virtual Status EnsureNetwork(const std::string& name, const Labels& labels) = 0;
  // Removes the network; Ok when it does not exist.
  virtual Status RemoveNetwork(const std::string& name) = 0;
  // The networks carrying all of `labels`, each name once.
  virtual Status ListNetworks(const Labels& labels, std::vector<NetworkInfo>* out) = 0;

  // Builds `context_tar` (an uncompressed tar with a Dockerfile at its root)
  // into `tag` with the classic builder. Each output line goes to `log`. An
  // error reported in-band by the engine is returned as InvalidArgument with
  // the engine's message.
  virtual Status BuildImage(const std::string& context_tar, const std::string& tag,
                            const LineSink& log) = 0;
  // The same with a Dockerfile path, build args and a target stage
  // (Compose `build:`).
  virtual Status BuildImageWith(const std::string& context_tar, const std::string& tag,
                                const BuildOptions& options, const LineSink& log) = 0;
  virtual Status ImageExists(const std::string& ref, bool* exists) = 0;
  // `docker save` tarball from a file.
  virtual Status LoadImage(const std::string& tar_path, const LineSink& log) = 0;
  // Root filesystem tarball from a file, imported as `repo_tag` ("name:tag").
  virtual Status ImportImage(const std::string& rootfs_tar_path, const std::string& repo_tag,
                             const LineSink& log) = 0;

  virtual Status CreateContainer(const ContainerSpec& spec, std::string* id) = 0;
  virtual Status StartContainer(const std::string& id) = 0;
  virtual Status StopContainer(const std::string& id, int timeout_seconds) = 0;
  // Sends `signal` ("HUP", "USR1", …) to the container's main process.
  virtual Status SignalContainer(const std::string& name_or_id, const std::string& signal) = 0;
  // Gives a container a new name; it keeps running. NotFound when absent,
  // Conflict when the name is taken.
  virtual Status RenameContainer(const std::string& name_or_id, const std::string& new_name) = 0;
  // Force-removes the container with its anonymous volumes; Ok when absent.
  virtual Status RemoveContainer(const std::string& name_or_id) = 0;
  // Fills `state`; a missing container gives Ok with state->exists == false.
  virtual Status InspectContainer(const std::string& name_or_id, ContainerState* state) = 0;
  // Waits up to `timeout_seconds` for the container to stop running (it has
  // been started) and fills `state` as InspectContainer does: running still
  // true when the time ran out, exists false when it is gone. The engine's
  // own wait answers the moment the process exits; this default asks the
  // engine's state, often at first and then less often (at most 1/20 of the
  // time waited so far late), for engines without one.
  virtual Status WaitContainer(const std::string& name_or_id, int timeout_seconds,
                               ContainerState* state);
  // The last `tail` lines of stdout and stderr, demultiplexed, as text.
  virtual Status ContainerLogs(const std::string& name_or_id, int tail, std::string* out) = 0;
  // All containers (running or not) carrying all of `labels`.
  virtual Status ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) = 0;
  // Extracts the tar file at `tar_path` into the container's `dir` (its
  // mounted volumes included; the container need not run), streamed from
  // disk: the daemon never holds it whole.
  virtual Status PutArchive(const std::string& id, const std::string& dir,
                            const std::string& tar_path) = 0;
  // Writes the tar of `path` in the container (its mounted volumes
  // included; the container need not run) to the file `tar_path`, streamed
  // to disk as it arrives: the daemon never holds it whole.
  virtual Status GetArchive(const std::string& id, const std::string& path,
                            const std::string& tar_path) = 0;

  // Creates the local volume unless it exists; *created (when given) says
  // whether this call made it.
  virtual Status EnsureVolume(const std::string& name, const Labels& labels,
                              bool* created = nullptr) = 0;
  // Removes the volume; Ok when it does not exist. Conflict while a
  // container uses it.
  virtual Status RemoveVolume(const std::string& name) = 0;
  // The volumes carrying all of `labels`.
  virtual Status ListVolumes(const Labels& labels, std::vector<VolumeInfo>* out) = 0;
};

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_RUNTIME_H_
