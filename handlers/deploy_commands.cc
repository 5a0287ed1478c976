// /deploy SERVICE BRANCH [to SANDBOX]
#include "handlers/deploy_commands.h"

#include "handlers/dispatch.h"
#include "handlers/lifecycle.h"
#include "store/chat.h"
#include "util/engine_names.h"

namespace sandbot {

Status HandleDeploy(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Sandbox sandbox;
  Status s = LoadServiceTarget(ctx, req, &sandbox);
  // The repo the sandbox takes the service from: its own, or the one whose
  // compose file names it.
  const Service* running = FindService(sandbox, cmd.service);
  const std::string repo = running && !running->repo.empty() ? running->repo : cmd.service;
  std::string sha;
  if (s.ok()) s = ResolveBranch(ctx.db, repo, cmd.branch, &sha);
  int64_t job = 0;
  if (s.ok()) {
    s = QueueDeployFrom(ctx.db, sandbox, cmd.service, repo, cmd.branch, sha, ActorOf(req),
                        req.source, &job);
  }
  if (s.ok()) s = SetUserSandbox(ctx.db, ActorOf(req), sandbox.name);
  if (!s.ok()) return s;
  reply->jobs.push_back(job);
  reply->Ack(sandbox.name, "Deploying " + cmd.service + " to " + sandbox.name,
             "deploying " + cmd.service + "@" + cmd.branch + " " + Short(sha) + " to " +
                 sandbox.name + " (job " + std::to_string(job) +
                 "); I will post here when it runs");
  const std::string wait = WaitNote(sandbox);
  if (!wait.empty()) reply->view.text += "\n" + wait;
  return Status::Ok();
}

}  // namespace sandbot
