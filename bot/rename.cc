#include "bot/rename.h"

#include <filesystem>

#include "bot/deployer.h"
#include "store/sandboxes.h"

namespace sandbot {

namespace fs = std::filesystem;

Status MoveSandboxFolders(const std::string& data_dir, const std::string& from,
                          const std::string& to) {
  for (const char* folder : {"work", "secrets"}) {
    const fs::path root = fs::absolute(fs::path(data_dir) / folder);
    std::error_code ec;
    if (!fs::exists(root / from, ec)) continue;
    fs::remove_all(root / to, ec);
    fs::rename(root / from, root / to, ec);
    if (ec) {
      return Status::Unavailable("cannot move " + (root / from).string() + " to " +
                                 (root / to).string() + ": " + ec.message());
    }
  }
  return Status::Ok();
}

Status Deployer::Rename(const Job& job) {
  const std::string& from = RenamedFrom(job);
  const std::string& to = job.sandbox;
  Sandbox sandbox;
  Status s = GetSandbox(db_, to, &sandbox);
  if (!s.ok()) return s;
  Event(job, MessageEvent(JobStage::kRenaming, "moving sandbox " + from + " to " + to));
  // Folders first: the new containers mount them.
  s = MoveSandboxFolders(config_.data_dir, from, to);
  // The old containers hold the host ports the new ones take over.
  std::vector<ContainerInfo> old;
  if (s.ok()) {
    s = runtime_->ListContainers(
        {{"sandbot.managed", "true"}, {"sandbot.sandbox", from}, {"sandbot.data", data_label_}},
        &old);
  }
  for (const ContainerInfo& c : old) {
    if (s.ok()) s = runtime_->RemoveContainer(c.id);
  }
  if (!s.ok()) return s;
  int moved = 0;
  std::string failures;
  for (const Service& service : sandbox.services) {
    if (service.image.empty() || service.commit.empty()) continue;  // never ran
    Repo repo;
    s = GetRepo(db_, service.repo, &repo);
    if (!s.ok()) return s;
    std::string workdir;
    if (!repo.image.empty() && service.image == repo.image) {
      workdir =
          config_.data_dir + "/work/" + to + "/" + repo.name + "-" + service.commit.substr(0, 12);
    }
    std::string container_id;
    s = StartService(job, repo, service, service.commit, service.image, workdir, &container_id);
    if (!s.ok() && Interrupted(s)) return s;
    if (s.ok()) {
      ++moved;
    } else {
      failures += (failures.empty() ? "" : "; ") + service.name + ": " + s.message();
    }
  }
  s = runtime_->RemoveNetwork(NetworkName(from));
  if (!s.ok()) return s;
  Event(job, MessageEvent(JobStage::kRenamed,
                          "sandbox " + from + " is now " + to + " (" + std::to_string(moved) +
                              " containers recreated under the new name, same ports)"));
  if (!failures.empty()) return Status::Internal("renamed, but " + failures);
  return Status::Ok();
}

}  // namespace sandbot
