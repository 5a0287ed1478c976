#include "bot/deployer.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "bot/failpoint.h"
#include "bot/secret_files.h"
#include "handlers/routes.h"
#include "handlers/traefik.h"
#include "hooks/event_lines.h"
#include "hooks/git_repo.h"
#include "store/baselines.h"
#include "store/lifecycle.h"
#include "store/routes.h"

namespace sandbot {

namespace fs = std::filesystem;

namespace {

// Containers a reroute recreates at the same time.
constexpr size_t kParallelStarts = 8;

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
      {kLabelManaged, "true"},       {kLabelSandbox, service.sandbox},
      {kLabelService, service.name}, {kLabelRepo, repo.name},
      {kLabelCommit, sha},
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
  if (job.kind == "suspend") return Suspend(job);
  if (job.kind == "resume") return Resume(job);
  if (job.kind == "rename") return Rename(job);  // bot/rename.cc
  return Status::InvalidArgument("unknown job kind '" + job.kind + "'");
}

void Deployer::Event(const Job& job, JobEvent event) {
  event.job_id = job.id;
  if (event.stage != JobStage::kLog) AppendLog(job, "== " + EventLine(event));
  on_event_(event);
}

void Deployer::AppendLog(const Job& job, const std::string& line) {
  std::ofstream out(JobLogPath(config_.data_dir, job.id), std::ios::app);
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
    Event(job, ServiceFailed(service.name, why.message()));
    if (!log.empty()) Event(job, MessageEvent(JobStage::kLog, log));
    return why;
  };

  SetServiceStatus(db_, service.id, "building", "");
  Event(job, CommitEvent(JobStage::kBuilding, service.name, job.commit));
  Failpoint("build.started");
  s = PrepareImage(job, repo, &image, &workdir);
  if (s.ok()) s = CheckStop();
  if (!s.ok()) {
    std::ifstream in(JobLogPath(config_.data_dir, job.id));
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
                             std::string* routes_dir) {
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
  // Written whole beside the mounted folder, then renamed into it: a
  // container never sees half a table, and the folder mount (unlike a file
  // mount, pinned to the old inode) shows running containers the new one.
  const fs::path mounted = fs::absolute(RoutesDir(config_.data_dir, sandbox_name));
  const fs::path dir = mounted.parent_path();
  std::error_code ec;
  // A failure shows as the rename's below, which names the file.
  fs::create_directories(mounted, ec);
  *routes_dir = mounted.string();
  const std::string routes_file = (mounted / "routes.json").string();
  // Per thread: a reroute writes the same table from several at once.
  const std::string tmp = (dir / "routes.json.tmp").string() +
                          std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << RoutesJson(table);
    if (!out.flush()) return Status::Unavailable("cannot write " + tmp + " (disk full?)");
  }
  fs::rename(tmp, routes_file, ec);
  if (ec) return Status::Unavailable("cannot write " + routes_file + ": " + ec.message());
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
    Event(job, ServiceFailed(service.name, why.message()));
    if (!log.empty()) Event(job, MessageEvent(JobStage::kLog, log));
    return why;
  };
  int port = 0;
  std::vector<std::string> route_env;
  std::string routes_dir;
  Sandbox sandbox;  // its gateway and limits
  Status s = GetSandbox(db_, job.sandbox, &sandbox);
  // The gateway's port comes from its own range: the sandbox's main URL.
  const bool gateway = s.ok() && !sandbox.gateway.empty() && sandbox.gateway == service.name;
  if (s.ok() && gateway) {
    s = AllocatePort(db_, service.id, config_.gateway_lo, config_.gateway_hi, &port);
    if (s.IsUnavailable()) {
      s = Status::Unavailable(
          "every gateway port in " + std::to_string(config_.gateway_lo) + "-" +
          std::to_string(config_.gateway_hi) + " is taken, so " + service.name +
          " cannot be the gateway of " + job.sandbox +
          "; destroy unused sandboxes or widen `sandbot serve --gateway-ports`");
    }
  } else if (s.ok()) {
    s = AllocatePort(db_, service.id, config_.port_lo, config_.port_hi, &port);
  }
  if (s.ok()) s = RouteEnvFor(job.sandbox, &route_env, &routes_dir);
  ResolvedEnv injected;  // the attached environments' values, opened
  if (s.ok()) s = ResolveForService(db_, config_.secrets, job.sandbox, service.name, &injected);
  if (s.ok()) {
    s = runtime_->EnsureNetwork(
        NetworkName(job.sandbox),
        {{kLabelManaged, "true"}, {kLabelSandbox, job.sandbox}, {kLabelData, data_label_}});
  }
  if (!s.ok()) return fail(s, "");

  SetServiceStatus(db_, service.id, "starting", "");
  Event(job, CommitEvent(JobStage::kStarting, service.name, sha));
  // Same name, same port: the old container must be gone first.
  s = runtime_->RemoveContainer(name);
  if (s.ok()) {
    ContainerSpec spec = BuildServiceSpec(repo, service, sha, image, port, workdir, route_env);
    spec.labels[kLabelData] = data_label_;
    spec.binds.push_back(routes_dir + ":/etc/sandbot:ro");
    // Tells Reroute this container sees routes.json change in place.
    spec.labels[kLabelRoutes] = "dir";
    std::string injected_note;  // keys and paths only: job logs never hold values
    s = InjectEnvironment(config_.data_dir, job.sandbox, service.name, injected, &spec,
                          &injected_note);
    if (s.ok() && !injected_note.empty()) AppendLog(job, service.name + " " + injected_note);
    auto configured = config_.service_limits.find(service.name);
    const ContainerLimits limits = ResolveLimits(
        {service.memory_mb, service.cpus}, {sandbox.memory_mb, sandbox.cpus},
        configured == config_.service_limits.end() ? LimitSource{} : configured->second,
        {static_cast<int>(config_.memory_bytes >> 20), config_.nano_cpus / 1e9});
    spec.memory_bytes = limits.memory_bytes;
    spec.nano_cpus = limits.nano_cpus;
    for (auto& [key, value] :
         TraefikLabels(job.sandbox, service.name, config_.domain, repo.port, spec.network)) {
      spec.labels[key] = value;
    }
    if (s.ok()) s = runtime_->CreateContainer(spec, container_id);
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
  Event(job, ServiceRunning(service.name, url));
  return Status::Ok();
}

Status Deployer::Reroute(const Job& job) {
  Sandbox sandbox;
  Status s = GetSandbox(db_, job.sandbox, &sandbox);
  if (!s.ok()) return s;
  Event(job, MessageEvent(JobStage::kRerouting, "applying routes to sandbox " + job.sandbox));
  // Containers of services no longer in the sandbox (a restore dropped them).
  std::vector<ContainerInfo> containers;
  s = runtime_->ListContainers(
      {{kLabelManaged, "true"}, {kLabelSandbox, job.sandbox}, {kLabelData, data_label_}},
      &containers);
  if (!s.ok()) return s;
  for (const ContainerInfo& c : containers) {
    bool known = false;
    for (const Service& service : sandbox.services) {
      known = known || c.name == ContainerName(job.sandbox, service.name);
    }
    if (known) continue;
    s = runtime_->RemoveContainer(c.id);
    if (!s.ok()) return s;
    auto service_label = c.labels.find(kLabelService);
    if (service_label != c.labels.end()) {
      RemoveServiceFiles(config_.data_dir, job.sandbox, service_label->second);
    }
    Event(job, MessageEvent(JobStage::kRemoved,
                            "removed " + c.name + " (its service left the sandbox)"));
  }
  struct Restart {
    const Service* service;
    Repo repo;
    std::string workdir;
  };
  std::vector<Restart> restarts;
  for (const Service& service : sandbox.services) {
    if (service.image.empty() || service.commit.empty()) continue;  // never deployed
    Restart r{&service, Repo(), ""};
    s = GetRepo(db_, service.repo, &r.repo);
    if (!s.ok()) return s;
    if (!r.repo.image.empty() && service.image == r.repo.image) {
      r.workdir = CheckoutDir(config_.data_dir, job.sandbox, r.repo.name, service.commit);
    }
    restarts.push_back(std::move(r));
  }
  // A service that declared a reload signal, running this very commit and
  // image with the routes folder mounted, re-reads the rewritten
  // routes.json on the signal: no recreate. Its {SERVICE}_URL variables
  // keep their old values (an environment only changes with a recreate).
  size_t signalled = 0;
  if (!restarts.empty()) {
    std::vector<std::string> route_env;
    std::string routes_dir;
    s = RouteEnvFor(job.sandbox, &route_env, &routes_dir);
    if (!s.ok()) return s;
  }
  for (auto it = restarts.begin(); it != restarts.end();) {
    const std::string& signal = it->repo.reload_signal;
    const std::string name = ContainerName(job.sandbox, it->service->name);
    const ContainerInfo* current = nullptr;
    for (const ContainerInfo& c : containers) {
      if (c.name == name) current = &c;
    }
    auto label = [&](const char* key) {
      auto found = current->labels.find(key);
      return found == current->labels.end() ? std::string() : found->second;
    };
    if (signal.empty() || current == nullptr || current->state != "running" ||
        current->image != it->service->image || label(kLabelCommit) != it->service->commit ||
        label(kLabelRoutes) != "dir") {
      ++it;
      continue;
    }
    s = runtime_->SignalContainer(name, signal);
    if (!s.ok()) {
      if (Interrupted(s)) return s;
      // It stopped meanwhile, say: recreating applies the routes all the same.
      AppendLog(job, it->service->name + ": SIG" + signal + " failed (" + s.message() +
                         "); recreating it instead");
      ++it;
      continue;
    }
    Event(job, MessageEvent(JobStage::kReloaded,
                            it->service->name + " reloaded routes (SIG" + signal + ")"));
    ++signalled;
    it = restarts.erase(it);
  }
  // All containers are recreated at once (at most kParallelStarts): a route
  // change is applied when the slowest one is healthy, not after the sum.
  std::vector<Status> results(restarts.size());
  std::atomic<size_t> next{0};
  auto start_next = [&] {
    for (size_t i = next++; i < restarts.size(); i = next++) {
      const Restart& r = restarts[i];
      std::string container_id;
      results[i] = StartService(job, r.repo, *r.service, r.service->commit, r.service->image,
                                r.workdir, &container_id);
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < std::min(restarts.size(), kParallelStarts); ++t) {
    threads.emplace_back(start_next);
  }
  start_next();
  for (std::thread& t : threads) t.join();
  for (const Status& r : results) {
    if (!r.ok()) return r;
  }
  const size_t updated = signalled + restarts.size();
  Event(job, MessageEvent(JobStage::kRerouted,
                          "routes applied to " + std::to_string(updated) + " containers of " +
                              job.sandbox + " (" + std::to_string(signalled) + " signalled, " +
                              std::to_string(restarts.size()) + " recreated)"));
  return Status::Ok();
}

Status Deployer::Suspend(const Job& job) {
  Sandbox sandbox;
  Status s = GetSandbox(db_, job.sandbox, &sandbox);
  if (!s.ok()) return s;
  Event(job, MessageEvent(JobStage::kSuspending, "stopping the containers of " + job.sandbox));
  int stopped = 0;
  for (const Service& service : sandbox.services) {
    if (service.image.empty()) continue;  // never ran: its deploy waits for the resume
    const std::string name = ContainerName(job.sandbox, service.name);
    ContainerState state;
    s = runtime_->InspectContainer(name, &state);
    if (s.ok() && state.running) {
      s = runtime_->StopContainer(name, 5);
      if (s.ok()) ++stopped;
    }
    if (s.ok()) {
      s = SetServiceStatus(db_, service.id, "suspended",
                           "`/sandbox resume " + job.sandbox + "` starts it again");
    }
    if (!s.ok()) return s;
  }
  // A command marked it already; expiry too. Kept as is so suspended_at
  // (the retention clock) does not move.
  s = MarkSuspended(db_, job.sandbox);
  if (!s.ok()) return s;
  Event(job, MessageEvent(JobStage::kSuspended,
                          "sandbox " + job.sandbox + " suspended (" + std::to_string(stopped) +
                              " containers stopped; ports and configuration kept)"));
  return Status::Ok();
}

Status Deployer::Resume(const Job& job) {
  Sandbox sandbox;
  Status s = GetSandbox(db_, job.sandbox, &sandbox);
  if (!s.ok()) return s;
  Event(job, MessageEvent(JobStage::kResuming, "starting the containers of " + job.sandbox));
  std::string failures;
  int started = 0;
  for (const Service& service : sandbox.services) {
    if (service.image.empty() || service.commit.empty()) continue;  // never ran
    Repo repo;
    s = GetRepo(db_, service.repo, &repo);
    if (!s.ok()) return s;
    const std::string name = ContainerName(job.sandbox, service.name);
    ContainerState state;
    s = runtime_->InspectContainer(name, &state);
    if (!s.ok()) return s;
    if (!state.exists) {
      // Gone while suspended: recreate it from its image on its port.
      std::string workdir;
      if (!repo.image.empty() && service.image == repo.image) {
        workdir = CheckoutDir(config_.data_dir, job.sandbox, repo.name, service.commit);
      }
      std::string container_id;
      s = StartService(job, repo, service, service.commit, service.image, workdir, &container_id);
    } else {
      SetServiceStatus(db_, service.id, "starting", "");
      s = state.running ? Status::Ok() : runtime_->StartContainer(name);
      if (s.ok()) s = WaitHealthy(job, repo, name, service.host_port);
      if (s.ok()) {
        SetServiceStatus(db_, service.id, "running", "");
        Event(job, ServiceRunning(service.name, service.url));
      } else if (!Interrupted(s)) {
        SetServiceStatus(db_, service.id, "failed", s.message());
        Event(job, ServiceFailed(service.name, s.message()));
      }
    }
    if (!s.ok() && Interrupted(s)) return s;
    if (s.ok()) {
      ++started;
    } else {
      failures += (failures.empty() ? "" : "; ") + service.name + ": " + s.message();
    }
  }
  s = MarkResumed(db_, job.sandbox);
  if (!s.ok()) return s;
  Event(job,
        MessageEvent(JobStage::kResumed, "sandbox " + job.sandbox + " resumed (" +
                                             std::to_string(started) + " containers started)"));
  if (!failures.empty()) return Status::Internal("resumed, but " + failures);
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
    *image = ImageTag(repo.name, job.commit);
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
  *workdir = CheckoutDir(config_.data_dir, job.sandbox, repo.name, job.commit);
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
  Event(job, MessageEvent(JobStage::kDestroying, "destroying sandbox " + job.sandbox));
  std::vector<ContainerInfo> containers;
  Status s = runtime_->ListContainers({{kLabelManaged, "true"}, {kLabelSandbox, job.sandbox}},
                                      &containers);
  if (!s.ok()) return s;
  for (const ContainerInfo& c : containers) {
    s = runtime_->RemoveContainer(c.id);
    if (!s.ok()) return s;
  }
  s = runtime_->RemoveNetwork(NetworkName(job.sandbox));
  if (!s.ok()) return s;
  std::error_code ec;
  fs::remove_all(WorkDir(config_.data_dir, job.sandbox), ec);
  RemoveSandboxFiles(config_.data_dir, job.sandbox);  // its secrets, on disk for the mounts
  s = DeleteSandbox(db_, job.sandbox);
  if (!s.ok()) return s;
  Event(job, MessageEvent(JobStage::kDestroyed, "sandbox " + job.sandbox + " destroyed (" +
                                                    std::to_string(containers.size()) +
                                                    " containers removed)"));
  return Status::Ok();
}

}  // namespace sandbot
