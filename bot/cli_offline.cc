#include "bot/cli_offline.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "bot/cli_util.h"
#include "bot/local_caller.h"
#include "bot/operator_limits.h"
#include "compose/compose_file.h"
#include "handlers/command_args.h"
#include "handlers/forge_pr.h"
#include "handlers/names.h"
#include "handlers/row_views.h"
#include "handlers/sandbox.h"
#include "handlers/sandbox_view.h"
#include "hooks/git_repo.h"
#include "hooks/hook_client.h"
#include "hooks/hook_install.h"
#include "store/audit.h"
#include "store/forges.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "templates/render.h"
#include "templates/text.h"

namespace sandbot {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string SelfPath() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "sandbot";
}

AuditRow CliAudit(const std::string& action) {
  AuditRow row{};
  row.actor = CliCaller(getuid()).Actor();
  row.source = "cli";
  row.action = action;
  return row;
}

int RepoList(const Config& config, bool as_json) {
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  std::vector<Repo> repos;
  if (s.ok()) s = ListRepos(db.get(), &repos);
  if (!s.ok()) return Fail(s);
  if (!as_json) {
    std::cout << RenderRepoListText(RepoViewsOf(repos));
    return 0;
  }
  json out = json::array();
  for (const Repo& r : repos) {
    out.push_back({{"name", r.name},
                   {"path", r.path},
                   {"port", r.port},
                   {"health", r.health},
                   {"image", r.image},
                   {"cmd", r.cmd},
                   {"default_branch", r.default_branch},
                   {"auto_branches", r.auto_branches},
                   {"wait", r.wait},
                   {"reload_signal", r.reload_signal},
                   {"compose_file", r.compose_file}});
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}

int RepoRemove(const Config& config, const std::string& name) {
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  Repo repo;
  if (s.ok()) s = GetRepo(db.get(), name, &repo);
  if (s.ok()) s = RemoveRepo(db.get(), name);
  if (!s.ok()) return Fail(s);
  AuditRow row = CliAudit("repo.remove");
  row.repo = name;
  row.status = "succeeded";
  AppendAudit(db.get(), row);
  std::error_code ec;
  fs::remove(repo.path + "/hooks/post-receive", ec);
  std::cout << "repo " << name << " removed; its hook is gone, the repository itself is kept\n";
  return 0;
}

int SandboxList(const Config& config, bool as_json) {
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  if (s.ok() && !as_json) {
    MessageView view;  // the daemon's answer to `sandbox list`, read here
    s = OfflineSandboxListView(db.get(), &view);
    if (!s.ok()) return Fail(s);
    std::cout << RenderText(view);
    return 0;
  }
  std::vector<Sandbox> sandboxes;
  if (s.ok()) s = ListSandboxes(db.get(), &sandboxes);
  if (!s.ok()) return Fail(s);
  json out = json::array();
  for (const Sandbox& b : sandboxes) out.push_back(SandboxJson(b));
  std::cout << out.dump(2) << "\n";
  return 0;
}

int SandboxStatus(const Config& config, const std::string& name, bool as_json) {
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  if (s.ok() && !as_json) {
    MessageView view;  // the daemon's answer to `sandbox status NAME`, read here
    s = OfflineSandboxView(db.get(), name, &view);
    if (!s.ok()) return Fail(s);
    std::cout << RenderText(view);
    return 0;
  }
  Sandbox sandbox;
  if (s.ok()) s = GetSandbox(db.get(), name, &sandbox);
  if (!s.ok()) return Fail(s);
  json out = SandboxJson(sandbox);
  PullRequest pr;
  if (GetPullRequestBySandbox(db.get(), name, &pr).ok()) out["pr"] = PullRequestJson(pr);
  std::cout << out.dump(2) << "\n";
  return 0;
}

// Through the daemon when it runs, else on the store: either way the
// command chat runs, with its role and lock rules.
int SandboxDestroy(const Config& config, const std::string& name) {
  DaemonAnswer answer;
  Status s = AskDaemon(config.data_dir, "sandbox", "destroy " + name, "", &answer);
  if (!s.ok()) return Fail(s);
  if (answer.reached) return PrintAnswer(config.data_dir, answer, false);
  std::unique_ptr<Db> db;
  s = OpenStore(config.data_dir, &db);
  Reply reply;
  // The caller is this process's uid, with the role the daemon would give it.
  if (s.ok()) {
    s = RunOnStore(db.get(), config, "sandbox", "destroy " + name, getuid(),
                   StoreOwner(config.data_dir), &reply);
  }
  if (!s.ok()) return Fail(s);
  std::cout << RenderText(reply.view) << "\n";
  std::cout << "the daemon is not running: the job runs when it starts\n";
  return 0;
}

int Audit(const Config& config, const std::string& sandbox, int limit, bool as_json) {
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  std::vector<AuditRow> rows;
  if (s.ok()) s = ListAudit(db.get(), sandbox, limit, &rows);
  if (!s.ok()) return Fail(s);
  if (!as_json) {
    std::cout << RenderAuditText(AuditViewsOf(rows));
    return 0;
  }
  json out = json::array();
  for (const AuditRow& r : rows) out.push_back(AuditJson(r));
  std::cout << out.dump(2) << "\n";
  return 0;
}

// Recomputes the chain (store/audit.h): whole, or where it breaks and why.
int AuditVerify(const Config& config, bool as_json) {
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  AuditChainReport report;
  if (s.ok()) s = VerifyAuditChain(db.get(), AuditArchiveDir(config.data_dir), &report);
  if (!s.ok()) return Fail(s);
  if (as_json) {
    std::cout << json{{"whole", report.whole},         {"rows", report.rows},
                      {"archives", report.archives},   {"last_hash", report.last_hash},
                      {"broken_at", report.broken_at}, {"problem", report.problem}}
                     .dump(2)
              << "\n";
  } else if (report.whole) {
    std::cout << "audit chain whole: " << report.rows << " rows (" << report.archives
              << " archives); last hash " << report.last_hash << "\n";
  } else {
    std::cout << "audit chain BROKEN at row " << report.broken_at << ": " << report.problem << "\n";
  }
  return report.whole ? 0 : 1;
}

int HookPostReceive(const Config& config, const std::string& repo) {
  return PostReceiveMain(config.data_dir, repo, std::cin, std::cout);
}

}  // namespace

uid_t StoreOwner(const std::string& data_dir) {
  struct stat st {};
  return stat(DbPath(data_dir).c_str(), &st) == 0 ? st.st_uid : 0;
}

Status RunOnStore(Db* db, const Config& config, const std::string& family, const std::string& text,
                  uid_t uid, uid_t daemon_uid, Reply* reply) {
  const LocalCaller caller = CliCaller(uid);
  Request request;
  request.user_id = caller.identity;
  request.user_name = caller.name;
  request.source = "cli";
  request.role = LocalRole(config, uid, daemon_uid);
  Status s = ParseCommand(family, text, &request.command);
  if (!s.ok()) return s;
  HandlerContext ctx;  // not {…}: see bot/chat_notifier.cc
  ctx.db = db;
  ctx.max_sandboxes = config.max_sandboxes;
  ctx.operator_limits = OperatorLimitsOf(config);
  return HandleCommand(ctx, request, reply);
}

// The repo row `repo add` describes, but for its path and default branch.
Repo OfflineCli::RepoOf(const RepoAddArgs& a) {
  Repo repo;
  repo.name = a.name;
  repo.port = a.port;
  repo.health = a.health;
  repo.image = a.image;
  repo.cmd = a.cmd;
  repo.auto_branches = a.auto_branches;
  repo.wait = a.wait;
  repo.reload_signal = a.reload_signal;
  repo.compose_file = a.compose_file;
  return repo;
}

int OfflineCli::RepoAdd(const Config& config, const RepoAddArgs& a) {
  Status s = ValidateServiceName(a.name);
  if (!s.ok()) return Fail(s);
  if (a.port < 1 || a.port > 65535) return Fail(Status::InvalidArgument("--port must be 1-65535"));
  if (!a.health.empty() && a.health[0] != '/') {
    return Fail(Status::InvalidArgument("--health must be a path starting with / (or \"\")"));
  }
  s = ValidateReloadSignal(a.reload_signal);
  if (!s.ok()) return Fail(s);
  std::string compose;
  if (!a.compose_file.empty() && (!NormalRelativePath(a.compose_file, &compose) ||
                                  compose.empty() || compose == "." || compose.back() == '/')) {
    return Fail(Status::InvalidArgument(
        "--compose must be a file's path inside the repository, relative to its root (e.g. "
        "deploy/compose.qa.yaml), not '" +
        a.compose_file + "'"));
  }
  if (a.forge.empty() != a.forge_repo.empty()) {
    return Fail(Status::InvalidArgument("--forge and --forge-repo go together"));
  }
  RepoAddArgs checked = a;
  checked.compose_file = compose;  // in its normal form
  return a.forge.empty() ? RepoAddAt(config, checked) : ForgeRepoAdd(config, checked);
}

// RepoAdd of a repo on this host (not a forge's mirror), its options checked.
int OfflineCli::RepoAddAt(const Config& config, const RepoAddArgs& a) {
  Status s;
  if (a.path.empty()) return Fail(Status::InvalidArgument("path is required (or --forge)"));
  const std::string path = Absolute(a.path);
  Repo repo = RepoOf(a);
  repo.path = path;
  if (a.init) {
    repo.default_branch = a.default_branch.empty() ? "main" : a.default_branch;
    s = GitRepo::InitBare(path, repo.default_branch);
    if (!s.ok()) return Fail(s);
  } else {
    std::unique_ptr<GitRepo> git;
    s = GitRepo::Open(path, &git);
    if (!s.ok()) return Fail(s);
    repo.default_branch = a.default_branch.empty() ? git->DefaultBranch() : a.default_branch;
  }
  std::unique_ptr<Db> db;
  s = OpenStore(config.data_dir, &db);
  if (!s.ok()) return Fail(s);
  std::string note;
  s = InstallPostReceiveHook(path, SelfPath(), Absolute(config.data_dir), repo.name, &note);
  if (s.ok()) s = AddRepo(db.get(), repo);
  AuditRow row = CliAudit("repo.add");
  row.repo = repo.name;
  row.status = s.ok() ? "succeeded" : "failed";
  row.detail = s.ok() ? path : s.message();
  AppendAudit(db.get(), row);
  if (!s.ok()) return Fail(s);
  std::cout << "repo " << repo.name << " registered at " << path << " (default branch "
            << repo.default_branch << "); post-receive hook installed\n";
  if (!repo.compose_file.empty()) {
    std::cout << "a pushed commit with " << repo.compose_file
              << " deploys all of that file's services\n";
  }
  if (!note.empty()) std::cout << "note: " << note << "\n";
  std::cout << "next: push a branch with a Dockerfile:  git push -o sandbot.wait " << path
            << " HEAD:feature/hello\n";
  return 0;
}

// `repo add NAME --forge F --forge-repo acme/web`: the code comes from the
// forge into a bare mirror ({data}/mirrors/NAME.git unless a path is given),
// fetched by the deploy jobs; no hook, since nobody pushes into it.
int OfflineCli::ForgeRepoAdd(const Config& config, const RepoAddArgs& a) {
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  Forge forge;
  if (s.ok()) s = GetForge(db.get(), a.forge, &forge);
  if (s.ok()) s = ValidatePreviewsPolicy(a.previews);
  if (s.ok() && (a.forge_repo.find('/') == std::string::npos ||
                 a.forge_repo.find_first_of(" \t\n") != std::string::npos)) {
    s = Status::InvalidArgument("--forge-repo is OWNER/NAME (GitLab: GROUP/.../NAME)");
  }
  if (s.ok() && !a.engine.empty() && !ValidEngineRef(a.engine)) {
    s = Status::InvalidArgument("--engine: '" + a.engine +
                                "' is no engine name (lower-case letters, digits and '-')");
  }
  if (!s.ok()) return Fail(s);
  Repo repo = RepoOf(a);
  repo.path =
      a.path.empty() ? Absolute(config.data_dir) + "/mirrors/" + a.name + ".git" : Absolute(a.path);
  repo.default_branch = a.default_branch.empty() ? "main" : a.default_branch;
  ForgeRepo fr;
  fr.repo = a.name;
  fr.forge = forge.name;
  fr.forge_repo = a.forge_repo;
  fr.clone_url = a.clone_url.empty() ? DefaultCloneUrl(forge, a.forge_repo) : a.clone_url;
  fr.previews = a.previews;
  fr.template_name = a.template_name;
  fr.engine = a.engine;
  {
    std::unique_ptr<GitRepo> git;
    if (!GitRepo::Open(repo.path, &git).ok()) s = GitRepo::InitBare(repo.path, repo.default_branch);
  }
  if (s.ok()) {
    Transaction tx(db.get());
    s = tx.status();
    if (s.ok()) s = AddRepo(db.get(), repo);
    if (s.ok()) s = AddForgeRepo(db.get(), fr);
    if (s.ok()) s = tx.Commit();
  }
  AuditRow row = CliAudit("repo.add");
  row.repo = repo.name;
  row.status = s.ok() ? "succeeded" : "failed";
  row.detail = s.ok() ? forge.name + " " + fr.forge_repo + " (previews " + fr.previews +
                            (fr.engine.empty() ? "" : ", engine " + fr.engine) + ")"
                      : s.message();
  AppendAudit(db.get(), row);
  if (!s.ok()) return Fail(s);
  std::cout << "repo " << repo.name << " comes from " << forge.name << " " << fr.forge_repo << " ("
            << fr.clone_url << "), mirrored at " << repo.path << "; previews " << fr.previews
            << (fr.engine.empty() ? "" : " on engine " + fr.engine) << "\n";
  std::cout << "next: on the forge, add a webhook to /forges/" << forge.name
            << "/webhook for pull requests, comments and pushes\n";
  return 0;
}

void OfflineCli::Add(CLI::App* app, CLI::App* sandbox) {
  auto* hook = app->add_subcommand("hook", "Git hook entry points (installed by `repo add`)");
  hook->require_subcommand(1);
  post_receive_ =
      hook->add_subcommand("post-receive", "Read pushed refs on stdin and hand them to the daemon");
  post_receive_->add_option("--repo", hook_repo_, "Repo name as registered")->required();

  auto* repo = app->add_subcommand("repo", "Watch bare git repositories");
  repo->require_subcommand(1);
  repo_add_ = repo->add_subcommand(
      "add",
      "Register a repo and install its post-receive hook. A pushed commit with "
      "compose.yaml (compose.yml, docker-compose.y[a]ml) at its root, or the file "
      "--compose names, deploys all of the file's services");
  repo_add_->add_option("name", add_.name, "Repo and service name (a-z0-9-)")->required();
  repo_add_->add_option("path", add_.path,
                        "Path of the bare repository (with --forge: of its mirror, default "
                        "{data}/mirrors/NAME.git)");
  repo_add_->add_flag("--init", add_.init, "Create the bare repository");
  repo_add_->add_option("--port", add_.port, "Port the service listens on in its container")
      ->capture_default_str();
  repo_add_->add_option("--health", add_.health, "Health path (\"\" = the container stays up)")
      ->capture_default_str();
  repo_add_->add_option("--image", add_.image,
                        "Runtime image for commits without a Dockerfile (files mounted at /src)");
  repo_add_->add_option("--cmd", add_.cmd,
                        "Command for --image, one --cmd per word: --cmd httpd --cmd -f");
  repo_add_->add_option("--default-branch", add_.default_branch,
                        "Branch that is the baseline (default: the repo's HEAD)");
  repo_add_
      ->add_option("--auto-branches", add_.auto_branches,
                   "Comma-separated globs of branches that create sandboxes")
      ->capture_default_str();
  repo_add_->add_flag("--wait", add_.wait, "Pushes wait for the deploy by default");
  repo_add_->add_option("--reload-signal", add_.reload_signal,
                        "HUP, USR1 or USR2: the service re-reads /etc/sandbot/routes.json on it, "
                        "so a route change signals its container instead of recreating it");
  repo_add_->add_option("--compose", add_.compose_file,
                        "The compose file's path in a commit, when it is not compose.yaml, "
                        "compose.yml, docker-compose.yaml or docker-compose.yml at the root");
  repo_add_->add_option("--forge", add_.forge, "The code comes from this forge (forge add)");
  repo_add_->add_option("--forge-repo", add_.forge_repo, "OWNER/NAME on the forge");
  repo_add_->add_option("--clone-url", add_.clone_url,
                        "Where the mirror fetches from (default: the forge's URL of the repo)");
  repo_add_
      ->add_option("--previews", add_.previews,
                   "Pull request previews: auto (every PR), comment (on /preview) or label:NAME")
      ->capture_default_str();
  repo_add_->add_option(
      "--template", add_.template_name,
      "Template of a preview sandbox: the PR's service at its head, the rest as the template says");
  repo_add_->add_option("--engine", add_.engine,
                        "Engine the previews go to (over the template's engine; default: the "
                        "engine with the most room)");
  repo_list_ = repo->add_subcommand("list", "List watched repos");
  repo_list_->add_flag("--json", json_, "JSON output");
  repo_remove_ = repo->add_subcommand("remove", "Stop watching a repo (removes its hook)");
  repo_remove_->add_option("name", remove_name_)->required();

  sandbox_list_ = sandbox->add_subcommand("list", "Every sandbox with its services");
  sandbox_list_->add_flag("--json", json_, "JSON output");
  sandbox_status_ = sandbox->add_subcommand("status", "One sandbox: branch, commit, status, URL");
  sandbox_status_->add_option("name", sandbox_name_)->required();
  sandbox_status_->add_flag("--json", json_, "JSON output");
  sandbox_destroy_ =
      sandbox->add_subcommand("destroy", "Remove a sandbox's containers, network and ports");
  sandbox_destroy_->add_option("name", sandbox_name_)->required();

  audit_ = app->add_subcommand("audit", "Who did what, when, to which sandbox");
  audit_->add_option("--sandbox", audit_sandbox_, "Only this sandbox");
  audit_->add_option("--limit", audit_limit_, "Newest N rows (0 = all)")->capture_default_str();
  audit_->add_flag("--json", json_, "JSON output");
  audit_verify_ = audit_->add_subcommand(
      "verify", "Check the audit trail's hash chain, through its archives (exit 1 if broken)");
  audit_verify_->add_flag("--json", json_, "JSON output");
}

int OfflineCli::Run(const Config& config) const {
  if (post_receive_->parsed()) return HookPostReceive(config, hook_repo_);
  if (repo_add_->parsed()) return RepoAdd(config, add_);
  if (repo_list_->parsed()) return RepoList(config, json_);
  if (repo_remove_->parsed()) return RepoRemove(config, remove_name_);
  if (sandbox_list_->parsed()) return SandboxList(config, json_);
  if (sandbox_status_->parsed()) return SandboxStatus(config, sandbox_name_, json_);
  if (sandbox_destroy_->parsed()) return SandboxDestroy(config, sandbox_name_);
  if (audit_verify_->parsed()) return AuditVerify(config, json_);
  if (audit_->parsed()) return Audit(config, audit_sandbox_, audit_limit_, json_);
  return -1;
}

}  // namespace sandbot
