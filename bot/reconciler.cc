#include "bot/reconciler.h"

#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <utility>

#include "bot/deployer.h"
#include "bot/secret_files.h"
#include "store/audit.h"
#include "store/jobs.h"
#include "store/sandboxes.h"
#include "store/seeds.h"
#include "util/engine_names.h"

namespace sandbot {

namespace {

std::string LabelOf(const Labels& labels, const char* key) {
  auto found = labels.find(key);
  return found == labels.end() ? "" : found->second;
}

// The sandbox a network belongs to, from its label.
std::string SandboxOf(const NetworkInfo& network) {
  std::string sandbox = LabelOf(network.labels, kLabelSandbox);
  // Fallback for a network created without the label (none known: every
  // version so far set it): its name says the sandbox.
  if (sandbox.empty()) sandbox = SandboxOfNetworkName(network.name);
  return sandbox;
}

}  // namespace

Reconciler::Reconciler(Db* db, ContainerRuntime* runtime, std::string data_dir, int settle_ms)
    : db_(db),
      runtime_(runtime),
      data_dir_(std::move(data_dir)),
      data_label_(DataLabel(data_dir_)),
      settle_ms_(settle_ms) {}

void Reconciler::Audit(const std::string& action, const std::string& sandbox,
                       const std::string& service, const std::string& status,
                       const std::string& detail) {
  AuditRow row{};
  row.actor = "sandbot";
  row.source = "reconciler";
  row.action = action;
  row.sandbox = sandbox;
  row.repo = service;
  row.status = status;
  row.detail = detail;
  Status s = AppendAudit(db_, row);
  if (!s.ok()) spdlog::error("reconciler: cannot audit {}: {}", action, s.ToString());
  spdlog::warn("reconciler: {} {} {}: {}", action, sandbox, service, detail);
}

Status Reconciler::RunOnce(ReconcileReport* report) {
  *report = ReconcileReport();
  // Jobs are read before and after the engine and the store: a sandbox with
  // a job active at either moment is busy, so a container its job created
  // between two reads is never taken for an orphan or a vanished one.
  std::set<std::string> busy;
  auto add_busy = [&]() {
    for (JobState state : {JobState::kQueued, JobState::kRunning}) {
      std::vector<Job> jobs;
      Status s = ListJobs(db_, state, &jobs);
      if (!s.ok()) return s;
      for (const Job& j : jobs) {
        busy.insert(j.sandbox);
        if (j.kind == JobKind::kRename) busy.insert(j.branch);  // the name it moves away from
      }
    }
    return Status::Ok();
  };
  const Labels ours = {{kLabelManaged, "true"}, {kLabelData, data_label_}};
  std::vector<ContainerInfo> containers;
  std::vector<NetworkInfo> networks;
  std::vector<VolumeInfo> volumes;
  std::vector<Sandbox> sandboxes;
  std::set<std::string> volumes_in_store;
  Status s = add_busy();
  if (s.ok()) s = runtime_->ListContainers(ours, &containers);
  if (s.ok()) s = runtime_->ListNetworks(ours, &networks);
  if (s.ok()) s = runtime_->ListVolumes(ours, &volumes);
  if (s.ok()) s = ListSandboxes(db_, &sandboxes);
  if (s.ok()) s = ListEngineVolumesInStore(db_, &volumes_in_store);
  if (s.ok()) s = add_busy();
  if (!s.ok()) return s;
  // Services that changed a moment ago are settling; look next time.
  const int64_t settled_before = NowMillis() - settle_ms_;

  std::map<std::string, const ContainerInfo*> by_name;
  for (const ContainerInfo& c : containers) by_name[c.name] = &c;
  std::set<std::string> known_containers, known_networks, known_sandboxes, elsewhere;

  for (const Sandbox& sandbox : sandboxes) {
    known_sandboxes.insert(sandbox.name);
    if (owns_ && !owns_(sandbox.engine)) {
      elsewhere.insert(sandbox.name);
      continue;
    }
    known_networks.insert(NetworkName(sandbox.name));
    // Its router (serve --router): a killed one is started again, with
    // the table mounted as it is now.
    const std::string router = RouterContainerName(sandbox.name);
    known_containers.insert(router);
    auto found = by_name.find(router);
    if (found != by_name.end() && found->second->state != "running" && !busy.count(sandbox.name) &&
        sandbox.state == "active") {
      Status started = runtime_->StartContainer(found->second->id);
      Audit("reconcile.restarted", sandbox.name, "", started.ok() ? "succeeded" : "failed",
            "router " + router + " was " + found->second->state +
                (started.ok() ? "; started again" : "; cannot start it: " + started.message()));
      if (started.ok()) ++report->restarted;
    }
    for (const Service& service : sandbox.services) {
      const std::string name = ContainerName(sandbox.name, service.name);
      known_containers.insert(name);
      // A suspended sandbox's containers are stopped on purpose.
      if (busy.count(sandbox.name) || sandbox.state != "active" ||
          service.status != ServiceStatus::kRunning || service.updated_at > settled_before) {
        continue;
      }
      ++report->checked;
      auto it = by_name.find(name);
      if (it == by_name.end()) {
        // Vanished: record it and bring it back from its recorded commit.
        Transaction tx(db_);
        Job job;
        job.kind = JobKind::kDeploy;
        job.sandbox = sandbox.name;
        job.service = service.name;
        job.branch = service.branch;
        job.commit = service.commit;
        job.actor = "sandbot";
        job.source = "reconciler";
        s = tx.status();
        if (s.ok()) s = EnqueueJob(db_, &job);
        if (s.ok()) {
          s = SetServiceStatus(
              db_, service.id, ServiceStatus::kQueued,
              "container vanished; redeploying (job " + std::to_string(job.id) + ")");
        }
        if (s.ok()) s = tx.Commit();
        if (!s.ok()) return s;
        Audit("reconcile.vanished", sandbox.name, service.name, "repairing",
              "container " + name + " vanished; redeploying " + Short(service.commit) + " (job " +
                  std::to_string(job.id) + ")");
        ++report->vanished;
      } else if (it->second->state != "running") {
        Status started = runtime_->StartContainer(it->second->id);
        Audit("reconcile.restarted", sandbox.name, service.name,
              started.ok() ? "succeeded" : "failed",
              "container " + name + " was " + it->second->state +
                  (started.ok() ? "; started again" : "; cannot start it: " + started.message()));
        if (started.ok()) ++report->restarted;
      }
    }
  }

  for (const ContainerInfo& c : containers) {
    const std::string sandbox = LabelOf(c.labels, kLabelSandbox);
    if (known_containers.count(c.name) || busy.count(sandbox)) continue;
    // A copy helper at work (a seed's copy has no sandbox job); a stopped
    // one is left over and goes.
    if (LabelOf(c.labels, kLabelRole) == "copy" && c.state == "running") continue;
    Status removed = runtime_->RemoveContainer(c.id);
    Audit("reconcile.orphan_removed", sandbox, "", removed.ok() ? "succeeded" : "failed",
          "container " + c.name + " (" + c.state + ") is not in the store" +
              (removed.ok() ? "; removed" : "; cannot remove it: " + removed.message()));
    if (!removed.ok()) continue;
    ++report->orphans_removed;
    // Its secret files go with it: nothing in the store names them any more.
    auto service = c.labels.find(kLabelService);
    if (elsewhere.count(sandbox)) {
      // Its sandbox lives on another engine now: the files are its.
    } else if (!known_sandboxes.count(sandbox)) {
      RemoveSandboxFiles(data_dir_, sandbox);
    } else if (service != c.labels.end() &&
               !known_containers.count(ContainerName(sandbox, service->second))) {
      // Not while the service is in the store: a standby container (a
      // replacement cut short) is removed, the service's files stay.
      RemoveServiceFiles(data_dir_, sandbox, service->second);
    }
  }
  for (const NetworkInfo& network : networks) {
    const std::string sandbox = SandboxOf(network);
    if (known_networks.count(network.name) || busy.count(sandbox)) continue;
    Status removed = runtime_->RemoveNetwork(network.name);
    Audit("reconcile.network_removed", sandbox, "", removed.ok() ? "succeeded" : "failed",
          "network " + network.name + " is not in the store" +
              (removed.ok() ? "; removed" : "; cannot remove it: " + removed.message()));
    if (removed.ok()) ++report->networks_removed;
  }
  // A sandbox's volumes outlive nothing but a destroy cut short; seeds'
  // volumes are the seed worker's (bot/seed_worker.h).
  for (const VolumeInfo& volume : volumes) {
    const std::string sandbox = LabelOf(volume.labels, kLabelSandbox);
    if (sandbox.empty() || known_sandboxes.count(sandbox) || busy.count(sandbox) ||
        volumes_in_store.count(volume.name)) {
      continue;
    }
    Status removed = runtime_->RemoveVolume(volume.name);
    if (removed.IsConflict()) continue;  // still mounted: the container goes first
    Audit("reconcile.volume_removed", sandbox, "", removed.ok() ? "succeeded" : "failed",
          "volume " + volume.name + " is not in the store" +
              (removed.ok() ? "; removed" : "; cannot remove it: " + removed.message()));
    if (removed.ok()) ++report->volumes_removed;
  }
  return Status::Ok();
}

}  // namespace sandbot
