// GuardedRuntime: a ContainerRuntime that wraps another with the engine's
// failure policy. A call that finds the engine unreachable (Unavailable) is
// retried with exponential backoff; what still fails counts against the
// EngineBreaker, and while the breaker is open calls fail at once with a
// message that says queued work resumes when the engine answers. Other
// errors (bad Dockerfile, name conflict) are the caller's and pass through.
//
// Thread-safety: as the wrapped runtime; the breaker is thread-safe.
#ifndef SANDBOT_BOT_GUARDED_RUNTIME_H_
#define SANDBOT_BOT_GUARDED_RUNTIME_H_

#include <chrono>
#include <vector>

#include "bot/engine_breaker.h"
#include "handlers/runtime.h"

namespace sandbot {

class GuardedRuntime : public ContainerRuntime {
 public:
  // `backoff`: the pause before each retry; its size is the number of retries.
  GuardedRuntime(ContainerRuntime* inner, EngineBreaker* breaker,
                 std::vector<std::chrono::milliseconds> backoff);

  bool Reachable() override { return !breaker_->open(); }
  // Passes straight through (no retry, no fast failure): the probe that
  // closes the breaker.
  Status Ping() override;

  Status EnsureNetwork(const std::string& name, const Labels& labels) override;
  Status RemoveNetwork(const std::string& name) override;
  Status ListNetworks(const Labels& labels, std::vector<NetworkInfo>* out) override;
  Status BuildImage(const std::string& context_tar, const std::string& tag,
                    const LineSink& log) override;
  Status BuildImageWith(const std::string& context_tar, const std::string& tag,
                        const BuildOptions& options, const LineSink& log) override;
  Status ImageExists(const std::string& ref, bool* exists) override;
  Status LoadImage(const std::string& tar_path, const LineSink& log) override;
  Status ImportImage(const std::string& rootfs_tar_path, const std::string& repo_tag,
                     const LineSink& log) override;
  Status CreateContainer(const ContainerSpec& spec, std::string* id) override;
  Status StartContainer(const std::string& id) override;
  Status StopContainer(const std::string& id, int timeout_seconds) override;
  Status SignalContainer(const std::string& name_or_id, const std::string& signal) override;
  Status RenameContainer(const std::string& name_or_id, const std::string& new_name) override;
  Status RemoveContainer(const std::string& name_or_id) override;
  Status InspectContainer(const std::string& name_or_id, ContainerState* state) override;
  Status WaitContainer(const std::string& name_or_id, int timeout_seconds,
                       ContainerState* state) override;
  Status ContainerLogs(const std::string& name_or_id, int tail, std::string* out) override;
  Status ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) override;
  Status PutArchive(const std::string& id, const std::string& dir,
                    const std::string& tar_path) override;
  Status EnsureVolume(const std::string& name, const Labels& labels, bool* created) override;
  Status RemoveVolume(const std::string& name) override;
  Status ListVolumes(const Labels& labels, std::vector<VolumeInfo>* out) override;

 private:
  template <typename Fn>
  Status Guard(Fn&& call);

  ContainerRuntime* inner_;
  EngineBreaker* breaker_;
  std::vector<std::chrono::milliseconds> backoff_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_GUARDED_RUNTIME_H_
