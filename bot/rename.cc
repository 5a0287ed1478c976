#include "bot/rename.h"

#include <filesystem>
#include <string>
#include <utility>

#include "store/sandboxes.h"

namespace sandbot {

namespace fs = std::filesystem;

Status MoveSandboxFolders(const std::string& data_dir, const std::string& from,
                          const std::string& to) {
  const std::pair<std::string, std::string> moves[] = {
      {WorkDir(data_dir, from), WorkDir(data_dir, to)},
      {SandboxSecretsDir(data_dir, from), SandboxSecretsDir(data_dir, to)}};
  for (const auto& [old_dir, new_dir] : moves) {
    const fs::path source = fs::absolute(old_dir), target = fs::absolute(new_dir);
    std::error_code ec;
    if (!fs::exists(source, ec)) continue;
    fs::remove_all(target, ec);  // a failure shows in the rename's error
    fs::rename(source, target, ec);
    if (ec) {
      return Status::Unavailable("cannot move " + source.string() + " to " + target.string() +
                                 ": " + ec.message());
    }
  }
  return Status::Ok();
}

Status RunRename(JobSteps* steps, const Job& job) {
  Db* db = steps->db();
  ContainerRuntime* runtime = steps->runtime();
  const DeployConfig& config = steps->config();
  const std::string& from = RenamedFrom(job);
  const std::string& to = job.sandbox;
  Sandbox sandbox;
  Status s = GetSandbox(db, to, &sandbox);
  if (!s.ok()) return s;
  steps->Event(job, MessageEvent(JobStage::kRenaming, "moving sandbox " + from + " to " + to));
  // Folders first: the new containers mount them.
  s = MoveSandboxFolders(config.data_dir, from, to);
  // The old containers hold the host ports the new ones take over.
  std::vector<ContainerInfo> old;
  if (s.ok()) {
    s = runtime->ListContainers(
        {{kLabelManaged, "true"}, {kLabelSandbox, from}, {kLabelData, steps->data_label()}}, &old);
  }
  for (const ContainerInfo& c : old) {
    if (s.ok()) s = runtime->RemoveContainer(c.id);
  }
  if (!s.ok()) return s;
  int moved = 0;
  std::string failures;
  for (const Service& service : sandbox.services) {
    if (service.image.empty() || service.commit.empty()) continue;  // never ran
    Repo repo;
    s = GetRepo(db, service.repo, &repo);
    if (!s.ok()) return s;
    std::string workdir;
    if (!repo.image.empty() && service.image == repo.image) {
      workdir = CheckoutDir(config.data_dir, to, repo.name, service.commit);
    }
    std::string container_id;
    s = steps->StartService(job, repo, service, service.commit, service.image, workdir,
                            &container_id);
    if (!s.ok() && steps->Interrupted(s)) return s;
    if (s.ok()) {
      ++moved;
    } else {
      failures += (failures.empty() ? "" : "; ") + service.name + ": " + s.message();
    }
  }
  s = runtime->RemoveNetwork(NetworkName(from));
  if (!s.ok()) return s;
  steps->Event(job,
               MessageEvent(JobStage::kRenamed,
                            "sandbox " + from + " is now " + to + " (" + std::to_string(moved) +
                                " containers recreated under the new name, same ports)"));
  if (!failures.empty()) return Status::Internal("renamed, but " + failures);
  return Status::Ok();
}

}  // namespace sandbot
