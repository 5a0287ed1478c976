#include "handlers/dispatch.h"

#include <memory>

#include "handlers/health.h"
#include "handlers/lifecycle.h"
#include "handlers/routes.h"
#include "handlers/sandbox.h"
#include "hooks/git_repo.h"
#include "store/audit.h"
#include "store/baselines.h"
#include "store/chat.h"
#include "store/jobs.h"
#include "store/lifecycle.h"
#include "store/repos.h"
#include "store/routes.h"

namespace sandbot {

std::string ActorOf(const Request& req) {
  if (req.user_id.empty()) return req.user_name;
  if (req.user_name.empty()) return req.user_id;
  return req.user_name + " (" + req.user_id + ")";
}

namespace {

std::string Usage(const Command& cmd) {
  return "/" + cmd.family + (cmd.verb == cmd.family ? "" : " " + cmd.verb);
}

// For "did you mean": none when they cannot be read.
std::vector<std::string> SandboxNames(Db* db) {
  std::vector<std::string> names;
  ListSandboxNames(db, &names);
  return names;
}

}  // namespace

Status HandleHelp(const HandlerContext&, const Request& req, Reply* reply) {
  const std::string& family = req.command.family;
  reply->view.kind = "help";
  reply->view.title = "sandbot: " + (family.empty() ? std::string("commands") : family);
  reply->view.text = HelpText(family);
  return Status::Ok();
}

Status HandleCommand(const HandlerContext& ctx_in, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  const CommandSpec* spec = FindCommand(cmd.family, cmd.verb);
  // Reads are not audited one by one; everything else, and every refusal, is.
  const bool read_only = spec && !Writes(*spec);
  HandlerContext ctx = ctx_in;
  // A read answers from one snapshot of the store. Not one that waits on
  // the engine (logs): the snapshot holds the store's lock.
  std::unique_ptr<ReadSnapshot> snapshot;
  if (read_only && spec->effect == Effect::kRead) {
    snapshot = std::make_unique<ReadSnapshot>(ctx.db);
  }
  std::map<std::string, std::string> baselines;
  if (!ctx.baselines) {
    Status b = LoadBaselines(ctx.db, &baselines);
    if (!b.ok()) return b;
    ctx.baselines = &baselines;
  }
  // What a command changes and its audit row commit together, or not at all
  // (a full disk loses neither half). Reads take no write lock.
  std::unique_ptr<Transaction> tx;
  if (!read_only && !(spec && spec->effect == Effect::kWriteOwnTransaction)) {
    tx = std::make_unique<Transaction>(ctx.db);
    if (!tx->status().ok()) return tx->status();
  }
  Status s;
  if (!spec) {
    s = Status::NotFound("unknown command /" + cmd.family);
  } else if (req.role < cmd.required) {
    s = Status::Forbidden("`" + Usage(cmd) + "` needs the " + RoleName(cmd.required) +
                          " role; you are a " + RoleName(req.role) +
                          ". Ask a sandbot admin to grant it in the configuration.");
  } else {
    s = spec->handler(ctx, req, reply);
  }
  // A change to a sandbox restarts its idle clock (bot/expiry.h).
  if (s.ok() && !read_only && !reply->sandbox.empty()) {
    s = TouchSandboxActive(ctx.db, reply->sandbox);
  }
  // What happened to the caller's sandboxes meanwhile (idle expiry), once:
  // read in the snapshot, marked seen after it (a write).
  std::vector<std::string> notices;
  int64_t last_notice = 0;
  if (s.ok() && PendingNotices(ctx.db, ActorOf(req), &notices, &last_notice).ok()) {
    for (const std::string& n : notices) {
      reply->view.text += (reply->view.text.empty() ? "" : "\n") + n;
    }
  }
  snapshot.reset();
  // Should marking fail (a full disk), the notices show again next time.
  if (last_notice > 0) MarkNoticesShown(ctx.db, ActorOf(req), last_notice);
  if (s.ok() && !reply->jobs.empty() && ctx.runtime && !ctx.runtime->Reachable()) {
    reply->view.text += (reply->view.text.empty() ? "" : "\n") + std::string(kEngineDownNote);
  }
  if (!s.ok() || !read_only) {
    AuditRow row{};
    row.actor = ActorOf(req);
    row.source = req.source;
    row.action = cmd.family + (cmd.verb == cmd.family ? "" : "." + cmd.verb);
    row.sandbox = reply->sandbox.empty() ? cmd.sandbox : reply->sandbox;
    row.repo = cmd.service;
    row.branch = cmd.branch;
    row.status =
        s.ok() ? "accepted" : (s.code() == Status::Code::kForbidden ? "refused" : "failed");
    row.detail = s.ok() ? reply->audit_detail : s.message();
    // Templates, environments and snapshots are named in the row.
    if (s.ok() && row.detail.empty() && !cmd.name.empty()) row.detail = cmd.name;
    for (int64_t job : reply->jobs) {
      row.detail += (row.detail.empty() ? "job " : ", job ") + std::to_string(job);
    }
    Status a = AppendAudit(ctx.db, row);
    if (a.ok() && tx) a = tx->Commit();
    if (!a.ok() && s.ok()) return a;
  }
  return s;
}

Status WithinOperatorLimits(const HandlerContext& ctx, const Request& req,
                            const LimitSource& wanted, const std::string& whose) {
  if (req.role >= Role::kAdmin) return Status::Ok();
  Status s = CheckOperatorCeilings(wanted, ctx.operator_limits, whose);
  if (s.ok()) return s;
  return Status::Forbidden(s.message() + "; you are a " + RoleName(req.role) +
                           " (ask an admin, or ask for less)");
}

Status ResolveSandbox(const HandlerContext& ctx, const Request& req, std::string* name) {
  if (!req.command.sandbox.empty()) {
    *name = req.command.sandbox;
    return Status::Ok();
  }
  const std::string channel = req.channel.empty() ? "cli:" + req.user_name : req.channel;
  Status s = GetChannelDefault(ctx.db, channel, name);
  if (s.ok() && name->empty()) s = GetUserSandbox(ctx.db, ActorOf(req), name);
  if (!s.ok()) return s;
  if (name->empty()) {
    return Status::InvalidArgument(
        "which sandbox? Name one (e.g. `/deploy web feature/x to qa-login`), or make one this "
        "channel's default with `/sandbox use NAME`. `/sandbox list` shows them all.");
  }
  return Status::Ok();
}

Status LoadActiveSandbox(const HandlerContext& ctx, const std::string& name, Sandbox* sandbox) {
  Status s = GetSandbox(ctx.db, name, sandbox);
  if (s.IsNotFound()) {
    std::string guess = DidYouMean(name, SandboxNames(ctx.db));
    return Status::NotFound("no sandbox named '" + name + "'." +
                            (guess.empty() ? "" : " Did you mean '" + guess + "'?") +
                            " `/sandbox list` shows them all.");
  }
  if (!s.ok()) return s;
  if (sandbox->state == "destroying") {
    return Status::Conflict("sandbox " + name + " is being destroyed");
  }
  return Status::Ok();
}

Status CheckKnownService(const HandlerContext& ctx, const std::string& service) {
  std::vector<Repo> repos;
  Status s = ListRepos(ctx.db, &repos);
  if (!s.ok()) return s;
  std::vector<std::string> known;
  for (const Repo& r : repos) known.push_back(r.name);
  if (ctx.baselines) {
    for (const auto& b : *ctx.baselines) known.push_back(b.first);
  }
  for (const std::string& k : known) {
    if (k == service) return Status::Ok();
  }
  std::string guess = DidYouMean(service, known);
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  return Status::NotFound("no service named '" + service + "'." +
                          (guess.empty() ? "" : " Did you mean '" + guess + "'?") +
                          " Known services: " + (list.empty() ? "none yet" : list) + ".");
}

Status LoadServiceTarget(const HandlerContext& ctx, const Request& req, Sandbox* sandbox) {
  std::string name;
  Status s = ResolveSandbox(ctx, req, &name);
  if (s.ok()) s = LoadActiveSandbox(ctx, name, sandbox);
  if (!s.ok()) return s;
  // A service the sandbox runs is known there, also when no repo has its
  // name (a compose service of one of its repos).
  if (FindService(*sandbox, req.command.service) != nullptr) return Status::Ok();
  return CheckKnownService(ctx, req.command.service);
}

Status ResolveBranch(Db* db, const std::string& service, const std::string& branch,
                     std::string* sha) {
  Repo repo;
  Status s = GetRepo(db, service, &repo);
  if (s.IsNotFound()) {
    return Status::InvalidArgument(service + " has no repo on this host (it is baseline-only), " +
                                   "so it cannot be deployed");
  }
  if (!s.ok()) return s;
  std::unique_ptr<GitRepo> git;
  s = GitRepo::Open(repo.path, &git);
  if (!s.ok()) return s;
  s = git->ResolveCommit("refs/heads/" + branch, sha);
  if (!s.ok()) {
    return Status::NotFound("branch '" + branch + "' does not exist in repo " + service +
                            "; push it first (git push origin " + branch + ")");
  }
  return Status::Ok();
}

Status QueueDeploy(Db* db, const Sandbox& sandbox, const std::string& service,
                   const std::string& branch, const std::string& sha, const std::string& actor,
                   const std::string& source, int64_t* job_id) {
  return QueueDeployFrom(db, sandbox, service, service, branch, sha, actor, source, job_id);
}

Status QueueDeployFrom(Db* db, const Sandbox& sandbox, const std::string& service,
                       const std::string& repo, const std::string& branch, const std::string& sha,
                       const std::string& actor, const std::string& source, int64_t* job_id) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Service svc;
  svc.name = service;
  svc.repo = repo;
  svc.branch = branch;
  Status s = UpsertService(db, sandbox.id, &svc);
  if (!s.ok()) return s;
  Job job;
  job.kind = JobKind::kDeploy;
  job.sandbox = sandbox.name;
  job.service = service;
  job.branch = branch;
  job.commit = sha;
  job.actor = actor;
  job.source = source;
  s = EnqueueJob(db, &job);
  if (!s.ok()) return s;
  s = SetServiceStatus(db, svc.id, ServiceStatus::kQueued, "job " + std::to_string(job.id));
  if (s.ok()) s = TouchSandboxActive(db, sandbox.name);
  if (!s.ok()) return s;
  s = tx.Commit();
  if (s.ok()) *job_id = job.id;
  return s;
}

Status BuildSandboxView(const HandlerContext& ctx, const std::string& name, MessageView* view) {
  Sandbox sandbox;
  Status s = GetSandbox(ctx.db, name, &sandbox);
  if (!s.ok()) return s;
  std::map<std::string, std::string> explicit_routes;
  std::vector<Repo> repos;
  s = GetRoutes(ctx.db, sandbox.id, &explicit_routes);
  if (s.ok()) s = ListRepos(ctx.db, &repos);
  if (!s.ok()) return s;
  BuildSandboxViewFrom(ctx, sandbox, explicit_routes, repos, view);
  return Status::Ok();
}

void BuildSandboxViewFrom(const HandlerContext& ctx, const Sandbox& sandbox,
                          const std::map<std::string, std::string>& explicit_routes,
                          const std::vector<Repo>& repos, MessageView* view) {
  static const std::map<std::string, std::string> kNoBaselines;
  auto routes =
      ResolveRoutes(sandbox, explicit_routes, ctx.baselines ? *ctx.baselines : kNoBaselines, repos);
  view->kind = view->kind.empty() ? "status" : view->kind;
  // "sandbox qa-login · Healthy": the roll-up of the health monitor's facts.
  view->title = "sandbox " + sandbox.name +
                (sandbox.state == "active" ? "" : " (" + sandbox.state + ")") + " · " +
                HealthName(SandboxHealthOf(sandbox));
  view->sandbox = sandbox.name;
  const std::string main_url = MainUrl(sandbox);
  if (!main_url.empty()) {
    view->text = "main URL: " + main_url + " (gateway " + sandbox.gateway + ")" +
                 (view->text.empty() ? "" : "\n" + view->text);
  }
  if (const ServiceHealth router = RouterHealthOf(sandbox); router.health != Health::kHealthy) {
    view->text += (view->text.empty() ? "" : "\n") + std::string(HealthName(router.health)) + ": " +
                  router.reason;
  }
  for (const std::string& note : LifecycleNotes(sandbox)) {
    view->text += (view->text.empty() ? "" : "\n") + note;
  }
  // Where it lives, unless the daemon drives one engine (offline
  // readers do not know how many: they say it once it is placed).
  if (ctx.engines.size() > 1 || (ctx.engines.empty() && !sandbox.engine.empty())) {
    view->text +=
        (view->text.empty() ? "" : "\n") + std::string("engine: ") +
        (sandbox.engine.empty() ? "not placed yet (its first job places it)" : sandbox.engine);
  }
  if (!sandbox.locked_by.empty()) view->title += " \xF0\x9F\x94\x92";  // 🔒, also in lists
  for (const Service& svc : sandbox.services) {
    // A running service that is not healthy says why (a failed one has its detail).
    const ServiceHealth health = ServiceHealthOf(svc);
    const std::string unhealthy =
        health.health != Health::kHealthy && svc.status == ServiceStatus::kRunning
            ? HealthName(health.health) + std::string(": ") + health.reason
            : "";
    ServiceView sv{svc.name, svc.branch, svc.commit, ServiceStatusName(svc.status),
                   svc.url,  "sandbox",  svc.detail, unhealthy};
    for (const RouteEntry& r : routes) {
      if (r.service == svc.name) sv.route = r.route;
    }
    view->services.push_back(sv);
    view->buttons.push_back(
        {"Redeploy " + svc.name, "service.redeploy", sandbox.name + "/" + svc.name, ""});
  }
  for (const RouteEntry& r : routes) {
    view->routes.push_back({r.service, r.route, r.target});
    bool has_baseline = ctx.baselines && ctx.baselines->count(r.service);
    if (r.route != "baseline" && has_baseline) {
      view->buttons.push_back({"Route " + r.service + " to baseline", "route.baseline",
                               sandbox.name + "/" + r.service, ""});
    }
  }
  view->buttons.push_back({"Destroy " + sandbox.name, "sandbox.destroy", sandbox.name, "danger"});
}

}  // namespace sandbot
