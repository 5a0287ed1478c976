#include "bot/job_steps.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <sstream>
#include <thread>

#include "bot/data_modes.h"
#include "bot/failpoint.h"
#include "bot/sandbox_router.h"
#include "bot/secret_files.h"
#include "bot/volume_data.h"
#include "handlers/router_table.h"
#include "handlers/routes.h"
#include "handlers/traefik.h"
#include "hooks/event_lines.h"
#include "store/baselines.h"
#include "store/routes.h"

namespace sandbot {

namespace fs = std::filesystem;

namespace {

// How long a starting service waits for its sandbox's router to load the
// latest table: a new router's process starts in well under a second, even
// on a loaded engine.
constexpr int kRouterReadyMs = 10000;

}  // namespace

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

bool IsLoopbackHost(const std::string& host) {
  std::string h;
  for (char c : host) h += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return h == "localhost" || h == "::1" || h == "[::1]" || h.rfind("127.", 0) == 0;
}

std::string ProbeHost(const DeployConfig& config) {
  return IsLoopbackHost(config.publish_ip) ? std::string("127.0.0.1") : config.public_host;
}

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

JobSteps::JobSteps(Db* db, ContainerRuntime* runtime, DeployConfig config, JobEventFn on_event)
    : db_(db),
      runtime_(runtime),
      config_(std::move(config)),
      on_event_(std::move(on_event)),
      data_label_(DataLabel(config_.data_dir)) {}

Status JobSteps::CheckStop() const {
  return stop_ ? Status::Unavailable("the daemon is stopping") : Status::Ok();
}

bool JobSteps::Interrupted(const Status& s) {
  if (!s.IsUnavailable()) return false;
  return stop_ || !runtime_->Reachable() || !runtime_->Ping().ok();
}

void JobSteps::Event(const Job& job, JobEvent event) {
  event.job_id = job.id;
  if (event.stage != JobStage::kLog) AppendLog(job, "== " + EventLine(event));
  on_event_(event);
}

void JobSteps::AppendLog(const Job& job, const std::string& line) {
  // Unchecked: the log is for people; a full disk shows in the job's own
  // steps (routes.json, checkouts), which are checked.
  {
    std::ofstream out(JobLogPath(config_.data_dir, job.id), std::ios::app);
    out << line << '\n';
  }
  if (config_.log_written != nullptr) config_.log_written->Notify();
}

std::string JobSteps::ReadLog(const Job& job) const {
  std::ifstream in(JobLogPath(config_.data_dir, job.id));
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

void JobSteps::NoteServiceStatus(const Service& service, ServiceStatus status,
                                 const std::string& detail) {
  Status s = SetServiceStatus(db_, service.id, status, detail);
  if (!s.ok()) {
    spdlog::error("cannot record {} of {}/{}: {}", ServiceStatusName(status), service.sandbox,
                  service.name, s.ToString());
  }
}

VolumeRequest JobSteps::NewVolumeRequest(const std::string& volume) {
  VolumeRequest req;
  req.volume = volume;
  req.data_label = data_label_;
  req.stop = [this] { return CheckStop(); };
  req.engines = config_.engine_runtime;
  req.scratch_dir = config_.data_dir;
  req.seeds_engine = config_.seeds_engine;
  return req;
}

bool JobSteps::UsesRouter(const Sandbox& sandbox) const {
  if (!config_.routers_here && !config_.router) return false;
  const fs::path dir = RouterStateDir(config_.data_dir, sandbox.name);
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return true;
  if (!config_.router) return false;
  for (const Service& service : sandbox.services) {
    if (!service.container_id.empty()) return false;
  }
  // A failure shows where EnsureSandboxRouter makes it again.
  fs::create_directories(dir, ec);
  return true;
}

Status JobSteps::RouteEnvFor(const std::string& sandbox_name, std::vector<std::string>* env,
                             std::string* routes_dir, std::vector<std::string>* held,
                             std::string* version, RouterGateway* gateway) {
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
  if (UsesRouter(sandbox)) RouteThroughRouter(sandbox, repos, &table);
  if (held) held->clear();
  RouterGateway main;
  for (RouteEntry& r : table) {
    if (held && r.router_port > 0) held->push_back(r.service);
    if (r.router_port <= 0 || r.service != sandbox.gateway) continue;
    // The gateway's main URL moves to the router once its port is known.
    for (const Service& svc : sandbox.services) {
      if (svc.name != r.service || svc.host_port <= 0) continue;
      r.main = true;
      main = {r.service, svc.host_port, r.router_port};
    }
  }
  if (gateway) *gateway = main;
  if (version) *version = RouterTableVersion(RoutesJson(table));
  *env = RouteEnv(table);
  // Written whole beside the mounted folder, then renamed into it: a
  // container never sees half a table, and the folder mount (unlike a file
  // mount, pinned to the old inode) shows running containers the new one.
  const fs::path mounted = fs::absolute(RoutesDir(config_.data_dir, sandbox_name));
  const fs::path dir = mounted.parent_path();
  std::error_code ec;
  // A failure shows as the rename's below, which names the file.
  fs::create_directories(mounted, ec);
  // Mounted at /etc/sandbot for a container whose user may be anyone: open
  // to all, whatever the daemon's umask (bot/data_modes.h).
  fs::permissions(mounted, static_cast<fs::perms>(kMountedDirMode), ec);
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
  fs::permissions(tmp, static_cast<fs::perms>(kMountedFileMode), ec);
  fs::rename(tmp, routes_file, ec);
  if (ec) return Status::Unavailable("cannot write " + routes_file + ": " + ec.message());
  return Status::Ok();
}

Status JobSteps::EnsureSandboxNetwork(const std::string& sandbox) {
  return runtime_->EnsureNetwork(
      NetworkName(sandbox),
      {{kLabelManaged, "true"}, {kLabelSandbox, sandbox}, {kLabelData, data_label_}});
}

Status JobSteps::StartService(const Job& job, const Repo& repo, const Service& service,
                              const std::string& sha, const std::string& image,
                              const std::string& workdir, std::string* container_id) {
  const std::string name = ContainerName(job.sandbox, service.name);
  auto fail = [&](const Status& why, const std::string& log) {
    if (Interrupted(why)) {
      NoteServiceStatus(service, ServiceStatus::kQueued, why.message());
      return why;
    }
    NoteServiceStatus(service, ServiceStatus::kFailed, why.message());
    Event(job, ServiceFailed(service.name, why.message()));
    if (!log.empty()) Event(job, MessageEvent(JobStage::kLog, log));
    return why;
  };
  int port = 0;
  std::vector<std::string> route_env;
  std::string routes_dir;
  Sandbox sandbox;  // its gateway and limits
  // A service of a compose file: its container is what the file says, at
  // the commit it runs.
  std::shared_ptr<const ComposeCommit> compose;
  const ComposeService* composed = nullptr;
  Status s = ComposeOf(repo, sha, job.sandbox, service.branch, &compose);
  if (s.ok() && compose) {
    composed = compose->project.Find(service.name);
    if (!composed) {
      s = Status::InvalidArgument(service.name + " is not a service of " + compose->file + " at " +
                                  Short(sha));
    }
  }
  const int container_port = composed ? ComposeMainPort(*composed) : repo.port;
  if (s.ok()) s = GetSandbox(db_, job.sandbox, &sandbox);
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
  } else if (s.ok() && container_port > 0) {
    s = AllocatePort(db_, service.id, config_.port_lo, config_.port_hi, &port);
  }
  std::vector<std::string> held;  // the names the sandbox's router holds
  RouterGateway main_url;         // the main URL, when the router publishes it
  if (s.ok()) s = RouteEnvFor(job.sandbox, &route_env, &routes_dir, &held, nullptr, &main_url);
  ResolvedEnv injected;  // the attached environments' values, opened
  if (s.ok()) s = ResolveForService(db_, config_.secrets, job.sandbox, service.name, &injected);
  // The compose file's secrets and configs join them: files under
  // /run/secrets (and configs at their targets), mounted the same way.
  if (s.ok() && composed) {
    std::string kept;
    s = AddComposeFiles(compose->project, *composed, compose->contents, &injected, &kept);
    if (s.ok() && !kept.empty()) AppendLog(job, service.name + ": " + kept);
    if (!composed->secrets.empty() || !composed->configs.empty()) {
      injected.sources.push_back(compose->file);  // named in the job log's summary
    }
  }
  if (s.ok()) s = EnsureSandboxNetwork(job.sandbox);
  // The sandbox's router is made ready beside this service's volumes and
  // container (a new sandbox pays for the router's create and start once,
  // in parallel, not before its first service); the container starts once
  // the router has loaded the table. The main URL's port may still be held
  // by the gateway's old container (deployed before the router published
  // it): then a router without it now, and with it once that container has
  // stepped aside. The future's destructor waits for it on every way out.
  bool publish_main_after = false;  // set by `router`, read after get()
  std::future<Status> router;
  const bool routed = s.ok() && UsesRouter(sandbox);
  if (routed && !held.empty()) {
    router = std::async(std::launch::async, [&] {
      Status made = EnsureSandboxRouter(runtime_, config_.data_dir, data_label_, job.sandbox, held,
                                        config_.router_ca, main_url);
      if (!made.ok() && !main_url.service.empty()) {
        AppendLog(job, "the router cannot publish the main URL yet (" + made.message() +
                           "): it will once " + main_url.service + " is replaced");
        made = EnsureSandboxRouter(runtime_, config_.data_dir, data_label_, job.sandbox, held,
                                   config_.router_ca);
        publish_main_after = made.ok() && main_url.service == service.name;
      }
      return made;
    });
  }
  auto router_ready = [&]() -> Status {
    if (!router.valid()) return Status::Ok();
    Status ready = router.get();
    int waited_ms = 0;
    if (ready.ok()) {
      ready = AwaitRouterCurrentTable(config_.data_dir, job.sandbox, kRouterReadyMs, &waited_ms);
    }
    return ready;
  };
  // Its named volumes exist (filled from a seed or a clone's source when
  // new) before the container that mounts them.
  std::vector<std::string> volume_binds;
  if (s.ok()) {
    s = PrepareTemplateVolumes(db_, runtime_, sandbox, service.name, NewVolumeRequest(""),
                               &volume_binds);
  }
  if (s.ok()) s = SetServiceStatus(db_, service.id, ServiceStatus::kStarting, "");
  if (!s.ok()) return fail(s, "");

  Event(job, CommitEvent(JobStage::kStarting, service.name, sha));
  ContainerState old;  // the container this one replaces, if any
  s = RecoverStandby(job.sandbox, service.name, &old);
  if (!s.ok()) return fail(s, "");
  // The gateway's port is the router's when it publishes the main URL: the
  // container publishes none (its health is checked through the router).
  const bool main_by_router = main_url.service == service.name;
  ContainerSpec spec = BuildServiceSpec(repo, service, sha, image, main_by_router ? 0 : port,
                                        composed ? std::string() : workdir, route_env);
  spec.host_ip = config_.publish_ip;
  spec.labels[kLabelData] = data_label_;
  if (composed) {
    spec.container_port = container_port;
    s = ApplyComposeService(*composed, job.sandbox, workdir, &spec);
    if (!s.ok()) return fail(s, "");
    // Its named volumes exist before it starts: filled when new from a
    // clone's source or the file's x-sandbot seed, recorded for destroy.
    // The template's seed for a volume wins over the file's (ChooseVolumeSeed).
    const std::string prefix = SandboxVolumeName(job.sandbox, "");
    std::map<std::string, std::string> template_seeds;
    s = TemplateSeeds(db_, sandbox, &template_seeds);
    if (!s.ok()) return fail(s, "");
    for (VolumeMount& m : spec.volume_mounts) {
      if (m.volume.empty()) continue;  // anonymous: the container's own
      const std::string name = m.volume.substr(prefix.size());
      VolumeRequest req = NewVolumeRequest(name);
      std::string from;
      req.seed = ChooseVolumeSeed(name, template_seeds, compose->project.seeds, &from);
      auto file_seed = compose->project.seeds.find(name);
      if (from == "template" && file_seed != compose->project.seeds.end() &&
          file_seed->second != req.seed) {
        AppendLog(job, "volume " + name + ": seed " + req.seed + " from template " +
                           sandbox.template_name + " (the compose file says " + file_seed->second +
                           "), when the volume is new");
      }
      s = PrepareSandboxVolume(db_, runtime_, sandbox, req, &m.volume);
      if (!s.ok()) return fail(s, "");
    }
  }
  if (routed) {
    // The router answers to the service's name; the container to name.local.
    spec.aliases = ServiceAliases(service.name,
                                  std::find(held.begin(), held.end(), service.name) != held.end());
  }
  spec.binds.push_back(routes_dir + ":/etc/sandbot:ro");
  spec.binds.insert(spec.binds.end(), volume_binds.begin(), volume_binds.end());
  // Tells Reroute this container sees routes.json change in place.
  spec.labels[kLabelRoutes] = "dir";
  std::string injected_note;  // keys and paths only: job logs never hold values
  s = InjectEnvironment(config_.data_dir, job.sandbox, service.name, injected, &spec,
                        &injected_note);
  if (s.ok() && !injected_note.empty()) AppendLog(job, service.name + " " + injected_note);
  auto configured = config_.service_limits.find(service.name);
  const ContainerLimits limits =
      ResolveLimits({service.memory_mb, service.cpus}, {sandbox.memory_mb, sandbox.cpus},
                    configured == config_.service_limits.end() ? LimitSource{} : configured->second,
                    {static_cast<int>(config_.memory_bytes >> 20), config_.nano_cpus / 1e9});
  spec.memory_bytes = limits.memory_bytes;
  spec.nano_cpus = limits.nano_cpus;
  for (auto& [key, value] :
       TraefikLabels(job.sandbox, service.name, config_.domain, container_port, spec.network)) {
    spec.labels[key] = value;
  }
  // Same name, same port. The running container steps aside under its
  // standby name (still running) while the new one is created, stops only
  // so the new one can take the port, and is removed once the new one has
  // started: a container the engine will not create or start (a mount, a
  // limit) never costs the running one, which gets its name back.
  const std::string standby = StandbyContainerName(job.sandbox, service.name);
  if (s.ok() && old.exists) s = runtime_->RenameContainer(name, standby);
  const bool swapped = s.ok() && old.exists;
  if (s.ok()) s = runtime_->CreateContainer(spec, container_id);
  if (s.ok()) Failpoint("container.created");
  if (s.ok()) s = router_ready();
  if (s.ok() && swapped) s = runtime_->StopContainer(standby, 0);
  if (s.ok()) s = runtime_->StartContainer(*container_id);
  if (!s.ok() && swapped && !Interrupted(s)) return PutBack(job, service, old, s);
  if (!s.ok() && !swapped && old.running && !Interrupted(s)) return KeepRunning(job, service, s);
  if (s.ok() && swapped) {
    // Left behind, it is removed at the next replacement (RecoverStandby).
    Status gone = runtime_->RemoveContainer(standby);
    if (!gone.ok()) AppendLog(job, "cannot remove " + standby + ": " + gone.message());
  }
  if (s.ok()) Failpoint("container.started");
  if (s.ok() && publish_main_after) {
    s = EnsureSandboxRouter(runtime_, config_.data_dir, data_label_, job.sandbox, held,
                            config_.router_ca, main_url);
  }
  const std::string url = port > 0 ? ServiceUrl(config_, port) : std::string();
  if (s.ok()) s = SetServiceDeployed(db_, service.id, sha, image, *container_id, url);
  if (!s.ok()) return fail(s, LogTail(name));
  const ComposeReadiness readiness =
      composed ? ReadinessOf(compose->project, service.name, compose->enabled)
               : ComposeReadiness::kStarted;
  s = composed ? WaitComposeReady(name, readiness)
               : WaitHealthy(job, repo, name, port,
                             main_by_router ? service.name + ".local" : std::string());
  if (!s.ok()) return fail(s, LogTail(name));
  if (readiness == ComposeReadiness::kCompleted) {
    s = SetServiceStatus(db_, service.id, ServiceStatus::kStopped, "completed (exit code 0)");
    if (!s.ok()) return fail(s, "");
    Event(job, MessageEvent(JobStage::kNote, service.name + " completed (exit code 0)"));
    return Status::Ok();
  }
  s = SetServiceStatus(db_, service.id, ServiceStatus::kRunning, "");
  if (!s.ok()) return fail(s, "");
  Event(job, ServiceRunning(service.name, url));
  return Status::Ok();
}

Status JobSteps::RecoverStandby(const std::string& sandbox, const std::string& service,
                                ContainerState* current) {
  const std::string name = ContainerName(sandbox, service);
  const std::string standby = StandbyContainerName(sandbox, service);
  ContainerState left;
  Status s = runtime_->InspectContainer(name, current);
  if (s.ok()) s = runtime_->InspectContainer(standby, &left);
  if (!s.ok() || !left.exists) return s;
  // A replacement cut short (the daemon killed, the engine gone): a running
  // successor wins; otherwise the one that ran before comes back.
  if (current->exists && current->running) return runtime_->RemoveContainer(standby);
  s = runtime_->RemoveContainer(name);
  if (s.ok()) s = runtime_->RenameContainer(standby, name);
  if (s.ok()) *current = left;
  return s;
}

Status JobSteps::PutBack(const Job& job, const Service& service, const ContainerState& old,
                         const Status& why) {
  const std::string name = ContainerName(job.sandbox, service.name);
  Status s = runtime_->RemoveContainer(name);
  if (s.ok()) s = runtime_->RenameContainer(StandbyContainerName(job.sandbox, service.name), name);
  if (s.ok() && old.running) s = runtime_->StartContainer(name);
  if (s.ok() && old.running) return KeepRunning(job, service, why);
  // It was not running (a resume): back in its place, stopped as it was.
  const std::string message =
      "cannot replace the container of " + service.name + ": " + why.message() +
      (s.ok() ? "; the previous one is back, stopped"
              : "; putting the previous one back failed too: " + s.message());
  NoteServiceStatus(service, ServiceStatus::kFailed, message);
  Event(job, ServiceFailed(service.name, message));
  return Status::Internal(message);
}

Status JobSteps::KeepRunning(const Job& job, const Service& service, const Status& why) {
  const std::string message = "cannot replace the container of " + service.name + ": " +
                              why.message() + "; the running one (" + Short(service.commit) +
                              ") is kept";
  // The row still describes the running container (its commit, image, URL).
  NoteServiceStatus(service, ServiceStatus::kRunning, "");
  Event(job, ServiceFailed(service.name, message));
  if (why.IsInvalidArgument()) return Status::InvalidArgument(message);
  return Status::Internal(message);
}

Status JobSteps::WaitHealthy(const Job& job, const Repo& repo, const std::string& container,
                             int port, const std::string& host) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(config_.health_timeout_seconds);
  auto last_inspect = Clock::time_point();
  httplib::Client client(ProbeHost(config_), port);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(2, 0);
  if (!host.empty()) client.set_default_headers({{"Host", host}});
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
    // Most apps answer within a second of starting: every 20 ms until then
    // (a refused connect costs next to nothing), backing off after.
    if (Clock::now() - start > std::chrono::seconds(1)) delay_ms = std::min(delay_ms * 2, 250);
  }
}

Status JobSteps::WaitReady(const Job& job, const Repo& repo, const Service& service,
                           const std::string& container) {
  std::shared_ptr<const ComposeCommit> compose;
  Status s = ComposeOf(repo, service.commit, job.sandbox, service.branch, &compose);
  if (!s.ok()) return s;
  if (!compose || !compose->project.Find(service.name)) {
    // A gateway's port may be its router's: the Host names its own container.
    return WaitHealthy(job, repo, container, service.host_port,
                       config_.routers_here ? service.name + ".local" : std::string());
  }
  return WaitComposeReady(container, ReadinessOf(compose->project, service.name, compose->enabled));
}

bool JobSteps::ComposeJobDone(const Repo& repo, const Service& service,
                              const std::string& sandbox) {
  std::shared_ptr<const ComposeCommit> compose;
  if (!ComposeOf(repo, service.commit, sandbox, service.branch, &compose).ok() || !compose ||
      !compose->project.Find(service.name)) {
    return false;
  }
  return ReadinessOf(compose->project, service.name, compose->enabled) ==
         ComposeReadiness::kCompleted;
}

Status JobSteps::WaitComposeReady(const std::string& container, ComposeReadiness readiness) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::seconds(config_.health_timeout_seconds);
  int delay_ms = 20;
  for (;;) {
    Status s = CheckStop();
    if (!s.ok()) return s;
    ContainerState state;
    s = runtime_->InspectContainer(container, &state);
    if (!s.ok()) return s;
    if (readiness == ComposeReadiness::kCompleted) {
      if (!state.running && state.status == "exited") {
        if (state.exit_code == 0) return Status::Ok();
        return Status::Internal("the job exited with code " + std::to_string(state.exit_code));
      }
    } else if (!state.running && state.status != "restarting") {
      return Status::Internal("the container stopped (" + state.status + ", exit code " +
                              std::to_string(state.exit_code) + ")");
    } else if (readiness == ComposeReadiness::kHealthy) {
      if (state.health == "healthy") return Status::Ok();
      if (state.health == "unhealthy") {
        return Status::Internal("its health check says unhealthy");
      }
    } else if (state.running && Clock::now() - start >= std::chrono::milliseconds(500)) {
      // Started, and still running half a second later.
      return Status::Ok();
    }
    if (Clock::now() > deadline) {
      return Status::Unavailable(
          std::string(readiness == ComposeReadiness::kCompleted ? "not completed" : "not healthy") +
          " within " + std::to_string(config_.health_timeout_seconds) + " s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    delay_ms = std::min(delay_ms * 2, 200);
  }
}

Status JobSteps::ComposeOf(const Repo& repo, const std::string& sha, const std::string& sandbox,
                           const std::string& branch, std::shared_ptr<const ComposeCommit>* out) {
  out->reset();
  if (sha.empty()) return Status::Ok();
  const std::string key =
      repo.path + "\n" + repo.compose_file + "\n" + sha + "\n" + sandbox + "\n" + branch;
  {
    std::lock_guard<std::mutex> lock(compose_mu_);
    auto it = compose_cache_.find(key);
    if (it != compose_cache_.end()) {
      *out = it->second;
      return Status::Ok();
    }
  }
  std::unique_ptr<GitRepo> git;
  Status s = GitRepo::Open(repo.path, &git);
  if (!s.ok()) {
    // No repository to read (removed, or a service only ever started from
    // its image): the container is made as for a single service; a deploy
    // of a new commit reports the missing repository itself.
    spdlog::debug("{}: no compose file read at {}: {}", repo.name, Short(sha), s.ToString());
    return Status::Ok();
  }
  auto loaded = std::make_shared<ComposeCommit>();
  s = LoadComposeCommit(
      git.get(), sha, repo.compose_file, sandbox, branch,
      {{config_.port_lo, config_.port_hi}, {config_.gateway_lo, config_.gateway_hi}}, loaded.get());
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(compose_mu_);
  if (compose_cache_.size() >= 64) compose_cache_.clear();
  if (!loaded->file.empty()) *out = loaded;
  compose_cache_[key] = *out;
  return Status::Ok();
}

std::string JobSteps::LogTail(const std::string& container) {
  std::string logs;
  Status s = runtime_->ContainerLogs(container, config_.log_tail_lines, &logs);
  return s.ok() ? TailLines(logs, config_.log_tail_lines) : std::string();
}

}  // namespace sandbot
