// /baseline set SERVICE URL | unset SERVICE | list
#include "handlers/baseline_commands.h"

#include "handlers/dispatch.h"
#include "store/baselines.h"
#include "store/repos.h"

namespace sandbot {

namespace {

// Every known service (repos and baselines) with its baseline, as the
// answer's route table.
Status ShowBaselines(const HandlerContext& ctx, Reply* reply) {
  std::map<std::string, std::string> baselines;
  std::vector<Repo> repos;
  Status s = LoadBaselines(ctx.db, &baselines);
  if (s.ok()) s = ListRepos(ctx.db, &repos);
  if (!s.ok()) return s;
  std::map<std::string, std::string> known = baselines;
  for (const Repo& r : repos) known.emplace(r.name, "");
  reply->view.kind = "routes";
  reply->view.title = "baselines";
  for (const auto& [service, url] : known) {
    reply->view.routes.push_back({service, url.empty() ? "none" : "baseline", url});
  }
  if (known.empty()) {
    reply->view.text = "no known services yet: `/baseline set SERVICE URL` or `sandbot repo add`";
  }
  return Status::Ok();
}

// A table answer, so the new baselines show with their title.
Status ShowChanged(const HandlerContext& ctx, const std::string& title, Reply* reply) {
  Status s = ShowBaselines(ctx, reply);
  if (!s.ok()) return s;
  reply->view.title = title;
  reply->view.text = "sandboxes get the new URL at their next deploy or route change";
  return Status::Ok();
}

}  // namespace

Status HandleBaselineSet(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Status s = SetBaseline(ctx.db, cmd.service, cmd.url, ActorOf(req));
  if (!s.ok()) return s;
  return ShowChanged(ctx, "Baseline of " + cmd.service + ": " + cmd.url, reply);
}

Status HandleBaselineUnset(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Status s = UnsetBaseline(ctx.db, req.command.service);
  if (!s.ok()) return s;
  return ShowChanged(ctx, "Baseline of " + req.command.service + " removed", reply);
}

Status HandleBaselineList(const HandlerContext& ctx, const Request&, Reply* reply) {
  return ShowBaselines(ctx, reply);
}

}  // namespace sandbot
