// /sandbox create | list | status | destroy | logs | use
#include "handlers/sandbox_commands.h"

#include <algorithm>
#include <map>
#include <set>

#include "handlers/create_sources.h"
#include "handlers/dispatch.h"
#include "handlers/lifecycle.h"
#include "handlers/names.h"
#include "handlers/sandbox.h"
#include "handlers/sandbox_view.h"
#include "handlers/template_merge.h"
#include "store/chat.h"
#include "store/engines.h"
#include "store/jobs.h"
#include "store/lifecycle.h"
#include "store/repos.h"
#include "store/routes.h"
#include "util/engine_names.h"

namespace sandbot {

namespace {

// `s` about an entry of template `tmpl`: says where the entry came from, unless
// the command named that service itself.
Status FromTemplate(const Status& s, const Template& tmpl, const Command& cmd,
                    const std::string& service) {
  if (tmpl.name.empty() || !tmpl.services.count(service)) return s;
  for (const auto& named : cmd.services) {
    if (named.first == service) return s;
  }
  const std::string m = s.message() + " (" + service + " comes from template " + tmpl.name +
                        ": give it a branch here with " + service +
                        "@BRANCH, or change the template with `/template update " + tmpl.name +
                        "`)";
  if (s.IsNotFound()) return Status::NotFound(m);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(m);
  return s;
}

}  // namespace

Status CheckEngineChoice(const HandlerContext& ctx, const std::string& engine, bool for_new) {
  if (!ctx.engines.empty() &&
      std::find(ctx.engines.begin(), ctx.engines.end(), engine) == ctx.engines.end()) {
    std::string known;
    for (const std::string& e : ctx.engines) known += (known.empty() ? "" : ", ") + e;
    return Status::NotFound("no engine named '" + engine + "' (engines: " + known + ")");
  }
  if (!for_new) return Status::Ok();
  std::set<std::string> drained;
  Status s = ListDrainedEngines(ctx.db, &drained);
  if (!s.ok()) return s;
  if (drained.count(engine)) {
    return Status::Conflict("engine '" + engine +
                            "' is drained: it takes no new sandboxes (sandbot engine "
                            "undrain " +
                            engine + ")");
  }
  return Status::Ok();
}

Status HandleSandboxCreate(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Status limit = CheckSandboxLimit(ctx.db, ctx.max_sandboxes);
  if (limit.ok()) limit = WithinOperatorLimits(ctx, req, {cmd.memory_mb, cmd.cpus}, "");
  if (!limit.ok()) return limit;
  if (!cmd.engine.empty()) {
    Status s = CheckEngineChoice(ctx, cmd.engine);
    if (!s.ok()) return s;
  }
  Template tmpl;
  const bool from_template = !cmd.template_name.empty();
  if (from_template) {
    Status s = FindTemplate(ctx.db, cmd.template_name, &tmpl);
    if (!s.ok()) return s;
  }
  // --engine over the template's engine; neither: placed by room.
  const std::string engine = cmd.engine.empty() ? tmpl.engine : cmd.engine;
  if (cmd.engine.empty() && !engine.empty()) {
    Status s = CheckEngineChoice(ctx, engine);
    if (!s.ok()) {
      const std::string m = s.message() + " (the engine of template " + tmpl.name +
                            "; give another with --engine NAME)";
      return s.IsNotFound() ? Status::NotFound(m) : s.IsConflict() ? Status::Conflict(m) : s;
    }
  }
  // The template's entries with the command's SERVICE@BRANCH over them.
  const SandboxPlan plan = PlanSandbox(from_template ? &tmpl : nullptr, cmd.services, cmd.gateway);
  // Check every service, branch and route before creating anything. A
  // word that is no repo may be a compose service of a repo deployed here
  // (handlers/create_sources.h): its repo's file at its own branch.
  std::vector<std::string> shas(plan.deploys.size()), repos(plan.deploys.size());
  std::vector<size_t> unknown;
  for (size_t i = 0; i < plan.deploys.size(); ++i) {
    const auto& [service, branch] = plan.deploys[i];
    Status s = CheckKnownService(ctx, service);
    if (s.IsNotFound()) {
      unknown.push_back(i);
      continue;
    }
    if (s.ok()) s = ResolveBranch(ctx.db, service, branch, &shas[i]);
    if (!s.ok()) return FromTemplate(s, tmpl, cmd, service);
    repos[i] = service;
  }
  if (!unknown.empty()) {
    std::map<std::string, std::vector<std::string>> compose;  // repo -> its file's services
    std::vector<Repo> all;
    Status s = ListRepos(ctx.db, &all);
    if (!s.ok()) return s;
    std::set<std::string> known;
    for (const Repo& r : all) known.insert(r.name);
    for (const Repo& r : all) {
      for (size_t i = 0; i < plan.deploys.size(); ++i) {
        if (repos[i] == r.name) compose[r.name] = ComposeServicesAt(r, shas[i]);
      }
    }
    if (ctx.baselines) {
      for (const auto& b : *ctx.baselines) known.insert(b.first);
    }
    for (size_t i : unknown) {
      const auto& [service, branch] = plan.deploys[i];
      s = ResolveCreateSource(service, known, compose, &repos[i]);
      if (s.ok()) s = ResolveBranch(ctx.db, repos[i], branch, &shas[i]);
      if (!s.ok()) return FromTemplate(s, tmpl, cmd, service);
    }
  }
  for (const auto& [service, route] : plan.routes) {
    Status s = CheckKnownService(ctx, service);
    if (!s.ok()) return FromTemplate(s, tmpl, cmd, service);
  }
  bool gateway_deployed = plan.gateway.empty();
  for (const auto& deploy : plan.deploys) gateway_deployed |= deploy.first == plan.gateway;
  if (!gateway_deployed) {
    return Status::InvalidArgument("the gateway " + plan.gateway +
                                   " is not deployed in this sandbox: add " + plan.gateway +
                                   "@BRANCH (the gateway's URL is the sandbox's main URL)");
  }
  Transaction tx(ctx.db);
  if (!tx.status().ok()) return tx.status();
  Sandbox sandbox;
  sandbox.name = cmd.sandbox;
  sandbox.created_by = ActorOf(req);
  sandbox.template_name = tmpl.name;
  sandbox.gateway = plan.gateway;
  sandbox.memory_mb = cmd.memory_mb;  // 0: the configuration's limits apply
  sandbox.cpus = cmd.cpus;
  sandbox.engine = engine;  // "": its first job places it by room
  Status s = CreateSandbox(ctx.db, &sandbox);
  if (!s.ok()) return s;
  std::string lines;
  // Repos first, then the compose services taken from a repo at their own
  // branch: a repo's job makes the rows of its file's other services, and
  // leaves alone the ones that follow another branch.
  std::vector<size_t> order;
  for (size_t i = 0; i < plan.deploys.size(); ++i) {
    if (repos[i] == plan.deploys[i].first) order.push_back(i);
  }
  for (size_t i = 0; i < plan.deploys.size(); ++i) {
    if (repos[i] != plan.deploys[i].first) order.push_back(i);
  }
  for (size_t i : order) {
    const auto& [service, branch] = plan.deploys[i];
    int64_t job = 0;
    s = QueueDeployFrom(ctx.db, sandbox, service, repos[i], branch, shas[i], ActorOf(req),
                        req.source, &job);
    if (!s.ok()) return s;
    reply->jobs.push_back(job);
    lines += "\n• " + service + "@" + branch + " " + Short(shas[i]) + " (" +
             (repos[i] != service ? "from " + repos[i] + "'s compose file, " : "") +
             (service == plan.gateway ? "gateway, " : "") + "job " + std::to_string(job) + ")";
  }
  // The template's baseline/URL entries become the sandbox's explicit routes.
  for (const auto& [service, route] : plan.routes) {
    s = SetRoute(ctx.db, sandbox.id, service, route);
    if (!s.ok()) return s;
  }
  MessageView table;
  s = BuildSandboxView(ctx, sandbox.name, &table);
  if (s.ok()) s = SetUserSandbox(ctx.db, ActorOf(req), sandbox.name);
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;
  std::string routes;
  for (const RouteView& r : table.routes) {
    routes += (routes.empty() ? "\nroutes: " : ", ") + r.service + " → " + r.route;
  }
  const std::string from = from_template ? " from template " + tmpl.name : "";
  reply->Ack(sandbox.name, "Creating sandbox " + sandbox.name,
             plan.deploys.empty()
                 ? "sandbox " + sandbox.name + from +
                       " created, empty: deploy into it with `/deploy SERVICE BRANCH to " +
                       sandbox.name + "`" + routes
                 : "creating sandbox " + sandbox.name + from + ":" + lines + routes +
                       "\nI will post here when it runs.");
  return Status::Ok();
}

Status HandleSandboxList(const HandlerContext& ctx, const Request& req, Reply* reply) {
  // A chat answer shows 50 sandboxes at most and counts the rest: building
  // the others whole cost 17 ms of CPU with 1,000 (bench/run.sh "metrics").
  const bool chat = req.source == "slack" || req.source == "mattermost" || req.source == "teams";
  return BuildSandboxListView(ctx, &reply->view, chat ? kChatListShown : static_cast<size_t>(-1));
}

Status HandleSandboxStatus(const HandlerContext& ctx, const Request& req, Reply* reply) {
  std::string name;
  Status s = ResolveSandbox(ctx, req, &name);
  if (!s.ok()) return req.command.sandbox.empty() ? HandleSandboxList(ctx, req, reply) : s;
  Sandbox sandbox;
  s = GetSandbox(ctx.db, name, &sandbox);
  if (s.IsNotFound()) return LoadActiveSandbox(ctx, name, &sandbox);
  if (!s.ok()) return s;
  reply->sandbox = name;
  return BuildSandboxView(ctx, name, &reply->view);
}

Status HandleSandboxDestroy(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Sandbox sandbox;
  Status s = LoadActiveSandbox(ctx, req.command.sandbox, &sandbox);
  // A lock would hold the destroy job: its holder or an admin lifts it.
  if (s.ok()) s = CheckLockHolder(sandbox, req, "destroy");
  if (s.ok() && !sandbox.locked_by.empty()) s = UnlockSandbox(ctx.db, sandbox.name);
  int64_t job = 0;
  if (s.ok()) s = RequestDestroy(ctx.db, sandbox.name, ActorOf(req), req.source, &job);
  if (!s.ok()) return s;
  reply->jobs.push_back(job);
  reply->Ack(sandbox.name, "Destroying sandbox " + sandbox.name,
             "destroying sandbox " + sandbox.name + " (job " + std::to_string(job) +
                 "): its containers, network and ports go away");
  return Status::Ok();
}

Status HandleSandboxLogs(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Sandbox sandbox;
  Status s = LoadActiveSandbox(ctx, cmd.sandbox, &sandbox);
  if (!s.ok()) return s;
  std::vector<std::string> names;
  for (const Service& svc : sandbox.services) names.push_back(svc.name);
  bool found = false;
  for (const std::string& n : names) found = found || n == cmd.service;
  if (!found) {
    std::string guess = DidYouMean(cmd.service, names);
    return Status::NotFound("sandbox " + sandbox.name + " has no service '" + cmd.service + "'." +
                            (guess.empty() ? "" : " Did you mean '" + guess + "'?"));
  }
  if (!ctx.runtime) return Status::Unavailable("logs are read by the daemon; is it running?");
  std::string logs;
  s = ctx.runtime->ContainerLogs(ContainerName(sandbox.name, cmd.service), cmd.lines, &logs);
  if (!s.ok()) return s;
  reply->sandbox = sandbox.name;
  reply->view.kind = "logs";
  reply->view.title =
      cmd.service + " in " + sandbox.name + ": last " + std::to_string(cmd.lines) + " log lines";
  size_t start = 0;
  while (start < logs.size()) {
    size_t nl = logs.find('\n', start);
    if (nl == std::string::npos) nl = logs.size();
    reply->view.log_lines.push_back(logs.substr(start, nl - start));
    start = nl + 1;
  }
  if (reply->view.log_lines.empty()) reply->view.text = "(no output yet)";
  return Status::Ok();
}

Status HandleSandboxUse(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Sandbox sandbox;
  Status s = LoadActiveSandbox(ctx, req.command.sandbox, &sandbox);
  const std::string channel = req.channel.empty() ? "cli:" + req.user_name : req.channel;
  if (s.ok()) s = SetChannelDefault(ctx.db, channel, sandbox.name, ActorOf(req));
  if (!s.ok()) return s;
  reply->Ack(sandbox.name, "Default sandbox: " + sandbox.name,
             sandbox.name + " is now this channel's default sandbox: `/deploy` and " +
                 "`/route` without `to`/`in` act on it");
  return Status::Ok();
}

// The store is renamed at once (so NEW answers from now on); the job moves
// the containers, the network and the folders (bot/rename.cc).
Status HandleSandboxRename(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const std::string& from = req.command.sandbox;
  const std::string& to = req.command.target;
  Sandbox b;
  Status s = LoadActiveSandbox(ctx, from, &b);
  if (s.ok() && to == from)
    s = Status::InvalidArgument("sandbox " + from + " already has that name");
  if (s.ok() && SandboxExists(ctx.db, to)) {
    s = Status::Conflict("a sandbox named " + to + " already exists; pick another name");
  }
  if (s.ok() && !b.locked_by.empty()) {
    s = Status::Conflict("cannot rename " + from + ": it is " +
                         LockNote(b.locked_by, b.locked_at, b.lock_reason).substr(5) +
                         ". `/sandbox unlock " + from + "` first.");
  }
  if (s.ok() && b.state == "suspended") {
    s = Status::Conflict("sandbox " + from + " is suspended; `/sandbox resume " + from +
                         "` first, then rename it");
  }
  // Its containers would move under a running job's feet.
  std::vector<int64_t> active;
  if (s.ok()) s = QueuedJobsOf(ctx.db, from, &active);
  std::vector<Job> running;
  if (s.ok()) s = ListJobs(ctx.db, JobState::kRunning, &running);
  for (const Job& job : running) {
    if (job.sandbox == from) active.push_back(job.id);
  }
  if (s.ok() && !active.empty()) {
    s = Status::Conflict("sandbox " + from + " has work queued or running (job " +
                         std::to_string(active[0]) +
                         "); rename it once that finished (`/sandbox status " + from + "`)");
  }
  if (s.ok()) s = RenameSandbox(ctx.db, from, to);
  Job job;
  job.kind = JobKind::kRename;
  job.sandbox = to;
  job.branch = from;  // what the engine objects and folders are still named
  job.actor = ActorOf(req);
  job.source = req.source;
  if (s.ok()) s = EnqueueJob(ctx.db, &job);
  // Not "running" until the job recreated them under the new name: health
  // checks and the reconciler leave them alone meanwhile.
  for (const Service& svc : b.services) {
    if (s.ok() && !svc.image.empty()) {
      s = SetServiceStatus(ctx.db, svc.id, ServiceStatus::kQueued,
                           "renaming (job " + std::to_string(job.id) + ")");
    }
  }
  if (s.ok()) s = SetUserSandbox(ctx.db, ActorOf(req), to);
  if (!s.ok()) return s;
  reply->jobs.push_back(job.id);
  reply->audit_detail = from + " -> " + to;
  reply->Ack(to, "Renaming sandbox " + from + " to " + to,
             "renaming " + from + " to " + to + " (job " + std::to_string(job.id) +
                 "): its containers, network and folders take the new name; ports and URLs "
                 "are kept");
  return Status::Ok();
}

}  // namespace sandbot
