// ForwardingRuntime: a ContainerRuntime that passes every call to an inner
// one, each through Around(). A runtime that changes a few calls derives
// from it and overrides only those (SwarmRuntime: containers as services;
// RoutedRuntime: calls sent to the engine that holds the container); one
// that wraps every call the same way overrides Around (GuardedRuntime: the
// breaker and retries). A method added to ContainerRuntime is added here
// once, and every such runtime forwards it.
//
// Thread-safety: as the inner runtime.
#ifndef SANDBOT_BOT_FORWARDING_RUNTIME_H_
#define SANDBOT_BOT_FORWARDING_RUNTIME_H_

#include <functional>
#include <string>
#include <vector>

#include "handlers/runtime.h"

namespace sandbot {

class ForwardingRuntime : public ContainerRuntime {
 public:
  explicit ForwardingRuntime(ContainerRuntime* inner) : inner_(inner) {}

  Status Ping() override {
    return Around([&] { return inner_->Ping(); });
  }
  bool Reachable() override { return inner_->Reachable(); }
  Status EnsureNetwork(const std::string& name, const Labels& labels) override {
    return Around([&] { return inner_->EnsureNetwork(name, labels); });
  }
  Status RemoveNetwork(const std::string& name) override {
    return Around([&] { return inner_->RemoveNetwork(name); });
  }
  Status ListNetworks(const Labels& labels, std::vector<NetworkInfo>* out) override {
    return Around([&] {
      out->clear();  // a retried call starts over
      return inner_->ListNetworks(labels, out);
    });
  }
  Status BuildImage(const std::string& context_tar, const std::string& tag,
                    const LineSink& log) override {
    return Around([&] { return inner_->BuildImage(context_tar, tag, log); });
  }
  Status BuildImageWith(const std::string& context_tar, const std::string& tag,
                        const BuildOptions& options, const LineSink& log) override {
    return Around([&] { return inner_->BuildImageWith(context_tar, tag, options, log); });
  }
  Status ImageExists(const std::string& ref, bool* exists) override {
    return Around([&] { return inner_->ImageExists(ref, exists); });
  }
  Status LoadImage(const std::string& tar_path, const LineSink& log) override {
    return Around([&] { return inner_->LoadImage(tar_path, log); });
  }
  Status ImportImage(const std::string& rootfs_tar_path, const std::string& repo_tag,
                     const LineSink& log) override {
    return Around([&] { return inner_->ImportImage(rootfs_tar_path, repo_tag, log); });
  }
  Status CreateContainer(const ContainerSpec& spec, std::string* id) override {
    return Around([&] { return inner_->CreateContainer(spec, id); });
  }
  Status StartContainer(const std::string& id) override {
    return Around([&] { return inner_->StartContainer(id); });
  }
  Status StopContainer(const std::string& id, int timeout_seconds) override {
    return Around([&] { return inner_->StopContainer(id, timeout_seconds); });
  }
  Status SignalContainer(const std::string& name_or_id, const std::string& signal) override {
    return Around([&] { return inner_->SignalContainer(name_or_id, signal); });
  }
  Status RenameContainer(const std::string& name_or_id, const std::string& new_name) override {
    return Around([&] { return inner_->RenameContainer(name_or_id, new_name); });
  }
  Status RemoveContainer(const std::string& name_or_id) override {
    return Around([&] { return inner_->RemoveContainer(name_or_id); });
  }
  Status InspectContainer(const std::string& name_or_id, ContainerState* state) override {
    return Around([&] { return inner_->InspectContainer(name_or_id, state); });
  }
  Status ContainerLogs(const std::string& name_or_id, int tail, std::string* out) override {
    return Around([&] {
      out->clear();
      return inner_->ContainerLogs(name_or_id, tail, out);
    });
  }
  Status ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) override {
    return Around([&] {
      out->clear();
      return inner_->ListContainers(labels, out);
    });
  }
  Status PutArchive(const std::string& id, const std::string& dir,
                    const std::string& tar_path) override {
    return Around([&] { return inner_->PutArchive(id, dir, tar_path); });
  }
  Status GetArchive(const std::string& id, const std::string& path,
                    const std::string& tar_path) override {
    return Around([&] { return inner_->GetArchive(id, path, tar_path); });
  }
  Status EnsureVolume(const std::string& name, const Labels& labels,
                      bool* created = nullptr) override {
    return Around([&] { return inner_->EnsureVolume(name, labels, created); });
  }
  Status RemoveVolume(const std::string& name) override {
    return Around([&] { return inner_->RemoveVolume(name); });
  }
  Status ListVolumes(const Labels& labels, std::vector<VolumeInfo>* out) override {
    return Around([&] {
      out->clear();
      return inner_->ListVolumes(labels, out);
    });
  }

 protected:
  // Runs one forwarded call; the default runs it as it is.
  virtual Status Around(const std::function<Status()>& call) { return call(); }
  ContainerRuntime* inner() const { return inner_; }

 private:
  ContainerRuntime* const inner_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORWARDING_RUNTIME_H_
