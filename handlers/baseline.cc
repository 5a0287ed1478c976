// /baseline set SERVICE URL | unset SERVICE | list
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

}  // namespace

Status HandleBaselineCommand(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  if (cmd.verb == "list") return ShowBaselines(ctx, reply);
  Status s;
  if (cmd.verb == "set") {
    s = SetBaseline(ctx.db, cmd.service, cmd.url, ActorOf(req));
  } else if (cmd.verb == "unset") {
    s = UnsetBaseline(ctx.db, cmd.service);
  } else {
    return Status::InvalidArgument("unknown command /baseline " + cmd.verb + "\n" +
                                   HelpText("baseline"));
  }
  if (!s.ok()) return s;
  s = ShowBaselines(ctx, reply);
  if (!s.ok()) return s;
  // A table answer, so the new baselines show with their title.
  reply->view.title = cmd.verb == "set" ? "Baseline of " + cmd.service + ": " + cmd.url
                                        : "Baseline of " + cmd.service + " removed";
  reply->view.text = "sandboxes get the new URL at their next deploy or route change";
  return Status::Ok();
}

}  // namespace sandbot
