#include "bot/compose_deploy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "handlers/compose_plan.h"
#include "store/lifecycle.h"

namespace sandbot {

namespace {

std::string ComposeImageTag(const std::string& repo, const std::string& service,
                            const std::string& sha) {
  std::string name = repo + "-" + service;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ImageTag(name, sha);
}

// Each service's image: built from its context (a subtree of the commit),
// or named by `image:` and already on the engine.
Status PrepareImages(JobSteps* steps, const Job& job, const Repo& repo, GitRepo* git,
                     const ComposeCommit& compose, std::map<std::string, std::string>* images) {
  for (const std::string& name : compose.enabled) {
    const ComposeService& svc = *compose.project.Find(name);
    if (!svc.build) {
      bool exists = false;
      Status s = steps->runtime()->ImageExists(svc.image, &exists);
      if (!s.ok()) return s;
      if (!exists) {
        return Status::InvalidArgument(
            compose.file + ": services." + name + ".image: " + svc.image +
            " is not on the engine (sandbot pulls nothing: `sandbot image load` or "
            "`sandbot image import` it, or give the service a build)");
      }
      (*images)[name] = svc.image;
      continue;
    }
    const std::string tag = ComposeImageTag(repo.name, name, job.commit);
    (*images)[name] = tag;
    bool exists = false;
    Status s = steps->runtime()->ImageExists(tag, &exists);
    if (!s.ok()) return s;
    if (exists) {
      steps->AppendLog(job, name + ": image " + tag + " already built");
      continue;
    }
    std::string context;
    s = git->ExportTar(job.commit, svc.build->context, &context);
    if (!s.ok()) return s;
    BuildOptions options;
    options.dockerfile = svc.build->dockerfile;
    options.args = svc.build->args;
    options.target = svc.build->target;
    steps->AppendLog(job, name + ": building " + tag + " from " + svc.build->context);
    s = steps->runtime()->BuildImageWith(
        context, tag, options, [&](const std::string& line) { steps->AppendLog(job, line); });
    if (s.IsInvalidArgument()) return Status::InvalidArgument(name + ": " + s.message());
    if (!s.ok()) return s;
    s = steps->CheckStop();
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

// Starts every service once the ones it depends on are ready, each on its
// own thread: independent services start at the same time.
class Starter {
 public:
  Starter(JobSteps* steps, const Job& job, const Repo& repo, const ComposeCommit& compose,
          const std::map<std::string, Service>& rows,
          const std::map<std::string, std::string>& images, const std::string& workdir)
      : steps_(steps),
        job_(job),
        repo_(repo),
        compose_(compose),
        rows_(rows),
        images_(images),
        workdir_(workdir) {}

  // Ok when every service is ready; else the first failure, with the
  // services that did not start because of it named.
  Status Run() {
    std::vector<std::thread> threads;
    for (const auto& entry : rows_) {
      const std::string name = entry.first;
      threads.emplace_back([this, name] { Start(name); });
    }
    for (std::thread& t : threads) t.join();
    std::string failed;
    for (const std::string& name : compose_.enabled) {
      if (!rows_.count(name)) continue;  // deployed by another job
      const Status& s = done_[name];
      if (s.ok()) continue;
      if (steps_->Interrupted(s)) return s;
      failed += (failed.empty() ? "" : "; ") + name + ": " + s.message();
    }
    return failed.empty() ? Status::Ok() : Status::Internal(failed);
  }

 private:
  void Start(const std::string& name) {
    const ComposeService& svc = *compose_.project.Find(name);
    Status s;
    for (const ComposeDependency& d : svc.depends_on) {
      if (!rows_.count(d.service)) continue;  // not this job's: already as it is
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return done_.count(d.service) > 0; });
      if (!done_[d.service].ok()) {
        s = Status::Internal("not started: " + d.service + " (" + d.condition + ") failed");
        break;
      }
    }
    const Service& row = rows_.at(name);
    if (s.ok()) {
      std::string container_id;
      s = steps_->StartService(job_, repo_, row, job_.commit, images_.at(name), workdir_,
                               &container_id);
    } else {
      steps_->NoteServiceStatus(row, ServiceStatus::kFailed, s.message());
      steps_->Event(job_, ServiceFailed(name, s.message()));
    }
    std::lock_guard<std::mutex> lock(mu_);
    done_[name] = s;
    cv_.notify_all();
  }

  JobSteps* steps_;
  const Job& job_;
  const Repo& repo_;
  const ComposeCommit& compose_;
  const std::map<std::string, Service>& rows_;
  const std::map<std::string, std::string>& images_;
  const std::string& workdir_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Status> done_;
};

}  // namespace

void LogComposeWarnings(JobSteps* steps, const Job& job, const ComposeCommit& compose) {
  for (const ComposeProblem& w : compose.warnings) {
    steps->Event(job, MessageEvent(JobStage::kNote, "warning: " + w.ToString()));
  }
}

Status RunComposeDeploy(JobSteps* steps, const Job& job, const Repo& repo, const Service& service,
                        GitRepo* git, const ComposeCommit& compose) {
  Db* db = steps->db();
  steps->Event(
      job, MessageEvent(JobStage::kNote, compose.file + " at " + Short(job.commit) + ": " +
                                             std::to_string(compose.enabled.size()) + " services"));
  // Images first: nothing is replaced until every one exists.
  std::map<std::string, std::string> images;
  Status s = PrepareImages(steps, job, repo, git, compose, &images);
  if (!s.ok()) return s;
  // Bind mounts read the commit's files: checked out once, mounted read-only.
  std::string workdir;
  for (const std::string& name : compose.enabled) {
    for (const ComposeMount& m : compose.project.Find(name)->volumes) {
      if (m.type == "bind")
        workdir = CheckoutDir(steps->config().data_dir, job.sandbox, repo.name, job.commit);
    }
  }
  if (!workdir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(workdir, ec);
    s = git->Checkout(job.commit, workdir);
    if (!s.ok()) return s;
  }
  // One service row per compose service, tracking the same branch.
  Sandbox sandbox;
  s = GetSandbox(db, job.sandbox, &sandbox);
  if (!s.ok()) return s;
  // A service that already runs here from another repo, or from this repo
  // at another branch (`/sandbox create qa web@feature/x api@main`), is
  // left to its own jobs.
  std::map<std::string, Service> rows;
  for (const std::string& name : compose.enabled) {
    Service row;
    if (!GetService(db, job.sandbox, name, &row).ok()) {
      row.name = name;
      row.repo = repo.name;
      row.branch = service.branch;
      s = UpsertService(db, sandbox.id, &row);
      if (s.ok()) s = GetService(db, job.sandbox, name, &row);
      if (!s.ok()) return s;
    } else if (row.repo != repo.name) {
      steps->AppendLog(job, name + ": comes from repo " + row.repo + " in " + job.sandbox +
                                ", not from " + compose.file);
      continue;
    } else if (row.branch != service.branch) {
      steps->AppendLog(job, name + ": follows " + row.branch + " in " + job.sandbox +
                                ", not deployed from " + service.branch);
      continue;
    }
    rows[name] = row;
  }
  // Services of this repo and branch the file no longer has (and the row a
  // push made under the repo's name) go, with their containers.
  for (const Service& old : sandbox.services) {
    if (old.repo != repo.name || old.branch != service.branch || rows.count(old.name)) continue;
    Status gone = steps->runtime()->RemoveContainer(ContainerName(job.sandbox, old.name));
    if (gone.ok()) gone = RemoveService(db, job.sandbox, old.id, old.name);
    if (!gone.ok()) return gone;
    steps->AppendLog(job, old.name + ": not in " + compose.file + ", removed");
  }
  // The file's x-sandbot.gateway gets the sandbox's main URL (its port from
  // the gateway range) unless the sandbox already has a gateway.
  const std::string gateway = ComposeGateway(sandbox.gateway, compose.project, compose.enabled);
  if (gateway != sandbox.gateway) {
    s = SetSandboxGateway(db, job.sandbox, gateway);
    if (!s.ok()) return s;
    steps->AppendLog(job, gateway + " is the gateway (x-sandbot.gateway): its URL is " +
                              job.sandbox + "'s main URL");
  }
  Starter starter(steps, job, repo, compose, rows, images, workdir);
  return starter.Run();
}

}  // namespace sandbot
