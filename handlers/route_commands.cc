// /route SERVICE sandbox|baseline|URL [in SANDBOX], /route list [SANDBOX]
#include "handlers/route_commands.h"

#include "handlers/dispatch.h"
#include "handlers/lifecycle.h"
#include "store/jobs.h"
#include "store/routes.h"

namespace sandbot {

Status HandleRouteSet(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Sandbox sandbox;
  Status s = LoadServiceTarget(ctx, req, &sandbox);
  if (!s.ok()) return s;
  const Service* deployed = FindService(sandbox, cmd.service);
  if (cmd.route == "sandbox" && !deployed) {
    return Status::InvalidArgument(cmd.service + " is not deployed in " + sandbox.name +
                                   ", so it cannot be routed there. Deploy it first: `/deploy " +
                                   cmd.service + " BRANCH to " + sandbox.name + "`");
  }
  if (cmd.route == "baseline" && (!ctx.baselines || !ctx.baselines->count(cmd.service))) {
    return Status::InvalidArgument("no baseline URL is configured for " + cmd.service +
                                   "; add it under \"baseline\" in the configuration, or route "
                                   "to an explicit URL");
  }
  Transaction tx(ctx.db);
  if (!tx.status().ok()) return tx.status();
  s = SetRoute(ctx.db, sandbox.id, cmd.service, cmd.route);
  if (s.ok() && deployed) {
    s = SetServiceRoute(ctx.db, deployed->id, cmd.route);
  }
  // Containers get the new table by being recreated from their image.
  if (s.ok() && !sandbox.services.empty()) {
    Job job;
    job.kind = JobKind::kReroute;
    job.sandbox = sandbox.name;
    job.service = cmd.service;
    job.actor = ActorOf(req);
    job.source = req.source;
    s = EnqueueJob(ctx.db, &job);
    if (s.ok()) reply->jobs.push_back(job.id);
  }
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;
  reply->sandbox = sandbox.name;
  reply->view.kind = "status";
  s = BuildSandboxView(ctx, sandbox.name, &reply->view);
  if (!s.ok()) return s;
  reply->view.title = "Routed " + cmd.service + " to " + cmd.route + " in " + sandbox.name;
  // The view's text holds the lock and suspend lines: keep them under ours.
  const std::string notes = reply->view.text;
  const std::string wait = WaitNote(sandbox);
  reply->view.text = reply->jobs.empty()
                         ? "no containers to update yet"
                         : (wait.empty() ? "applying to the running containers (job " +
                                               std::to_string(reply->jobs[0]) + "), no rebuild"
                                         : "job " + std::to_string(reply->jobs[0]) + " " + wait);
  if (!notes.empty()) reply->view.text += "\n" + notes;
  return Status::Ok();
}

Status HandleRouteList(const HandlerContext& ctx, const Request& req, Reply* reply) {
  std::string name;
  Status s = ResolveSandbox(ctx, req, &name);
  Sandbox sandbox;
  if (s.ok()) s = LoadActiveSandbox(ctx, name, &sandbox);
  if (!s.ok()) return s;
  reply->sandbox = name;
  reply->view.kind = "routes";
  s = BuildSandboxView(ctx, name, &reply->view);
  if (!s.ok()) return s;
  reply->view.title = "routes of " + name;
  return Status::Ok();
}

}  // namespace sandbot
