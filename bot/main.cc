// sandbot: the daemon and its command line. Every command takes --data DIR;
// `sandbot COMMAND --help` explains each one.
#include <httplib.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "bot/config.h"
#include "bot/daemon.h"
#include "bot/docker_runtime.h"
#include "bot/version.h"
#include "handlers/lifecycle.h"
#include "handlers/names.h"
#include "handlers/row_views.h"
#include "handlers/sandbox.h"
#include "handlers/sandbox_view.h"
#include "hooks/git_repo.h"
#include "hooks/hook_client.h"
#include "hooks/hook_install.h"
#include "hooks/post_receive.h"
#include "store/audit.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "templates/text.h"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sandbot;

namespace {

int Fail(const Status& s) {
  std::cerr << "sandbot: " << s.message() << "\n";
  return s.ExitCode();
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

Status OpenStore(const std::string& data_dir, std::unique_ptr<Db>* db) {
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) {
    return Status::Unavailable("cannot create the data folder " + data_dir + ": " + ec.message() +
                               " (use --data DIR or SANDBOT_DATA)");
  }
  return Db::Open(DbPath(data_dir), db);
}

std::string SelfPath() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "sandbot";
}

// Tells a running daemon that work was queued; it also polls, so a daemon
// that is down simply finds the job when it starts.
bool WakeDaemon(const std::string& data_dir) {
  httplib::Client client(SocketPath(data_dir));
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(1, 0);
  auto res = client.Post("/v1/wake", "", "application/json");
  return res && res->status == 200;
}

AuditRow CliAudit(const std::string& action) {
  AuditRow row{};
  row.actor = PushingUser();
  row.source = "cli";
  row.action = action;
  return row;
}

struct RepoAddArgs {
  std::string name, path, health = "/", image, default_branch, auto_branches = "*";
  std::string reload_signal;
  std::vector<std::string> cmd;
  int port = 8080;
  bool init = false, wait = false;
};

int RepoAdd(const Config& config, const RepoAddArgs& a) {
  Status s = ValidateServiceName(a.name);
  if (!s.ok()) return Fail(s);
  if (a.port < 1 || a.port > 65535) return Fail(Status::InvalidArgument("--port must be 1-65535"));
  if (!a.health.empty() && a.health[0] != '/') {
    return Fail(Status::InvalidArgument("--health must be a path starting with / (or \"\")"));
  }
  s = ValidateReloadSignal(a.reload_signal);
  if (!s.ok()) return Fail(s);
  const std::string path = Absolute(a.path);
  Repo repo;
  repo.name = a.name;
  repo.path = path;
  repo.port = a.port;
  repo.health = a.health;
  repo.image = a.image;
  repo.cmd = a.cmd;
  repo.auto_branches = a.auto_branches;
  repo.wait = a.wait;
  repo.reload_signal = a.reload_signal;
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
  if (!note.empty()) std::cout << "note: " << note << "\n";
  std::cout << "next: push a branch with a Dockerfile:  git push -o sandbot.wait " << path
            << " HEAD:feature/hello\n";
  return 0;
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
                   {"reload_signal", r.reload_signal}});
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
  std::cout << SandboxJson(sandbox).dump(2) << "\n";
  return 0;
}

int SandboxDestroy(const Config& config, const std::string& name) {
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  int64_t job = 0;
  if (s.ok()) s = RequestDestroy(db.get(), name, PushingUser(), "cli", &job);
  if (db) {
    AuditRow row = CliAudit("sandbox.destroy");
    row.sandbox = name;
    row.status = s.ok() ? "accepted" : "failed";
    row.detail = s.ok() ? "job " + std::to_string(job) : s.message();
    AppendAudit(db.get(), row);
  }
  if (!s.ok()) return Fail(s);
  std::cout << "destroying sandbox " << name << " (job " << job << ")";
  if (!WakeDaemon(config.data_dir)) std::cout << "; the daemon is not running: it runs on start";
  std::cout << "\n";
  Sandbox sandbox;  // a lock holds the destroy job too: say so
  if (GetSandbox(db.get(), name, &sandbox).ok() && !sandbox.locked_by.empty()) {
    std::cout << "  " << WaitNote(sandbox) << "\n";
  }
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

int ImageLoad(const Config& config, const std::string& file) {
  DockerRuntime runtime(config.docker);
  Status s =
      runtime.LoadImage(Absolute(file), [](const std::string& line) { std::cout << line << "\n"; });
  if (!s.ok()) return Fail(s);
  std::cout << "loaded " << file << "\n";
  return 0;
}

int ImageImport(const Config& config, const std::string& file, const std::string& tag) {
  DockerRuntime runtime(config.docker);
  Status s = runtime.ImportImage(Absolute(file), tag, [](const std::string&) {});
  if (!s.ok()) return Fail(s);
  std::cout << "imported " << file << " as " << tag << "\n";
  return 0;
}

// A command of the shared grammar, run by the daemon exactly as chat runs it.
int RunGrammar(const Config& config, const std::string& family, std::vector<std::string> words,
               bool wait) {
  // What does not fit a command line travels as the payload: the file of
  // `env set-file` on standard input, the file named by `template import`.
  std::string payload;
  if (family == "env" && !words.empty() && words[0] == "set-file") {
    payload.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (family == "template" && words.size() == 2 && words[0] == "import") {
    std::ifstream in(words[1], std::ios::binary);
    if (!in) return Fail(Status::NotFound("cannot read " + words[1]));
    payload.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    words.pop_back();
  }
  std::string text;
  for (const std::string& w : words) text += (text.empty() ? "" : " ") + w;
  httplib::Client client(SocketPath(config.data_dir));
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(30, 0);
  json body = {{"family", family}, {"text", text}, {"user", PushingUser()}};
  if (!payload.empty()) body["payload"] = payload;
  auto res = client.Post("/v1/command", body.dump(), "application/json");
  if (!res) {
    return Fail(Status::Unavailable("the daemon is not running on " + SocketPath(config.data_dir) +
                                    "; start it with `sandbot serve`"));
  }
  json answer = json::parse(res->body, nullptr, false);
  if (!answer.is_object()) return Fail(Status::Internal("unreadable answer from the daemon"));
  std::string out = answer.value("text", "");
  bool ok = answer.value("ok", false);
  (ok ? std::cout : std::cerr) << out << (out.empty() || out.back() == '\n' ? "" : "\n");
  if (!ok)
    return Status(res->status == 403   ? Status::Forbidden("")
                  : res->status == 404 ? Status::NotFound("")
                                       : Status::InvalidArgument(""))
        .ExitCode();
  std::vector<int64_t> jobs;
  for (const auto& id : answer.value("jobs", json::array())) jobs.push_back(id.get<int64_t>());
  if (!wait || jobs.empty()) return 0;
  return FollowJobs(config.data_dir, jobs, 900, std::cout) ? 0 : 1;
}

// "clone SRC DST (via the daemon)": a grammar verb's usage for --help.
std::string HelpLine(const std::string& family, const std::string& verb) {
  std::string help = HelpText(family), prefix = "/" + family + " " + verb;
  size_t at = help.find(prefix + " ");
  if (at == std::string::npos) at = help.find(prefix + " —");
  if (at == std::string::npos) return verb + " (via the daemon)";
  size_t end = help.find('\n', at);
  return help.substr(at + family.size() + 2,
                     end == std::string::npos ? end : end - at - family.size() - 2);
}

// The grammar's words after `verb`, without --wait (which sets *wait).
std::vector<std::string> GrammarWords(const std::string& verb, CLI::App* app, bool* wait) {
  std::vector<std::string> words;
  if (!verb.empty()) words.push_back(verb);
  for (const std::string& w : app->remaining()) {
    if (w == "--wait") {
      *wait = true;
    } else {
      words.push_back(w);
    }
  }
  return words;
}

int HookPostReceive(const Config& config, const std::string& repo) {
  HookRequest req;
  req.data_dir = config.data_dir;
  req.repo = repo;
  req.actor = PushingUser();
  req.push_options =
      ReadPushOptions([](const char* name) -> const char* { return std::getenv(name); });
  req.stdin_text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  return RunPostReceive(req, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  config.data_dir = DefaultDataDir();
  config.docker = DefaultDockerEndpoint();

  CLI::App app{
      "sandbot: git push and chat commands in, branch sandboxes on local Docker out.\n"
      "Start the daemon with `sandbot serve`; see `sandbot COMMAND --help`."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");
  app.add_option("--data", config.data_dir,
                 "Data folder: store, socket, spool, logs (default $SANDBOT_DATA or "
                 "/var/lib/sandbot)")
      ->capture_default_str();
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  app.add_option("--config", config.config_file,
                 "JSON config file (default {data}/config.json when present)");
  app.fallthrough();
  app.allow_extras();  // kept for the grammar commands; refused for the others below

  auto* serve = app.add_subcommand("serve", "Run the daemon (foreground; Ctrl-C stops it)");
  serve->add_option("--listen", config.listen, "HTTP listener HOST:PORT")->capture_default_str();
  serve
      ->add_option("--docker", config.docker,
                   "Engine endpoint, unix:///path or tcp://host:port (default $DOCKER_HOST)")
      ->capture_default_str();
  serve->add_option("--ports", config.ports, "Host port range for services")->capture_default_str();
  serve->add_option("--public-host", config.public_host, "Host name used in service URLs")
      ->capture_default_str();
  serve
      ->add_option("--gateway-ports", config.gateway_ports,
                   "Host port range for gateway services (a sandbox's main URL)")
      ->capture_default_str();
  serve->add_option("--domain", config.domain,
                    "Adds Traefik labels routing SERVICE.SANDBOX.DOMAIN to each container");
  serve
      ->add_option("--health-interval", config.health_seconds,
                   "Seconds between health checks of running services (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  serve->add_option("--workers", config.workers, "Jobs run in parallel (one per sandbox)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve
      ->add_option("--health-timeout", config.health_timeout_seconds,
                   "Seconds a new container has to answer its health path")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--memory", config.memory_mb,
                   "Default memory limit of each container, in MB (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  serve
      ->add_option("--cpus", config.cpus, "Default CPU limit of each container, e.g. 0.5 (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1024.0));
  serve
      ->add_option("--reconcile-seconds", config.reconcile_seconds,
                   "How often the store is checked against the engine (0: only at start)")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  serve
      ->add_option("--stop-timeout", config.stop_timeout_seconds,
                   "Seconds running jobs get to reach a safe point on SIGTERM")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  // Applied after the config file, so a flag wins over the file.
  std::string idle_suspend, retention;
  int max_sandboxes = -1;
  serve->add_option("--idle-suspend", idle_suspend,
                    "Suspend sandboxes idle this long, e.g. 14d, 12h, 30m, 5s (0: never; "
                    "default 14d)");
  serve->add_option("--retention", retention,
                    "Destroy sandboxes suspended this long (0: never; default 30d)");
  serve
      ->add_option("--max-sandboxes", max_sandboxes,
                   "Most sandboxes at once, suspended ones included (0: no limit; default 50)")
      ->check(CLI::Range(0, 100000));

  auto* hook = app.add_subcommand("hook", "Git hook entry points (installed by `repo add`)");
  hook->require_subcommand(1);
  std::string hook_repo;
  auto* post_receive =
      hook->add_subcommand("post-receive", "Read pushed refs on stdin and hand them to the daemon");
  post_receive->add_option("--repo", hook_repo, "Repo name as registered")->required();

  auto* repo = app.add_subcommand("repo", "Watch bare git repositories");
  repo->require_subcommand(1);
  RepoAddArgs add_args;
  auto* repo_add = repo->add_subcommand("add", "Register a repo and install its post-receive hook");
  repo_add->add_option("name", add_args.name, "Repo and service name (a-z0-9-)")->required();
  repo_add->add_option("path", add_args.path, "Path of the bare repository")->required();
  repo_add->add_flag("--init", add_args.init, "Create the bare repository");
  repo_add->add_option("--port", add_args.port, "Port the service listens on in its container")
      ->capture_default_str();
  repo_add->add_option("--health", add_args.health, "Health path (\"\" = the container stays up)")
      ->capture_default_str();
  repo_add->add_option("--image", add_args.image,
                       "Runtime image for commits without a Dockerfile (files mounted at /src)");
  repo_add->add_option("--cmd", add_args.cmd,
                       "Command for --image, one --cmd per word: --cmd httpd --cmd -f");
  repo_add->add_option("--default-branch", add_args.default_branch,
                       "Branch that is the baseline (default: the repo's HEAD)");
  repo_add
      ->add_option("--auto-branches", add_args.auto_branches,
                   "Comma-separated globs of branches that create sandboxes")
      ->capture_default_str();
  repo_add->add_flag("--wait", add_args.wait, "Pushes wait for the deploy by default");
  repo_add->add_option("--reload-signal", add_args.reload_signal,
                       "HUP, USR1 or USR2: the service re-reads /etc/sandbot/routes.json on it, "
                       "so a route change signals its container instead of recreating it");
  bool json_out = false;
  auto* repo_list = repo->add_subcommand("list", "List watched repos");
  repo_list->add_flag("--json", json_out, "JSON output");
  std::string remove_name;
  auto* repo_remove = repo->add_subcommand("remove", "Stop watching a repo (removes its hook)");
  repo_remove->add_option("name", remove_name)->required();

  auto* sandbox = app.add_subcommand("sandbox", "Inspect and destroy sandboxes");
  sandbox->require_subcommand(1);
  auto* sandbox_list = sandbox->add_subcommand("list", "Every sandbox with its services");
  sandbox_list->add_flag("--json", json_out, "JSON output");
  std::string sandbox_name;
  auto* sandbox_status =
      sandbox->add_subcommand("status", "One sandbox: branch, commit, status, URL");
  sandbox_status->add_option("name", sandbox_name)->required();
  sandbox_status->add_flag("--json", json_out, "JSON output");
  auto* sandbox_destroy =
      sandbox->add_subcommand("destroy", "Remove a sandbox's containers, network and ports");
  sandbox_destroy->add_option("name", sandbox_name)->required();

  bool wait = false;
  // Words after these belong to the shared grammar: CLI11 leaves them in
  // app.remaining() (global options like --data still parse); --wait is
  // picked out by hand.
  auto grammar = [&](CLI::App* parent, const char* name, const char* help) {
    auto* sub = parent->add_subcommand(name, std::string(help) + "; add --wait to follow the jobs");
    sub->allow_extras();
    return sub;
  };
  auto* sandbox_create = grammar(
      sandbox, "create", "create NAME [from TEMPLATE] [SERVICE@BRANCH ...] (via the daemon)");
  auto* sandbox_logs = grammar(sandbox, "logs", "logs NAME SERVICE [LINES] (via the daemon)");
  auto* sandbox_use = grammar(sandbox, "use", "use NAME: your default sandbox (via the daemon)");
  // The lifecycle verbs: the word is the verb, the rest goes to the grammar.
  std::vector<std::pair<std::string, CLI::App*>> sandbox_verbs;
  for (const char* verb : {"clone", "suspend", "resume", "snapshot", "restore", "lock", "unlock"}) {
    sandbox_verbs.emplace_back(verb, grammar(sandbox, verb, HelpLine("sandbox", verb).c_str()));
  }
  auto* baseline = grammar(&app, "baseline", "baseline set SERVICE URL | unset SERVICE | list");
  auto* template_cmd = grammar(&app, "template",
                               "template create|update|show|list|delete|export|import (import "
                               "reads a JSON file)");
  auto* env = grammar(&app, "env",
                      "env create|set|set-file|unset|show|list|attach|detach|delete|rotate-key "
                      "(set-file reads standard input)");
  auto* deploy = grammar(&app, "deploy", "deploy SERVICE BRANCH [to SANDBOX] (via the daemon)");
  auto* route = grammar(&app, "route",
                        "route SERVICE sandbox|baseline|URL [in SANDBOX] | route list [SANDBOX]");

  auto* audit = app.add_subcommand("audit", "Who did what, when, to which sandbox");
  std::string audit_sandbox;
  int audit_limit = 100;
  audit->add_option("--sandbox", audit_sandbox, "Only this sandbox");
  audit->add_option("--limit", audit_limit, "Newest N rows (0 = all)")->capture_default_str();
  audit->add_flag("--json", json_out, "JSON output");

  auto* image = app.add_subcommand("image", "Offline images (no registry needed)");
  image->require_subcommand(1);
  image->add_option("--docker", config.docker, "Engine endpoint")->capture_default_str();
  std::string image_file, image_tag;
  auto* image_load = image->add_subcommand("load", "Load a `docker save` tarball");
  image_load->add_option("file", image_file)->required()->check(CLI::ExistingFile);
  auto* image_import =
      image->add_subcommand("import", "Import a root filesystem tarball as NAME:TAG");
  image_import->add_option("file", image_file)->required()->check(CLI::ExistingFile);
  image_import->add_option("tag", image_tag)->required();

  app.add_subcommand("version", "Print the version");

  CLI11_PARSE(app, argc, argv);

  auto logger = spdlog::stderr_color_mt("sandbot");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  config.data_dir = Absolute(config.data_dir);
  Status loaded = LoadConfig(&config);
  if (loaded.ok() && !idle_suspend.empty()) {
    loaded = ParseDuration(idle_suspend, &config.idle_suspend_seconds);
  }
  if (loaded.ok() && !retention.empty()) {
    loaded = ParseDuration(retention, &config.retention_seconds);
  }
  if (max_sandboxes >= 0) config.max_sandboxes = max_sandboxes;
  if (!loaded.ok()) return Fail(loaded);
  bool grammar_command = *sandbox_create || *sandbox_logs || *sandbox_use || *deploy || *route ||
                         *baseline || *template_cmd || *env;
  for (const auto& [verb, sub] : sandbox_verbs) grammar_command = grammar_command || *sub;
  if (!grammar_command && !app.remaining().empty()) {
    std::string extra;
    for (const std::string& w : app.remaining()) extra += " " + w;
    return Fail(Status::InvalidArgument("unexpected arguments:" + extra + " (see --help)"));
  }

  if (*serve) {
    Daemon daemon(config);
    return daemon.Run();
  }
  if (*post_receive) return HookPostReceive(config, hook_repo);
  if (*repo_add) return RepoAdd(config, add_args);
  if (*repo_list) return RepoList(config, json_out);
  if (*repo_remove) return RepoRemove(config, remove_name);
  if (*sandbox_list) return SandboxList(config, json_out);
  if (*sandbox_status) return SandboxStatus(config, sandbox_name, json_out);
  if (*sandbox_destroy) return SandboxDestroy(config, sandbox_name);
  // Words first: RunGrammar must see the --wait they may carry.
  std::string family;
  std::vector<std::string> words;
  if (*sandbox_create) family = "sandbox", words = GrammarWords("create", &app, &wait);
  if (*sandbox_logs) family = "sandbox", words = GrammarWords("logs", &app, &wait);
  if (*sandbox_use) family = "sandbox", words = GrammarWords("use", &app, &wait);
  if (*deploy) family = "deploy", words = GrammarWords("", &app, &wait);
  if (*route) family = "route", words = GrammarWords("", &app, &wait);
  for (const auto& [verb, sub] : sandbox_verbs) {
    if (*sub) family = "sandbox", words = GrammarWords(verb, &app, &wait);
  }
  if (*baseline) family = "baseline", words = GrammarWords("", &app, &wait);
  if (*template_cmd) family = "template", words = GrammarWords("", &app, &wait);
  if (*env) family = "env", words = GrammarWords("", &app, &wait);
  if (!family.empty()) return RunGrammar(config, family, words, wait);
  if (*audit) return Audit(config, audit_sandbox, audit_limit, json_out);
  if (*image_load) return ImageLoad(config, image_file);
  if (*image_import) return ImageImport(config, image_file, image_tag);
  std::cout << "sandbot " << kVersion << "\n";
  return 0;
}
