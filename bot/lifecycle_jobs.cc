#include "bot/lifecycle_jobs.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <string>
#include <vector>

#include "bot/secret_files.h"
#include "bot/volume_data.h"
#include "store/lifecycle.h"

namespace sandbot {

namespace fs = std::filesystem;

Status RunSuspend(JobSteps* steps, const Job& job) {
  Db* db = steps->db();
  ContainerRuntime* runtime = steps->runtime();
  Sandbox sandbox;
  Status s = GetSandbox(db, job.sandbox, &sandbox);
  if (!s.ok()) return s;
  steps->Event(job,
               MessageEvent(JobStage::kSuspending, "stopping the containers of " + job.sandbox));
  int stopped = 0;
  for (const Service& service : sandbox.services) {
    if (service.image.empty()) continue;  // never ran: its deploy waits for the resume
    const std::string name = ContainerName(job.sandbox, service.name);
    ContainerState state;
    s = runtime->InspectContainer(name, &state);
    if (s.ok() && state.running) {
      s = runtime->StopContainer(name, 5);
      if (s.ok()) ++stopped;
    }
    if (s.ok()) {
      s = SetServiceStatus(db, service.id, ServiceStatus::kSuspended,
                           "`/sandbox resume " + job.sandbox + "` starts it again");
    }
    if (!s.ok()) return s;
  }
  // A command marked it already; expiry too. Kept as is so suspended_at
  // (the retention clock) does not move.
  s = MarkSuspended(db, job.sandbox);
  if (!s.ok()) return s;
  steps->Event(job,
               MessageEvent(JobStage::kSuspended,
                            "sandbox " + job.sandbox + " suspended (" + std::to_string(stopped) +
                                " containers stopped; ports and configuration kept)"));
  return Status::Ok();
}

Status RunResume(JobSteps* steps, const Job& job) {
  Db* db = steps->db();
  ContainerRuntime* runtime = steps->runtime();
  const DeployConfig& config = steps->config();
  Sandbox sandbox;
  Status s = GetSandbox(db, job.sandbox, &sandbox);
  if (!s.ok()) return s;
  steps->Event(job, MessageEvent(JobStage::kResuming, "starting the containers of " + job.sandbox));
  std::string failures;
  int started = 0;
  for (const Service& service : sandbox.services) {
    if (service.image.empty() || service.commit.empty()) continue;  // never ran
    Repo repo;
    s = GetRepo(db, service.repo, &repo);
    if (!s.ok()) return s;
    const std::string name = ContainerName(job.sandbox, service.name);
    ContainerState state;
    s = runtime->InspectContainer(name, &state);
    if (!s.ok()) return s;
    if (!state.exists) {
      // Gone while suspended: recreate it from its image on its port.
      std::string workdir;
      if (!repo.image.empty() && service.image == repo.image) {
        workdir = CheckoutDir(config.data_dir, job.sandbox, repo.name, service.commit);
      }
      std::string container_id;
      s = steps->StartService(job, repo, service, service.commit, service.image, workdir,
                              &container_id);
    } else if (!state.running && state.exit_code == 0 &&
               steps->ComposeJobDone(repo, service, job.sandbox)) {
      // A compose file's one-shot job ran to completion: not run again.
      steps->NoteServiceStatus(service, ServiceStatus::kStopped, "completed (exit code 0)");
      continue;
    } else {
      s = SetServiceStatus(db, service.id, ServiceStatus::kStarting, "");
      if (s.ok()) s = state.running ? Status::Ok() : runtime->StartContainer(name);
      if (s.ok()) s = steps->WaitReady(job, repo, service, name);
      if (s.ok()) s = SetServiceStatus(db, service.id, ServiceStatus::kRunning, "");
      if (s.ok()) {
        steps->Event(job, ServiceRunning(service.name, service.url));
      } else if (!steps->Interrupted(s)) {
        steps->NoteServiceStatus(service, ServiceStatus::kFailed, s.message());
        steps->Event(job, ServiceFailed(service.name, s.message()));
      }
    }
    if (!s.ok() && steps->Interrupted(s)) return s;
    if (s.ok()) {
      ++started;
    } else {
      failures += (failures.empty() ? "" : "; ") + service.name + ": " + s.message();
    }
  }
  s = MarkResumed(db, job.sandbox);
  if (!s.ok()) return s;
  steps->Event(
      job, MessageEvent(JobStage::kResumed, "sandbox " + job.sandbox + " resumed (" +
                                                std::to_string(started) + " containers started)"));
  if (!failures.empty()) return Status::Internal("resumed, but " + failures);
  return Status::Ok();
}

Status RunDestroy(JobSteps* steps, const Job& job) {
  Db* db = steps->db();
  ContainerRuntime* runtime = steps->runtime();
  const DeployConfig& config = steps->config();
  steps->Event(job, MessageEvent(JobStage::kDestroying, "destroying sandbox " + job.sandbox));
  std::vector<ContainerInfo> containers;
  Status s =
      runtime->ListContainers({{kLabelManaged, "true"}, {kLabelSandbox, job.sandbox}}, &containers);
  if (!s.ok()) return s;
  for (const ContainerInfo& c : containers) {
    s = runtime->RemoveContainer(c.id);
    if (!s.ok()) return s;
  }
  s = runtime->RemoveNetwork(NetworkName(job.sandbox));
  if (!s.ok()) return s;
  // Its named volumes go with it (seeds keep theirs); a sandbox whose row is
  // already gone leaves only labelled ones to find.
  Sandbox sandbox;
  sandbox.name = job.sandbox;
  Status found = GetSandbox(db, job.sandbox, &sandbox);
  if (!found.ok() && !found.IsNotFound()) return found;
  int volumes = 0;
  s = RemoveSandboxVolumes(db, runtime, sandbox, steps->data_label(), &volumes);
  if (!s.ok()) return s;
  std::error_code ec;
  // Not a failure: the sandbox is gone from the engine; a folder left
  // behind only costs disk (a later sandbox of this name rewrites what it uses).
  fs::remove_all(WorkDir(config.data_dir, job.sandbox), ec);
  if (ec) spdlog::warn("destroy {}: cannot remove its work folder: {}", job.sandbox, ec.message());
  RemoveSandboxFiles(config.data_dir, job.sandbox);  // its secrets, on disk for the mounts
  s = DeleteSandbox(db, job.sandbox);
  if (!s.ok()) return s;
  steps->Event(job, MessageEvent(JobStage::kDestroyed,
                                 "sandbox " + job.sandbox + " destroyed (" +
                                     std::to_string(containers.size()) + " containers and " +
                                     std::to_string(volumes) + " volumes removed)"));
  return Status::Ok();
}

}  // namespace sandbot
