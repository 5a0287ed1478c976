#include "bot/seed_worker.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <vector>

#include "bot/volume_data.h"
#include "store/sandboxes.h"
#include "util/engine_names.h"

namespace sandbot {

bool CliUidOf(const std::string& actor, long* uid) {
  const std::string tag = "(cli:";
  size_t at = actor.rfind(tag);
  if (at == std::string::npos || actor.empty() || actor.back() != ')') return false;
  std::string digits = actor.substr(at + tag.size(), actor.size() - at - tag.size() - 1);
  if (digits.empty() || digits.size() > 10) return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  *uid = std::stol(digits);
  return true;
}

namespace {

// "SANDBOX SERVICE:VOLUME" → its parts.
bool SplitVolumeSource(const std::string& source, std::string* sandbox, std::string* volume) {
  size_t space = source.find(' ');
  size_t colon = source.find(':', space == std::string::npos ? 0 : space);
  if (space == std::string::npos || colon == std::string::npos) return false;
  *sandbox = source.substr(0, space);
  *volume = source.substr(colon + 1);
  return !sandbox->empty() && !volume->empty();
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

SeedWorker::SeedWorker(Db* db, ContainerRuntime* runtime, std::string data_label,
                       std::string helper_image, StopCheck stop)
    : db_(db),
      runtime_(runtime),
      data_label_(std::move(data_label)),
      helper_image_(std::move(helper_image)),
      stop_(std::move(stop)) {}

void SeedWorker::AcrossEngines(EngineLookup engines, std::string seeds_engine,
                               std::string scratch_dir) {
  engines_ = std::move(engines);
  seeds_engine_ = std::move(seeds_engine);
  scratch_dir_ = std::move(scratch_dir);
}

Status SeedWorker::CopySeed(const Seed& seed, std::string* detail, std::string* helper) {
  const std::string volume = SeedVolumeName(seed.name, seed.generation);
  const std::string image = !seed.image.empty() ? seed.image : helper_image_;
  Labels labels = {{kLabelManaged, "true"}, {kLabelSeed, seed.name}, {kLabelData, data_label_}};
  bool created = false;
  Status s = runtime_->EnsureVolume(volume, labels, &created);
  if (s.ok() && !created) {
    // Left by a pass cut short: start again from an empty volume.
    s = runtime_->RemoveVolume(volume);
    if (s.ok()) s = runtime_->EnsureVolume(volume, labels, &created);
  }
  if (!s.ok()) return s;
  if (seed.source_kind == kSeedFromVolume) {
    std::string sandbox_name, vol;
    if (!SplitVolumeSource(seed.source, &sandbox_name, &vol)) {
      s = Status::InvalidArgument("the seed's source '" + seed.source + "' is damaged");
    }
    Sandbox sandbox;
    if (s.ok()) s = GetSandbox(db_, sandbox_name, &sandbox);
    SandboxVolume row;
    bool found = false;
    if (s.ok()) s = GetSandboxVolume(db_, sandbox.id, vol, &row, &found);
    if (s.ok() && !found) {
      s = Status::NotFound("sandbox " + sandbox_name + " has no volume " + vol +
                           " (a volume exists once a service that mounts it was deployed)");
    }
    // The sandbox's engine holds its volume (none recorded: the default).
    if (s.ok()) {
      s = CopyVolumeFrom(runtime_, engines_, seeds_engine_,
                         sandbox.engine.empty() ? seeds_engine_ : sandbox.engine, image,
                         row.engine_volume, volume, labels, stop_, scratch_dir_, helper);
    }
    if (s.ok()) *detail = "copied from " + row.engine_volume;
  } else {
    long uid = -1;
    const bool from_cli = CliUidOf(seed.created_by, &uid);
    Fd fd(open(seed.source.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
    struct stat st {};
    if (!from_cli) {
      s = Status::Forbidden("a seed from a file can only be made from the CLI");
    } else if (fd.get() < 0) {
      s = Status::NotFound("cannot open " + seed.source + ": " + strerror(errno));
    } else if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      s = Status::InvalidArgument(seed.source + " is not a regular file");
    } else if (static_cast<long>(st.st_uid) != uid) {
      // Not "or the daemon's own user": that is the file the attack wants.
      s = Status::Forbidden(seed.source + " belongs to uid " + std::to_string(st.st_uid) +
                            ", not to the caller (uid " + std::to_string(uid) +
                            "): a seed reads only the caller's own files");
    }
    if (s.ok()) {
      s = FillVolumeFromTar(runtime_, image, "/proc/self/fd/" + std::to_string(fd.get()), volume,
                            labels);
    }
    if (s.ok()) *detail = std::to_string(st.st_size) + " bytes from " + seed.source;
  }
  if (!s.ok()) {
    Status gone = runtime_->RemoveVolume(volume);
    if (!gone.ok())
      spdlog::warn("seed {}: cannot remove {}: {}", seed.name, volume, gone.message());
  }
  return s;
}

Status SeedWorker::RunOnce(int* copied) {
  *copied = 0;
  // Scheduled refreshes that are due join the seeds waiting for a copy.
  std::vector<std::string> due;
  Status s = RequestDueSeedRefreshes(db_, NowMillis(), &due);
  if (!s.ok()) return s;
  for (const std::string& name : due) spdlog::info("seed {}: scheduled refresh", name);
  std::vector<Seed> waiting;
  s = ListCopyingSeeds(db_, &waiting);
  if (!s.ok()) return s;
  for (const Seed& seed : waiting) {
    std::string detail, helper;
    s = CopySeed(seed, &detail, &helper);
    // The engine is away, or the daemon stops: copied afresh on a later pass.
    if (s.IsUnavailable() || (stop_ && !stop_().ok())) return s;
    if (s.ok()) {
      s = FinishSeedCopy(db_, seed.name, seed.generation,
                         SeedVolumeName(seed.name, seed.generation), detail);
      if (s.ok()) {
        ++*copied;
        spdlog::info("seed {} generation {} ready ({})", seed.name, seed.generation, detail);
      }
      // Ready before its helper goes: removing it is the engine's own time.
      if (!helper.empty()) {
        RemoveHelper(runtime_, helper, SeedVolumeName(seed.name, seed.generation));
      }
    } else {
      spdlog::warn("seed {}: {}", seed.name, s.message());
      s = FailSeedCopy(db_, seed.name, s.message());
    }
    if (!s.ok()) return s;
  }
  if (*copied > 0) {
    int removed = 0;
    return Sweep(&removed);
  }
  return Status::Ok();
}

Status SeedWorker::Sweep(int* removed) {
  *removed = 0;
  std::vector<VolumeInfo> volumes;
  Status s = runtime_->ListVolumes({{kLabelManaged, "true"}, {kLabelData, data_label_}}, &volumes);
  if (!s.ok()) return s;
  std::vector<Seed> seeds;
  s = ListSeeds(db_, &seeds);
  if (!s.ok()) return s;
  std::map<std::string, const Seed*> by_name;
  for (const Seed& seed : seeds) by_name[seed.name] = &seed;
  for (const VolumeInfo& v : volumes) {
    auto label = v.labels.find(kLabelSeed);
    if (label == v.labels.end()) continue;
    auto it = by_name.find(label->second);
    bool keep = it != by_name.end() &&
                (v.name == it->second->volume ||
                 (it->second->state == "copying" &&
                  v.name == SeedVolumeName(it->second->name, it->second->generation)));
    if (keep) continue;
    s = runtime_->RemoveVolume(v.name);
    if (s.IsConflict()) continue;  // a sandbox's copy reads it now: next sweep
    if (!s.ok()) return s;
    ++*removed;
  }
  return Status::Ok();
}

}  // namespace sandbot
