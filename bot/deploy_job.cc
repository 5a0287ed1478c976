#include "bot/deploy_job.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <future>
#include <memory>

#include "bot/compose_deploy.h"
#include "bot/failpoint.h"
#include "bot/forge_mirror.h"
#include "hooks/git_repo.h"
#include "store/forges.h"
#include "store/lifecycle.h"

namespace sandbot {

namespace fs = std::filesystem;

namespace {

// Image for the commit: built from its Dockerfile, or the repo's runtime
// image with the commit checked out into `workdir`.
Status PrepareImage(JobSteps* steps, const Job& job, const Repo& repo, std::string* image,
                    std::string* workdir) {
  std::unique_ptr<GitRepo> git;
  Status s = GitRepo::Open(repo.path, &git);
  if (!s.ok()) return s;
  bool has_dockerfile = false;
  s = git->HasFile(job.commit, "Dockerfile", &has_dockerfile);
  if (!s.ok()) return s;
  if (has_dockerfile) {
    *image = ImageTag(repo.name, job.commit);
    bool exists = false;
    s = steps->runtime()->ImageExists(*image, &exists);
    if (!s.ok()) return s;
    if (exists) {
      steps->AppendLog(job, "image " + *image + " already built");
      return Status::Ok();
    }
    std::string context;
    s = git->ExportTar(job.commit, &context);
    if (!s.ok()) return s;
    return steps->runtime()->BuildImage(
        context, *image, [&](const std::string& line) { steps->AppendLog(job, line); });
  }
  if (repo.image.empty()) {
    return Status::InvalidArgument("commit " + Short(job.commit) + " has no Dockerfile and repo " +
                                   repo.name +
                                   " has no runtime image; add a Dockerfile, or set one with "
                                   "`sandbot repo add ... --image IMAGE --cmd ...`");
  }
  *image = repo.image;
  *workdir = CheckoutDir(steps->config().data_dir, job.sandbox, repo.name, job.commit);
  std::error_code ec;
  // A half-written checkout from an interrupted job; what cannot be
  // removed makes the checkout below fail, saying so.
  fs::remove_all(*workdir, ec);
  s = git->Checkout(job.commit, *workdir);
  if (!s.ok()) return s;
  steps->AppendLog(job, "checked out " + Short(job.commit) + " into " + *workdir);
  return Status::Ok();
}

// Ends the deployment row. A failure is logged: the job's outcome (and the
// service row, which is what people read) is recorded all the same.
void Finish(Db* db, int64_t deployment, const std::string& state, const std::string& image,
            const std::string& container_id, const std::string& log) {
  Status s = FinishDeployment(db, deployment, state, image, container_id, log);
  if (!s.ok()) spdlog::error("cannot end deployment {} ({}): {}", deployment, state, s.ToString());
}

}  // namespace

Status RunDeploy(JobSteps* steps, const Job& job) {
  Db* db = steps->db();
  Service service;
  Status s = GetService(db, job.sandbox, job.service, &service);
  if (!s.ok()) return s;
  Repo repo;
  s = GetRepo(db, service.repo, &repo);
  if (!s.ok()) return s;
  // A pull request's preview runs its newest head only: a deploy of an
  // older one, still queued or retried, gives way.
  PullRequest pr;
  if (job.source == "forge" && GetPullRequestBySandbox(db, job.sandbox, &pr).ok() &&
      pr.head_sha != job.commit) {
    steps->Event(job, MessageEvent(JobStage::kLog, "superseded: the pull request's head is now " +
                                                       Short(pr.head_sha)));
    return Status::Ok();
  }
  int64_t deployment = 0;
  s = StartDeployment(db, job, &deployment);
  if (!s.ok()) return s;

  std::string image, workdir, container_id;
  auto fail = [&](const Status& why, const std::string& log) {
    if (steps->Interrupted(why)) {
      steps->NoteServiceStatus(service, ServiceStatus::kQueued, why.message());
      Finish(db, deployment, "interrupted", image, container_id, "");
      return why;
    }
    steps->NoteServiceStatus(service, ServiceStatus::kFailed, why.message());
    Finish(db, deployment, "failed", image, container_id, log);
    steps->Event(job, ServiceFailed(service.name, why.message()));
    if (!log.empty()) steps->Event(job, MessageEvent(JobStage::kLog, log));
    return why;
  };

  s = SetServiceStatus(db, service.id, ServiceStatus::kBuilding, "");
  if (!s.ok()) return fail(s, "");
  steps->Event(job, CommitEvent(JobStage::kBuilding, service.name, job.commit));
  Failpoint("build.started");
  // The sandbox's network does not depend on the image: made while the code
  // is fetched and built (a new preview's network costs the engine a few
  // hundred ms). Its outcome is StartService's to check and report; the
  // future's destructor waits for it on every way out.
  std::future<Status> network = std::async(std::launch::async, [steps, sandbox = job.sandbox] {
    return steps->EnsureSandboxNetwork(sandbox);
  });
  s = EnsureForgeCommit(db, repo, job.branch, job.commit,
                        [&](const std::string& line) { steps->AppendLog(job, line); });
  // A commit with a compose file deploys all of the file's services.
  std::unique_ptr<GitRepo> git;
  if (s.ok()) s = GitRepo::Open(repo.path, &git);
  ComposeCommit compose;
  if (s.ok()) {
    const auto& c = steps->config();
    s = LoadComposeCommit(git.get(), job.commit, repo.compose_file, job.sandbox, service.branch,
                          {{c.port_lo, c.port_hi}, {c.gateway_lo, c.gateway_hi}}, &compose);
    LogComposeWarnings(steps, job, compose);
    if (s.IsInvalidArgument()) {
      // Refused before anything is built: what runs keeps running.
      ContainerState running;
      if (steps->runtime()
              ->InspectContainer(ContainerName(job.sandbox, service.name), &running)
              .ok() &&
          running.running) {
        steps->NoteServiceStatus(service, ServiceStatus::kRunning, "");
      } else {
        steps->NoteServiceStatus(service, ServiceStatus::kFailed, s.message());
      }
      Finish(db, deployment, "failed", "", "", s.message());
      steps->Event(job, MessageEvent(JobStage::kFailed, "refused: " + s.message()));
      return s;
    }
    if (!s.ok()) return fail(s, "");
  }
  if (s.ok() && !compose.file.empty()) {
    s = RunComposeDeploy(steps, job, repo, service, git.get(), compose);
    if (!s.ok()) {
      const bool interrupted = steps->Interrupted(s);
      Finish(db, deployment, interrupted ? "interrupted" : "failed", "", "", "");
      // Before anything started (an image, a row): the job's own row says why.
      Service now;
      if (GetService(db, job.sandbox, service.name, &now).ok() &&
          now.status == ServiceStatus::kBuilding) {
        steps->NoteServiceStatus(now, interrupted ? ServiceStatus::kQueued : ServiceStatus::kFailed,
                                 s.message());
      }
      if (!interrupted) steps->Event(job, ServiceFailed(service.name, s.message()));
      return s;
    }
    Finish(db, deployment, "running", "", "", "");
    s = SetPreviewDeployed(db, job.sandbox, job.commit);
    if (!s.ok())
      spdlog::error("{}: cannot record the preview's commit: {}", job.sandbox, s.ToString());
    return Status::Ok();
  }
  if (s.ok()) s = PrepareImage(steps, job, repo, &image, &workdir);
  if (s.ok()) s = steps->CheckStop();
  if (!s.ok()) return fail(s, TailLines(steps->ReadLog(job), steps->config().log_tail_lines));

  network.wait();
  s = steps->StartService(job, repo, service, job.commit, image, workdir, &container_id);
  if (!s.ok()) {
    // Same verdict as StartService's: once it tripped the breaker, asking
    // again costs no ping.
    Finish(db, deployment, steps->Interrupted(s) ? "interrupted" : "failed", image, container_id,
           "");
    return s;
  }
  Finish(db, deployment, "running", image, container_id, "");
  s = SetPreviewDeployed(db, job.sandbox, job.commit);
  if (!s.ok())
    spdlog::error("{}: cannot record the preview's commit: {}", job.sandbox, s.ToString());
  // Work folders of older commits are no longer mounted anywhere. Best
  // effort: a folder left behind costs disk, not correctness.
  if (!workdir.empty()) {
    std::error_code ec;
    fs::path dir = fs::path(workdir).parent_path();
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      // Only this repo's checkouts, `{repo}-{sha12}`: a prefix match would
      // also take a sibling repo's (`web-api-…` for `web`).
      const std::string name = entry.path().filename().string();
      const std::string prefix = service.repo + "-";
      const bool ours =
          name.size() == prefix.size() + 12 && name.rfind(prefix, 0) == 0 &&
          name.find_first_not_of("0123456789abcdef", prefix.size()) == std::string::npos;
      if (entry.path() != fs::path(workdir) && ours) fs::remove_all(entry.path(), ec);
    }
  }
  return Status::Ok();
}

}  // namespace sandbot
