#include "bot/guarded_runtime.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <thread>

namespace sandbot {

namespace {

std::string Clock(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace

GuardedRuntime::GuardedRuntime(ContainerRuntime* inner, EngineBreaker* breaker,
                               std::vector<std::chrono::milliseconds> backoff)
    : inner_(inner), breaker_(breaker), backoff_(std::move(backoff)) {}

template <typename Fn>
Status GuardedRuntime::Guard(Fn&& call) {
  if (breaker_->open()) {
    return Status::Unavailable("the Docker engine has been unreachable since " +
                               Clock(breaker_->open_since()) + " (" + breaker_->last_error() +
                               "); queued jobs resume when it answers");
  }
  Status s = call();
  for (size_t i = 0; s.IsUnavailable() && i < backoff_.size(); ++i) {
    spdlog::warn("engine call failed ({}); retry {} of {} in {} ms", s.message(), i + 1,
                 backoff_.size(), backoff_[i].count());
    std::this_thread::sleep_for(backoff_[i]);
    s = call();
  }
  if (s.IsUnavailable()) {
    breaker_->RecordFailure(s.message());
  } else {
    breaker_->RecordSuccess();  // any answer, even an error, means it is there
  }
  return s;
}

Status GuardedRuntime::Ping() {
  Status s = inner_->Ping();
  if (s.ok()) {
    breaker_->RecordSuccess();
  } else {
    breaker_->Trip(s.message());
  }
  return s;
}

Status GuardedRuntime::EnsureNetwork(const std::string& name, const Labels& labels) {
  return Guard([&] { return inner_->EnsureNetwork(name, labels); });
}
Status GuardedRuntime::RemoveNetwork(const std::string& name) {
  return Guard([&] { return inner_->RemoveNetwork(name); });
}
Status GuardedRuntime::ListNetworks(const Labels& labels, std::vector<NetworkInfo>* out) {
  return Guard([&] {
    out->clear();
    return inner_->ListNetworks(labels, out);
  });
}
Status GuardedRuntime::BuildImage(const std::string& context_tar, const std::string& tag,
                                  const LineSink& log) {
  return Guard([&] { return inner_->BuildImage(context_tar, tag, log); });
}
Status GuardedRuntime::BuildImageWith(const std::string& context_tar, const std::string& tag,
                                      const BuildOptions& options, const LineSink& log) {
  return Guard([&] { return inner_->BuildImageWith(context_tar, tag, options, log); });
}
Status GuardedRuntime::ImageExists(const std::string& ref, bool* exists) {
  return Guard([&] { return inner_->ImageExists(ref, exists); });
}
Status GuardedRuntime::LoadImage(const std::string& tar_path, const LineSink& log) {
  return Guard([&] { return inner_->LoadImage(tar_path, log); });
}
Status GuardedRuntime::ImportImage(const std::string& rootfs_tar_path, const std::string& repo_tag,
                                   const LineSink& log) {
  return Guard([&] { return inner_->ImportImage(rootfs_tar_path, repo_tag, log); });
}
Status GuardedRuntime::CreateContainer(const ContainerSpec& spec, std::string* id) {
  return Guard([&] { return inner_->CreateContainer(spec, id); });
}
Status GuardedRuntime::StartContainer(const std::string& id) {
  return Guard([&] { return inner_->StartContainer(id); });
}
Status GuardedRuntime::StopContainer(const std::string& id, int timeout_seconds) {
  return Guard([&] { return inner_->StopContainer(id, timeout_seconds); });
}
Status GuardedRuntime::RenameContainer(const std::string& name_or_id, const std::string& new_name) {
  return Guard([&] { return inner_->RenameContainer(name_or_id, new_name); });
}
Status GuardedRuntime::RemoveContainer(const std::string& name_or_id) {
  return Guard([&] { return inner_->RemoveContainer(name_or_id); });
}
Status GuardedRuntime::SignalContainer(const std::string& name_or_id, const std::string& signal) {
  return Guard([&] { return inner_->SignalContainer(name_or_id, signal); });
}

Status GuardedRuntime::InspectContainer(const std::string& name_or_id, ContainerState* state) {
  return Guard([&] { return inner_->InspectContainer(name_or_id, state); });
}
Status GuardedRuntime::WaitContainer(const std::string& name_or_id, int timeout_seconds,
                                     ContainerState* state) {
  return Guard([&] { return inner_->WaitContainer(name_or_id, timeout_seconds, state); });
}
Status GuardedRuntime::ContainerLogs(const std::string& name_or_id, int tail, std::string* out) {
  return Guard([&] {
    out->clear();
    return inner_->ContainerLogs(name_or_id, tail, out);
  });
}
Status GuardedRuntime::ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) {
  return Guard([&] {
    out->clear();
    return inner_->ListContainers(labels, out);
  });
}

Status GuardedRuntime::PutArchive(const std::string& id, const std::string& dir,
                                  const std::string& tar_path) {
  return Guard([&] { return inner_->PutArchive(id, dir, tar_path); });
}
Status GuardedRuntime::EnsureVolume(const std::string& name, const Labels& labels, bool* created) {
  return Guard([&] { return inner_->EnsureVolume(name, labels, created); });
}
Status GuardedRuntime::RemoveVolume(const std::string& name) {
  return Guard([&] { return inner_->RemoveVolume(name); });
}
Status GuardedRuntime::ListVolumes(const Labels& labels, std::vector<VolumeInfo>* out) {
  return Guard([&] {
    out->clear();
    return inner_->ListVolumes(labels, out);
  });
}

}  // namespace sandbot
