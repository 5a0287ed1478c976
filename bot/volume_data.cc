#include "bot/volume_data.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <vector>

#include "store/seeds.h"
#include "store/templates.h"
#include "util/engine_names.h"

namespace sandbot {

namespace {

// A row whose volume is still to be made: a clone's copy, or a restore from
// a snapshot's copy.
bool Pending(const SandboxVolume& row) {
  return row.origin.rfind("clone-pending:", 0) == 0 || row.origin.rfind("seed-pending:", 0) == 0;
}

// A helper container over `binds`, created (not started).
Status CreateHelper(ContainerRuntime* runtime, const std::string& image, const std::string& to,
                    std::vector<std::string> cmd, std::vector<std::string> binds,
                    const Labels& labels, std::string* id) {
  ContainerSpec spec;
  spec.name = CopyContainerName(to);
  spec.image = image.empty() ? kDefaultHelperImage : image;
  spec.cmd = std::move(cmd);
  spec.binds = std::move(binds);
  spec.labels = labels;
  spec.labels[kLabelManaged] = "true";
  spec.labels[kLabelRole] = "copy";
  spec.network = "none";
  spec.user = "0:0";  // cp -a keeps owners: only root may give them
  Status s = runtime->CreateContainer(spec, id);
  if (!s.IsConflict()) return s;
  // A helper left by a daemon that stopped mid-copy (looked for only when
  // the name is taken: one engine call less on every copy).
  s = runtime->RemoveContainer(spec.name);
  if (s.ok()) s = runtime->CreateContainer(spec, id);
  return s;
}

// Fills the new volume of `row` for a sandbox on engine `here`.
Status Fill(ContainerRuntime* runtime, const std::string& image, const SandboxVolume& row,
            const VolumeRequest& req, const std::string& here, Db* db, const Labels& labels,
            std::string* origin) {
  const std::string& seed = req.seed;
  const StopCheck& stop = req.stop;
  if (row.origin.rfind(kMovePending, 0) == 0) {
    const std::string rest = row.origin.substr(sizeof(kMovePending) - 1);
    const size_t colon = rest.find(':');
    const std::string engine = rest.substr(0, colon);
    const std::string from = colon == std::string::npos ? "" : rest.substr(colon + 1);
    if (from.empty()) return Status::Internal("volume row origin '" + row.origin + "' is damaged");
    *origin = "engine:" + engine + ":" + from;
    return CopyVolumeFrom(runtime, req.engines, here, engine, image, from, row.engine_volume,
                          labels, stop, req.scratch_dir);
  }
  const std::string pending = "clone-pending:";
  if (row.origin.rfind(pending, 0) == 0) {
    // "clone-pending:VOLUME@ENGINE" (store/seeds.h); without "@ENGINE", one
    // engine's.
    std::string from = row.origin.substr(pending.size());
    const size_t at = from.find('@');
    const std::string holder = at == std::string::npos ? here : from.substr(at + 1);
    from = from.substr(0, at);
    *origin = "sandbox:" + from;
    return CopyVolumeFrom(runtime, req.engines, here, holder, image, from, row.engine_volume,
                          labels, stop, req.scratch_dir);
  }
  const std::string restore = "seed-pending:";
  // A snapshot's copy (`/sandbox restore`) over the file's or template's seed.
  const std::string from_seed =
      row.origin.rfind(restore, 0) == 0 ? row.origin.substr(restore.size()) : seed;
  if (from_seed.empty()) {
    *origin = "empty";
    return Status::Ok();
  }
  Seed s;
  Status st = GetSeed(db, from_seed, &s);
  if (!st.ok()) return st;
  if (s.volume.empty()) {
    return Status::Conflict("seed " + from_seed + " has no content yet (" + s.state +
                            (s.detail.empty() ? "" : ": " + s.detail) +
                            "); redeploy once `/seed show " + from_seed + "` says ready");
  }
  // The generation of the volume named, not of a refresh under way.
  std::string gen = s.volume.substr(s.volume.rfind('-') + 1);
  *origin = "seed:" + from_seed + "@" + gen;
  return CopyVolumeFrom(runtime, req.engines, here, req.seeds_engine,
                        image.empty() ? s.image : image, s.volume, row.engine_volume, labels, stop,
                        req.scratch_dir);
}

}  // namespace

Status CopyVolume(ContainerRuntime* runtime, const std::string& image, const std::string& from,
                  const std::string& to, const Labels& labels, const StopCheck& stop,
                  std::string* helper) {
  std::string id;
  Status s = CreateHelper(runtime, image, to, {"cp", "-a", "/from/.", "/to/"},
                          {from + ":/from:ro", to + ":/to"}, labels, &id);
  if (!s.ok()) return s;
  s = runtime->StartContainer(id);
  // The engine answers the wait when cp exits; every kWaitSliceSeconds the
  // stop check and the deadline get their turn.
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(kCopyTimeoutSeconds);
  ContainerState state;
  while (s.ok()) {
    s = runtime->WaitContainer(CopyContainerName(to), kWaitSliceSeconds, &state);
    if (!s.ok() || !state.exists || !state.running) break;
    if (stop) s = stop();
    if (s.ok() && std::chrono::steady_clock::now() > deadline) {
      s = Status::Internal("copying volume " + from + " into " + to + " took more than " +
                           std::to_string(kCopyTimeoutSeconds) + " s");
    }
  }
  if (s.ok() && !state.exists) s = Status::Internal("the copy helper of " + to + " vanished");
  const int code = state.exit_code;
  if (s.ok() && code != 0) {
    std::string logs;
    runtime->ContainerLogs(id, 5, &logs);
    s = Status::Internal("copying volume " + from + " into " + to + " failed (exit " +
                         std::to_string(code) + "): " + logs);
  }
  if (s.ok() && helper != nullptr) {
    *helper = id;  // the caller removes it once the copy is recorded
    return s;
  }
  RemoveHelper(runtime, id, to);
  return s;
}

void RemoveHelper(ContainerRuntime* runtime, const std::string& id, const std::string& to) {
  Status gone = runtime->RemoveContainer(id);
  if (!gone.ok())
    spdlog::warn("cannot remove helper {}: {}", CopyContainerName(to), gone.message());
}

Status CopyVolumeAcross(ContainerRuntime* source, ContainerRuntime* target,
                        const std::string& image, const std::string& from, const std::string& to,
                        const Labels& labels, const std::string& scratch_dir) {
  std::string dir = scratch_dir;
  if (dir.empty()) dir = std::filesystem::temp_directory_path().string();
  std::string path = dir + "/sandbot-move-XXXXXX";
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  const int fd = mkstemp(name.data());
  if (fd < 0) return Status::Internal("cannot make a spool file in " + dir);
  close(fd);
  path = name.data();
  std::string id;
  Status s = CreateHelper(source, image, to, {"true"}, {from + ":/from:ro"}, labels, &id);
  if (s.ok()) {
    // "/from/.": the volume's content, not the folder itself.
    s = source->GetArchive(id, "/from/.", path);
    Status gone = source->RemoveContainer(id);
    if (!gone.ok())
      spdlog::warn("cannot remove helper {}: {}", CopyContainerName(to), gone.message());
  }
  if (s.ok()) s = FillVolumeFromTar(target, image, path, to, labels);
  std::remove(path.c_str());
  return s.ok() ? s
                : (s.IsUnavailable() ? s
                                     : Status::Internal("copying volume " + from +
                                                        " across engines: " + s.message()));
}

Status FillVolumeFromTar(ContainerRuntime* runtime, const std::string& image,
                         const std::string& tar_path, const std::string& to, const Labels& labels) {
  std::string id;
  Status s = CreateHelper(runtime, image, to, {"true"}, {to + ":/to"}, labels, &id);
  if (!s.ok()) return s;
  s = runtime->PutArchive(id, "/to", tar_path);
  RemoveHelper(runtime, id, to);
  return s;
}

Status CopyVolumeFrom(ContainerRuntime* runtime, const EngineLookup& engines,
                      const std::string& here, const std::string& holder, const std::string& image,
                      const std::string& from, const std::string& to, const Labels& labels,
                      const StopCheck& stop, const std::string& scratch_dir, std::string* helper) {
  if (here.empty() || holder.empty() || here == holder) {
    return CopyVolume(runtime, image, from, to, labels, stop, helper);
  }
  ContainerRuntime* source = engines ? engines(holder) : nullptr;
  if (source == nullptr) {
    return Status::NotFound("volume " + from + " is on engine '" + holder +
                            "', which is not configured: configure it again to copy it");
  }
  return CopyVolumeAcross(source, runtime, image, from, to, labels, scratch_dir);
}

Status PrepareSandboxVolume(Db* db, ContainerRuntime* runtime, const Sandbox& sandbox,
                            const VolumeRequest& req, std::string* engine_volume) {
  SandboxVolume row;
  bool found = false;
  Status s = GetSandboxVolume(db, sandbox.id, req.volume, &row, &found);
  if (!s.ok()) return s;
  if (!found) row = {req.volume, SandboxVolumeName(sandbox.name, req.volume), "", 0};
  *engine_volume = row.engine_volume;
  Labels labels = {{kLabelManaged, "true"},
                   {kLabelSandbox, sandbox.name},
                   {kLabelVolume, req.volume},
                   {kLabelData, req.data_label}};
  bool created = false;
  s = runtime->EnsureVolume(row.engine_volume, labels, &created);
  if (!s.ok()) return s;
  const bool moved = row.origin.rfind(kMovePending, 0) == 0;
  if (moved && !created) {
    // Left here by an earlier stay on this engine: the data moved since.
    s = runtime->RemoveVolume(row.engine_volume);
    if (s.ok()) s = runtime->EnsureVolume(row.engine_volume, labels, &created);
    if (!s.ok()) return s;
  }
  const bool pending = moved || Pending(row);
  if (!created && found && !pending) return Status::Ok();  // its own (even renamed since)
  if (!created) {
    // Sandbox names may hold '-': "a-b"+"c" and "a"+"b-c" give one volume
    // name. A volume that is not this sandbox's is never shared.
    std::vector<VolumeInfo> mine;
    s = runtime->ListVolumes({{kLabelSandbox, sandbox.name}, {kLabelVolume, req.volume}}, &mine);
    if (!s.ok()) return s;
    bool ours = false;
    for (const VolumeInfo& v : mine) ours = ours || v.name == row.engine_volume;
    if (!ours) {
      return Status::Conflict("volume " + row.engine_volume + " exists and is not sandbox " +
                              sandbox.name + "'s volume " + req.volume +
                              "; rename the volume or the sandbox");
    }
    // Filled by a run cut short before its row was written: kept as is.
    row.origin = "existing";
    return PutSandboxVolume(db, sandbox.id, row);
  }
  std::string origin;
  const std::string here = sandbox.engine.empty() ? req.seeds_engine : sandbox.engine;
  s = Fill(runtime, req.helper_image, row, req, here, db, labels, &origin);
  if (!s.ok()) {
    Status gone = runtime->RemoveVolume(row.engine_volume);
    if (!gone.ok())
      spdlog::warn("cannot remove half-filled {}: {}", row.engine_volume, gone.message());
    return s;
  }
  row.origin = origin;
  return PutSandboxVolume(db, sandbox.id, row);
}

Status TemplateSeeds(Db* db, const Sandbox& sandbox, std::map<std::string, std::string>* seeds) {
  seeds->clear();
  if (sandbox.template_name.empty()) return Status::Ok();
  Template t;
  Status s = GetTemplate(db, sandbox.template_name, &t);
  if (s.IsNotFound()) return Status::Ok();
  if (!s.ok()) return s;
  for (const auto& [service, ts] : t.services) {
    for (const auto& [volume, tv] : ts.volumes) {
      if (!tv.seed.empty()) seeds->emplace(volume, tv.seed);
    }
  }
  return Status::Ok();
}

std::string ChooseVolumeSeed(const std::string& volume,
                             const std::map<std::string, std::string>& template_seeds,
                             const std::map<std::string, std::string>& file_seeds,
                             std::string* from) {
  auto t = template_seeds.find(volume);
  if (t != template_seeds.end() && !t->second.empty()) {
    *from = "template";
    return t->second;
  }
  auto f = file_seeds.find(volume);
  if (f != file_seeds.end() && !f->second.empty()) {
    *from = "compose file";
    return f->second;
  }
  from->clear();
  return "";
}

Status PrepareTemplateVolumes(Db* db, ContainerRuntime* runtime, const Sandbox& sandbox,
                              const std::string& service, const VolumeRequest& base,
                              std::vector<std::string>* binds) {
  if (sandbox.template_name.empty()) return Status::Ok();
  Template t;
  Status s = GetTemplate(db, sandbox.template_name, &t);
  if (s.IsNotFound()) return Status::Ok();  // deleted since: sandboxes keep what they have
  if (!s.ok()) return s;
  auto entry = t.services.find(service);
  if (entry == t.services.end()) return Status::Ok();
  for (const auto& [volume, tv] : entry->second.volumes) {
    std::string engine_volume;
    VolumeRequest req = base;
    req.volume = volume;
    req.seed = tv.seed;
    s = PrepareSandboxVolume(db, runtime, sandbox, req, &engine_volume);
    // Unavailable keeps its code: the job goes back to the queue.
    if (!s.ok())
      return s.IsUnavailable() ? s : Status::Internal("volume " + volume + ": " + s.message());
    binds->push_back(engine_volume + ":" + tv.target);
  }
  return Status::Ok();
}

Status RemoveSandboxVolumes(Db* db, ContainerRuntime* runtime, const Sandbox& sandbox,
                            const std::string& data_label, int* removed) {
  *removed = 0;
  std::set<std::string> names;
  std::vector<VolumeInfo> labelled;
  Status s = runtime->ListVolumes(
      {{kLabelManaged, "true"}, {kLabelSandbox, sandbox.name}, {kLabelData, data_label}},
      &labelled);
  if (!s.ok()) return s;
  for (const VolumeInfo& v : labelled) names.insert(v.name);
  std::vector<SandboxVolume> rows;
  s = ListSandboxVolumes(db, sandbox.id, &rows);
  if (!s.ok()) return s;
  for (const SandboxVolume& r : rows) {
    if (!Pending(r)) names.insert(r.engine_volume);
  }
  for (const std::string& name : names) {
    s = runtime->RemoveVolume(name);
    if (!s.ok()) return s;
    ++*removed;
  }
  return Status::Ok();
}

}  // namespace sandbot
