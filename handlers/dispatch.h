// Runs one parsed command for one caller: role check, which sandbox is meant,
// the decision over the store (intent + audit row in one transaction), and
// the answer as a view. The same code serves Slack, Mattermost, Teams and the
// CLI; nothing here touches Docker except `sandbox logs` (a read).
#ifndef SANDBOT_HANDLERS_DISPATCH_H_
#define SANDBOT_HANDLERS_DISPATCH_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "handlers/command.h"
#include "handlers/limits.h"
#include "handlers/runtime.h"
#include "store/db.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "store/secret_keys.h"
#include "templates/view.h"
#include "util/status.h"

namespace sandbot {

// Added to every answer that queues a job while the engine is unreachable.
inline constexpr char kEngineDownNote[] =
    "queued; the Docker engine is unreachable right now, so the job starts when it answers "
    "again (nothing is lost)";

struct HandlerContext {
  Db* db = nullptr;
  ContainerRuntime* runtime = nullptr;  // for logs
  // service → baseline URL; HandleCommand loads it from the store when null.
  const std::map<std::string, std::string>* baselines = nullptr;
  // Most sandboxes that may exist (suspended ones count); 0: no limit.
  int max_sandboxes = 0;
  // Seals and opens environment secrets (store/secret_keys.h); /env set
  // --secret, set-file --secret and rotate-key refuse to run without it.
  SecretKeys* secrets = nullptr;
  // The operator's limits: ceilings of the limits deployers give sandboxes
  // (handlers/limits.h); every door fills them from its configuration.
  OperatorLimits operator_limits{};
  // Where the dashboard is reached ("https://sandbot.example.com", no
  // trailing '/'); "" where it is not served. `/sandbox web` links to it.
  std::string web_url = "";
  // The engines the daemon drives, the default first (bot/engine_config.h);
  // `sandbox create --engine NAME` must name one of them. Empty: not checked.
  std::vector<std::string> engines = {};
};

struct Request {
  Command command;
  // The caller's fixed identity (util/identity.h: "slack:T024BE7LD/U2CERLKJA",
  // "cli:1000"), set by the door from what it proved; roles and locks go by it.
  std::string user_id;
  std::string user_name;  // display name, control characters stripped
  std::string source;     // slack, mattermost, teams, cli
  std::string channel;    // "slack:C123"; "" from the CLI
  Role role = Role::kViewer;
};

struct Reply {
  MessageView view;           // the answer, right away
  std::vector<int64_t> jobs;  // jobs queued by the command
  std::string sandbox;        // the sandbox it concerned
  // Audit row detail of a successful command (e.g. "API_KEY (secret)");
  // never a secret value.
  std::string audit_detail;

  // Answers with an acknowledgement of what was done or queued for `name`.
  void Ack(const std::string& name, std::string title, std::string text) {
    sandbox = name;
    view.kind = "ack";
    view.title = std::move(title);
    view.text = std::move(text);
  }
};

// Ok: `reply` holds the answer. Otherwise the Status message is the answer
// (refusals, unknown names with "did you mean", …); either way the request
// has its audit row.
Status HandleCommand(const HandlerContext& ctx, const Request& request, Reply* reply);

// "ana (slack:T024BE7LD/U2CERLKJA)", "root (cli:0)": the actor in audit rows,
// jobs and locks.
std::string ActorOf(const Request& request);

// The view of one sandbox: services with branch@commit, status and URL, the
// route table, and buttons (Destroy, Redeploy, Route to baseline).
Status BuildSandboxView(const HandlerContext& ctx, const std::string& name, MessageView* view);
// The same from rows already read (`explicit_routes`: the sandbox's routes
// table): `sandbox list` reads every sandbox in a few queries, not per row.
void BuildSandboxViewFrom(const HandlerContext& ctx, const Sandbox& sandbox,
                          const std::map<std::string, std::string>& explicit_routes,
                          const std::vector<Repo>& repos, MessageView* view);

// The help rows of kCommands: the usage lines of the command's family (of
// every family when it is "").
Status HandleHelp(const HandlerContext& ctx, const Request& req, Reply* reply);

// Shared by the family handlers.
// The sandbox a command means: named, else the channel's default, else the
// caller's last; InvalidArgument saying how to name one when none applies.
Status ResolveSandbox(const HandlerContext& ctx, const Request& req, std::string* name);
// Ok when a sandbox's own limits `wanted` stay under the operator's
// (ctx.operator_limits) or the caller is an admin; otherwise Forbidden
// naming the ceiling, the role it needs and the caller's.
Status WithinOperatorLimits(const HandlerContext& ctx, const Request& req,
                            const LimitSource& wanted, const std::string& whose);
// NotFound with "did you mean" when no such sandbox; Conflict when it is
// being destroyed.
Status LoadActiveSandbox(const HandlerContext& ctx, const std::string& name, Sandbox* sandbox);
// NotFound with "did you mean" unless `service` is a repo or a baseline.
Status CheckKnownService(const HandlerContext& ctx, const std::string& service);
// For commands about one service of a sandbox (deploy, route): the sandbox
// meant (ResolveSandbox), loaded (LoadActiveSandbox), and the command's
// service known (CheckKnownService).
Status LoadServiceTarget(const HandlerContext& ctx, const Request& req, Sandbox* sandbox);
// The commit refs/heads/{branch} of the service's repo points at.
Status ResolveBranch(Db* db, const std::string& service, const std::string& branch,
                     std::string* sha);
// Queues a deploy of service@sha into the sandbox (service row created or
// moved to `branch`).
Status QueueDeploy(Db* db, const Sandbox& sandbox, const std::string& service,
                   const std::string& branch, const std::string& sha, const std::string& actor,
                   const std::string& source, int64_t* job_id);
// QueueDeploy of a compose service of `repo` (its row's repo), not a repo
// of its own.
Status QueueDeployFrom(Db* db, const Sandbox& sandbox, const std::string& service,
                       const std::string& repo, const std::string& branch, const std::string& sha,
                       const std::string& actor, const std::string& source, int64_t* job_id);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_DISPATCH_H_
