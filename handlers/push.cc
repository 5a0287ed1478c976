#include "handlers/push.h"

#include <memory>
#include <set>

#include "compose/compose_file.h"
#include "handlers/lifecycle.h"
#include "handlers/names.h"
#include "hooks/git_repo.h"
#include "store/audit.h"
#include "store/jobs.h"
#include "store/lifecycle.h"
#include "store/pushes.h"
#include "store/repos.h"
#include "store/sandboxes.h"

namespace sandbot {

namespace {

bool HasOption(const std::vector<std::string>& options, const std::string& name) {
  for (const auto& o : options) {
    if (o == name || o == name + "=1" || o == name + "=true") return true;
  }
  return false;
}

class PushPlanner {
 public:
  PushPlanner(Db* db, const PushRequest& req, const Repo& repo, PushOutcome* out)
      : db_(db), req_(req), repo_(repo), out_(out) {}

  Status Apply(const RefUpdate& u) {
    AuditRow row{};
    row.actor = req_.actor;
    row.source = req_.source;
    row.action = u.deleted() ? "push.delete" : "push";
    row.repo = repo_.name;
    row.branch = u.is_branch() ? u.branch() : u.ref;
    row.commit = u.deleted() ? u.old_sha : u.new_sha;
    std::string sandboxes;
    Status s = Decide(u, &row, &sandboxes);
    if (!s.ok()) return s;
    row.sandbox = sandboxes;
    return AppendAudit(db_, row);
  }

 private:
  Status Decide(const RefUpdate& u, AuditRow* row, std::string* sandboxes) {
    if (!u.is_branch()) {
      Say(u.ref + ": not a branch, nothing to deploy");
      row->status = "ignored";
      return Status::Ok();
    }
    const std::string branch = u.branch();
    Status valid = ValidateBranchName(branch);
    if (!valid.ok()) {
      Say("refusing branch: " + valid.message());
      row->status = "refused";
      row->detail = valid.message();
      return Status::Ok();
    }
    if (u.deleted()) return Deleted(branch, row, sandboxes);

    std::vector<Service> tracking;
    Status s = FindServicesTracking(db_, repo_.name, branch, &tracking);
    if (!s.ok()) return s;
    // A compose commit's job deploys all of the file's services of a
    // sandbox: one job per sandbox, not one per service.
    const bool compose = HasComposeFile(u.new_sha);
    std::set<std::string> queued;
    for (const Service& svc : tracking) {
      if (compose && !queued.insert(svc.sandbox).second) continue;
      s = Deploy(svc.sandbox, svc.id, svc.name, branch, u.new_sha, sandboxes);
      if (!s.ok()) return s;
    }
    if (!tracking.empty()) {
      row->status = "accepted";
      return Status::Ok();
    }
    if (branch == repo_.default_branch) {
      Say(branch + " is the default branch of " + repo_.name +
          ": it is the baseline, no sandbox deployed");
      row->status = "ignored";
      return Status::Ok();
    }
    if (!MatchesBranchPatterns(repo_.auto_branches, branch)) {
      Say(branch + " does not match the auto-sandbox branches (" + repo_.auto_branches +
          "); no sandbox deployed");
      row->status = "ignored";
      return Status::Ok();
    }
    Status limit = CheckSandboxLimit(db_, req_.max_sandboxes);
    if (!limit.ok()) {
      Say("no sandbox created for " + branch + ": " + limit.message());
      row->status = "refused";
      row->detail = limit.message();
      return Status::Ok();
    }
    Sandbox sb;
    sb.name = UniqueName(SlugFromBranch(branch),
                         [this](const std::string& n) { return SandboxExists(db_, n); });
    sb.created_by = req_.actor;
    sb.origin_repo = repo_.name;
    sb.origin_branch = branch;
    s = CreateSandbox(db_, &sb);
    if (!s.ok()) return s;
    Service svc;
    svc.name = repo_.name;
    svc.repo = repo_.name;
    svc.branch = branch;
    s = UpsertService(db_, sb.id, &svc);
    if (!s.ok()) return s;
    row->status = "accepted";
    row->detail = "created sandbox " + sb.name;
    return Deploy(sb.name, svc.id, svc.name, branch, u.new_sha, sandboxes);
  }

  // Whether the pushed commit has a compose file (compose/compose_file.h).
  // A repository that cannot be read says no: the deploy job reports why.
  bool HasComposeFile(const std::string& sha) {
    std::unique_ptr<GitRepo> git;
    if (!GitRepo::Open(repo_.path, &git).ok()) return false;
    // The repo's own compose file (repo add --compose) replaces the
    // standard names.
    const std::vector<std::string> names = repo_.compose_file.empty()
                                               ? ComposeFileNames()
                                               : std::vector<std::string>{repo_.compose_file};
    for (const std::string& name : names) {
      bool has = false;
      if (git->HasFile(sha, name, &has).ok() && has) return true;
    }
    return false;
  }

  Status Deploy(const std::string& sandbox, int64_t service_id, const std::string& service,
                const std::string& branch, const std::string& sha, std::string* sandboxes) {
    Job job;
    job.kind = JobKind::kDeploy;
    job.sandbox = sandbox;
    job.service = service;
    job.branch = branch;
    job.commit = sha;
    job.actor = req_.actor;
    job.source = req_.source;
    Status s = EnqueueJob(db_, &job);
    if (!s.ok()) return s;
    s = SetServiceStatus(db_, service_id, ServiceStatus::kQueued, "job " + std::to_string(job.id));
    if (!s.ok()) return s;
    s = TouchSandboxActive(db_, sandbox);
    if (!s.ok()) return s;
    out_->job_ids.push_back(job.id);
    Say(branch + " -> sandbox " + sandbox + " (job " + std::to_string(job.id) + ")");
    SayWaitNote(sandbox);
    AppendName(sandboxes, sandbox);
    return Status::Ok();
  }

  Status Deleted(const std::string& branch, AuditRow* row, std::string* sandboxes) {
    std::vector<std::string> names;
    Status s = FindSandboxesByOrigin(db_, repo_.name, branch, &names);
    if (!s.ok()) return s;
    if (names.empty()) {
      Say(branch + " deleted; no sandbox was created from it");
      row->status = "ignored";
      return Status::Ok();
    }
    for (const std::string& name : names) {
      s = SetSandboxState(db_, name, "destroying");
      if (!s.ok()) return s;
      Job job;
      job.kind = JobKind::kDestroy;
      job.sandbox = name;
      job.branch = branch;
      job.actor = req_.actor;
      job.source = req_.source;
      s = EnqueueJob(db_, &job);
      if (!s.ok()) return s;
      out_->job_ids.push_back(job.id);
      Say(branch + " deleted -> destroying sandbox " + name + " (job " + std::to_string(job.id) +
          ")");
      SayWaitNote(name);
      AppendName(sandboxes, name);
    }
    row->status = "accepted";
    return Status::Ok();
  }

  static void AppendName(std::string* list, const std::string& name) {
    if (!list->empty()) *list += ",";
    *list += name;
  }

  void Say(const std::string& line) { out_->lines.push_back(line); }

  // Why the sandbox's new job waits (locked, suspended), as its own line.
  void SayWaitNote(const std::string& name) {
    Sandbox sb;
    if (!GetSandbox(db_, name, &sb).ok()) return;
    const std::string note = WaitNote(sb);
    if (!note.empty()) Say("  " + note);
  }

  Db* db_;
  const PushRequest& req_;
  const Repo& repo_;
  PushOutcome* out_;
};

}  // namespace

Status HandlePush(Db* db, const PushRequest& req, PushOutcome* out) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  if (!req.id.empty()) {
    bool first = false;
    Status s = MarkPushSeen(db, req.id, &first);
    if (!s.ok()) return s;
    if (!first) {
      out->lines.push_back("this push was already recorded; nothing more to do");
      return Status::Ok();
    }
  }
  Repo repo;
  Status s = GetRepo(db, req.repo, &repo);
  if (!s.ok()) {
    AuditRow row{};
    row.actor = req.actor;
    row.source = req.source;
    row.action = "push";
    row.repo = req.repo;
    row.status = "refused";
    row.detail = s.message();
    Status a = AppendAudit(db, row);
    if (!a.ok()) return a;
    Status c = tx.Commit();
    return c.ok() ? s : c;
  }
  out->wait = repo.wait || HasOption(req.options, "sandbot.wait");
  if (HasOption(req.options, "sandbot.nowait")) out->wait = false;
  PushPlanner planner(db, req, repo, out);
  for (const RefUpdate& u : req.updates) {
    s = planner.Apply(u);
    if (!s.ok()) return s;
  }
  return tx.Commit();
}

}  // namespace sandbot
