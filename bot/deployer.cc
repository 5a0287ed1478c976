#include "bot/deployer.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "bot/failpoint.h"
#include "handlers/routes.h"
#include "hooks/git_repo.h"
#include "store/baselines.h"
#include "store/routes.h"

namespace sandbot {

namespace fs = std::filesystem;

namespace {

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

// The last `n` lines of `text`.
std::string TailLines(const std::string& text, int n) {
  size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  int lines = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++lines == n) break;
    --pos;
  }
  return text.substr(pos);
}

}  // namespace

std::string ServiceUrl(const DeployConfig& config, int host_port) {
  return "http://" + config.public_host + ":" + std::to_string(host_port);
}

std::string ContainerName(const std::string& sandbox, const std::string& service) {
  return "sandbox-" + sandbox + "-" + service;
}

std::string NetworkName(const std::string& sandbox) { return "sandbox-" + sandbox; }

std::string DataLabel(const std::string& data_dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(data_dir, ec);
  return ec ? data_dir : p.string();
}

ContainerSpec BuildServiceSpec(const Repo& repo, const Service& service, const std::string& sha,
                               const std::string& image, int host_port, const std::string& workdir,
                               const std::vector<std::string>& route_env) {
  ContainerSpec spec;
  spec.name = ContainerName(service.sandbox, service.name);
  spec.image = image;
  spec.env = {
      "SANDBOT_SANDBOX=" + service.sandbox, "SANDBOT_SERVICE=" + service.name,
      "SANDBOT_BRANCH=" + service.branch,   "SANDBOT_COMMIT=" + sha,
      "PORT=" + std::to_string(repo.port),
  };
  spec.env.insert(spec.env.end(), route_env.begin(), route_env.end());
  spec.labels = {
      {"sandbot.managed", "true"},       {"sandbot.sandbox", service.sandbox},
      {"sandbot.service", service.name}, {"sandbot.repo", repo.name},
      {"sandbot.commit", sha},
  };
  spec.network = NetworkName(service.sandbox);
  spec.aliases = {service.name};
  spec.container_port = repo.port;
  spec.host_port = host_port;
  if (!workdir.empty()) {
    // Buildless flow: the runtime image runs the repo's command in /src.
    spec.binds = {workdir + ":/src:ro"};
    spec.working_dir = "/src";
    spec.cmd = repo.cmd;
  }
  return spec;
}

Deployer::Deployer(Db* db, ContainerRuntime* runtime, DeployConfig config, JobEventFn on_event)
    : db_(db),
      runtime_(runtime),
      config_(std::move(config)),
      on_event_(std::move(on_event)),
      data_label_(DataLabel(config_.data_dir)) {}

Status Deployer::CheckStop() const {
  return stop_ ? Status::Unavailable("the daemon is stopping") : Status::Ok();
}

bool Deployer::Interrupted(const Status& s) {
  if (!s.IsUnavailable()) return false;
  return stop_ || !runtime_->Reachable() || !runtime_->Ping().ok();
}

Status Deployer::Run(const Job& job) {
  if (job.kind == "deploy") return Deploy(job);
  if (job.kind == "destroy") return Destroy(job);
  if (job.kind == "reroute") return Reroute(job);
  return Status::InvalidArgument("unknown job kind '" + job.kind + "'");
}

void Deployer::Event(const Job& job, const std::string& stage, const std::string& message) {
  AppendLog(job, "== " + message);
  on_event_(job.id, stage, message);
}

void Deployer::AppendLog(const Job& job, const std::string& line) {
  std::ofstream out(config_.data_dir + "/logs/job-" + std::to_string(job.id) + ".log",
                    std::ios::app);
  out << line << '\n';
}

Status Deployer::Deploy(const Job& job) {
  Service service;
  Status s = GetService(db_, job.sandbox, job.service, &service);
  if (!s.ok()) return s;
  Repo repo;
  s = GetRepo(db_, service.repo, &repo);
  if (!s.ok()) return s;
  int64_t deployment = 0;
  s = StartDeployment(db_, job, &deployment);
  if (!s.ok()) return s;

  std::string image, workdir, container_id;
  auto fail = [&](const Status& why, const std::string& log) {
    if (Interrupted(why)) {
      SetServiceStatus(db_, service.id, "queued", why.message());
      FinishDeployment(db_, deployment, "interrupted", image, container_id, "");
      return why;
    }
    SetServiceStatus(db_, service.id, "failed", why.message());
    FinishDeployment(db_, deployment, "failed", image, container_id, log);
    Event(job, "failed", service.name + " failed: " + why.message());
    if (!log.empty()) on_event_(job.id, "log", log);
    return why;
  };

  SetServiceStatus(db_, service.id, "building", "");
  Event(job, "building", service.name + " building " + Short(job.commit) + " ...");
  Failpoint("build.started");
  s = PrepareImage(job, repo, &image, &workdir);
  if (s.ok()) s = CheckStop();
  if (!s.ok()) {
    std::ifstream in(config_.data_dir + "/logs/job-" + std::to_string(job.id) + ".log");
    std::stringstream all;
    all << in.rdbuf();
    return fail(s, TailLines(all.str(), config_.log_tail_lines));
  }

  s = StartService(job, repo, service, job.commit, image, workdir, &container_id);
  if (!s.ok()) {
    // Same verdict as StartService's: once it tripped the breaker, asking
    // again costs no ping.
    FinishDeployment(db_, deployment, Interrupted(s) ? "interrupted" : "failed", image,
                     container_id, "");
    return s;
  }
  FinishDeployment(db_, deployment, "running", image, container_id, "");
  // Work folders of older commits are no longer mounted anywhere.
  if (!workdir.empty()) {
    std::error_code ec;
    fs::path dir = fs::path(workdir).parent_path();
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path() != fs::path(workdir) &&
          entry.path().filename().string().rfind(service.name + "-", 0) == 0) {
        fs::remove_all(entry.path(), ec);
      }
    }
  }
  return Status::Ok();
}

Status Deployer::RouteEnvFor(const std::string& sandbox_name, std::vector<std::string>* env,
                             std::string* routes_file) {
  Sandbox sandbox;
  std::map<std::string, std::string> routes;
  std::vector<Repo> repos;
  std::map<std::string, std::string> baselines;
  Status s = GetSandbox(db_, sandbox_name, &sandbox);
  if (s.ok()) s = GetRoutes(db_, sandbox.id, &routes);
  if (s.ok()) s = LoadBaselines(db_, &baselines);
  if (s.ok()) s = ListRepos(db_, &repos);
  if (!s.ok()) return s;
  std::vector<RouteEntry> table = ResolveRoutes(sandbox, routes, baselines, repos);
  *env = RouteEnv(table);
  // Written whole then renamed: a container never sees half a table.
  const fs::path dir = fs::absolute(config_.data_dir + "/work/" + sandbox_name);
  std::error_code ec;
  fs::create_directories(dir, ec);
  *routes_file = (dir / "routes.json").string();
  const std::string tmp = *routes_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << RoutesJson(table);
    if (!out.flush()) return Status::Unavailable("cannot write " + tmp + " (disk full?)");
  }
  fs::rename(tmp, *routes_file, ec);
  if (ec) return Status::Unavailable("cannot write " + *routes_file + ": " + ec.message());
  return Status::Ok();
}

Status Deployer::StartService(const Job& job, const Repo& repo, const Service& service,
                              const std::string& sha, const std::string& image,
                              const std::string& workdir, std::string* container_id) {
  const std::string name = ContainerName(job.sandbox, service.name);
  auto fail = [&](const Status& why, const std::string& log) {
    if (Interrupted(why)) {
      SetServiceStatus(db_, service.id, "queued", why.message());
      return why;
    }
    SetServiceStatus(db_, service.id, "failed", why.message());
    Event(job, "failed", service.name + " failed: " + why.message());
    if (!log.empty()) on_event_(job.id, "log", log);
    return why;
  };
  int port = 0;
  std::vector<std::string> route_env;
  std::string routes_file;
  Status s = AllocatePort(db_, service.id, config_.port_lo, config_.port_hi, &port);
  if (s.ok()) s = RouteEnvFor(job.sandbox, &route_env, &routes_file);
  if (s.ok()) {
    s = runtime_->EnsureNetwork(NetworkName(job.sandbox), {{"sandbot.managed", "true"},
                                                           {"sandbot.sandbox", job.sandbox},
                                                           {"sandbot.data", data_label_}});
  }
  if (!s.ok()) return fail(s, "");

  SetServiceStatus(db_, service.id, "starting", "");
  Event(job, "starting", service.name + " starting " + Short(sha));
  // Same name, same port: the old container must be gone first.
  s = runtime_->RemoveContainer(name);
  if (s.ok()) {
    ContainerSpec spec = BuildServiceSpec(repo, service, sha, image, port, workdir, route_env);
    spec.labels["sandbot.data"] = data_label_;
    spec.binds.push_back(routes_file + ":/etc/sandbot/routes.json:ro");
    spec.memory_bytes = config_.memory_bytes;
    spec.nano_cpus = config_.nano_cpus;
    s = runtime_->CreateContainer(spec, container_id);
  }
  if (s.ok()) Failpoint("container.created");
  if (s.ok()) s = runtime_->StartContainer(*container_id);
  if (s.ok()) Failpoint("container.started");
  const std::string url = ServiceUrl(config_, port);
  if (s.ok()) s = SetServiceDeployed(db_, service.id, sha, image, *container_id, url);
  if (!s.ok()) return fail(s, LogTail(name));
  s = WaitHealthy(job, repo, name, port);
  if (!s.ok()) return fail(s, LogTail(name));
  SetServiceStatus(db_, service.id, "running", "");
  Event(job, "running", service.name + " running  " + url);
  return Status::Ok();
}

Status Deployer::Reroute(const Job& job) {
  Sandbox sandbox;
  Status s = GetSandbox(db_, job.sandbox, &sandbox);
  if (!s.ok()) return s;
  Event(job, "rerouting", "applying routes to sandbox " + job.sandbox);
  int updated = 0;
  for (const Service& service : sandbox.services) {
    if (service.image.empty() || service.commit.empty()) continue;  // never deployed
    Repo repo;
    s = GetRepo(db_, service.repo, &repo);
    if (!s.ok()) return s;
    std::string workdir;
    if (!repo.image.empty() && service.image == repo.image) {
      workdir = config_.data_dir + "/work/" + job.sandbox + "/" + repo.name + "-" +
                service.commit.substr(0, 12);
    }
    std::string container_id;
    s = StartService(job, repo, service, service.commit, service.image, workdir, &container_id);
    if (!s.ok()) return s;
    ++updated;
  }
  Event(job, "rerouted",
        "routes applied to " + std::to_string(updated) + " containers of " + job.sandbox);
  return Status::Ok();
}

Status Deployer::PrepareImage(const Job& job, const Repo& repo, std::string* image,
                              std::string* workdir) {
  std::unique_ptr<GitRepo> git;
  Status s = GitRepo::Open(repo.path, &git);
  if (!s.ok()) return s;
  bool has_dockerfile = false;
  s = git->HasFile(job.commit, "Dockerfile", &has_dockerfile);
  if (!s.ok()) return s;
  if (has_dockerfile) {
    *image = "sandbot/" + repo.name + ":" + job.commit.substr(0, 12);
    bool exists = false;
    s = runtime_->ImageExists(*image, &exists);
    if (!s.ok()) return s;
    if (exists) {
      AppendLog(job, "image " + *image + " already built");
      return Status::Ok();
    }
    std::string context;
    s = git->ExportTar(job.commit, &context);
    if (!s.ok()) return s;
    return runtime_->BuildImage(context, *image,
                                [&](const std::string& line) { AppendLog(job, line); });
  }
  if (repo.image.empty()) {
    return Status::InvalidArgument("commit " + Short(job.commit) + " has no Dockerfile and repo " +
                                   repo.name +
                                   " has no runtime image; add a Dockerfile, or set one with "
                                   "`sandbot repo add ... --image IMAGE --cmd ...`");
  }
  *image = repo.image;
  *workdir =
      config_.data_dir + "/work/" + job.sandbox + "/" + repo.name + "-" + job.commit.substr(0, 12);
  std::error_code ec;
  fs::remove_all(*workdir, ec);  // a half-written checkout from an interrupted job
  s = git->Checkout(job.commit, *workdir);
  if (!s.ok()) return s;
  AppendLog(job, "checked out " + Short(job.commit) + " into " + *workdir);
  return Status::Ok();
}

Status Deployer::WaitHealthy(const Job& job, const Repo& repo, const std::string& container,
                             int port) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(config_.health_timeout_seconds);
  auto last_inspect = Clock::time_point();
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  int delay_ms = 20;
  for (;;) {
    Status stop = CheckStop();
    if (!stop.ok()) return stop;
    const auto now = Clock::now();
    if (now - last_inspect >= std::chrono::milliseconds(300)) {
      last_inspect = now;
      ContainerState state;
      Status s = runtime_->InspectContainer(container, &state);
      if (!s.ok()) return s;
      if (!state.running) {
        return Status::Internal("the container stopped (" + state.status + ", exit code " +
                                std::to_string(state.exit_code) + ")");
      }
      // Without a health path, staying up for two seconds is the check.
      if (repo.health.empty() && now - start >= std::chrono::seconds(2)) return Status::Ok();
    }
    if (!repo.health.empty()) {
      auto res = client.Get(repo.health.c_str());
      if (res && res->status < 400) {
        AppendLog(job, "health " + repo.health + " answered " + std::to_string(res->status));
        return Status::Ok();
      }
    }
    if (Clock::now() > deadline) {
      return Status::Unavailable("no healthy answer on " +
                                 (repo.health.empty() ? "/" : repo.health) + " within " +
                                 std::to_string(config_.health_timeout_seconds) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    delay_ms = std::min(delay_ms * 2, 250);
  }
}

std::string Deployer::LogTail(const std::string& container) {
  std::string logs;
  Status s = runtime_->ContainerLogs(container, config_.log_tail_lines, &logs);
  return s.ok() ? TailLines(logs, config_.log_tail_lines) : std::string();
}

Status Deployer::Destroy(const Job& job) {
  Event(job, "destroying", "destroying sandbox " + job.sandbox);
  std::vector<ContainerInfo> containers;
  Status s = runtime_->ListContainers(
      {{"sandbot.managed", "true"}, {"sandbot.sandbox", job.sandbox}}, &containers);
  if (!s.ok()) return s;
  for (const ContainerInfo& c : containers) {
    s = runtime_->RemoveContainer(c.id);
    if (!s.ok()) return s;
  }
  s = runtime_->RemoveNetwork(NetworkName(job.sandbox));
  if (!s.ok()) return s;
  std::error_code ec;
  fs::remove_all(config_.data_dir + "/work/" + job.sandbox, ec);
  s = DeleteSandbox(db_, job.sandbox);
  if (!s.ok()) return s;
  Event(job, "destroyed",
        "sandbox " + job.sandbox + " destroyed (" + std::to_string(containers.size()) +
            " containers removed)");
  return Status::Ok();
}

}  // namespace sandbot
