#include "bot/daemon.h"

#include <httplib.h>
#include <malloc.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "bot/chat_server.h"
#include "bot/crash_record.h"
#include "bot/data_modes.h"
#include "bot/deployer.h"
#include "bot/destination.h"
#include "bot/docker_runtime.h"
#include "bot/docker_transport.h"
#include "bot/engine_api.h"
#include "bot/engine_breaker.h"
#include "bot/engine_registry.h"
#include "bot/event_hub.h"
#include "bot/expiry.h"
#include "bot/failpoint.h"
#include "bot/forge_permission.h"
#include "bot/forge_server.h"
#include "bot/forge_sweep.h"
#include "bot/guarded_runtime.h"
#include "bot/health_monitor.h"
#include "bot/http_server.h"
#include "bot/local_api.h"
#include "bot/local_caller.h"
#include "bot/local_server.h"
#include "bot/metrics.h"
#include "bot/notifier.h"
#include "bot/operator_limits.h"
#include "bot/readiness.h"
#include "bot/reconciler.h"
#include "bot/rejection_sampler.h"
#include "bot/replay_guard.h"
#include "bot/sandbox_router.h"
#include "bot/scrape_state.h"
#include "bot/seed_worker.h"
#include "bot/signatures.h"
#include "bot/swarm_runtime.h"
#include "bot/systemd_notify.h"
#include "bot/tls_probe.h"
#include "bot/version.h"
#include "bot/web_server.h"
#include "bot/worker_pool.h"
#include "handlers/push.h"
#include "handlers/traefik.h"
#include "hooks/push_wire.h"
#include "hooks/spool.h"
#include "store/audit.h"
#include "store/baselines.h"
#include "store/engines.h"
#include "store/jobs.h"
#include "store/replays.h"
#include "store/secret_keys.h"
#include "util/engine_names.h"
#include "util/identity.h"

namespace sandbot {

namespace fs = std::filesystem;

namespace {

// Turns spooled pushes into jobs. The file name is recorded in the same
// transaction as the jobs, so a crash between commit and unlink is harmless.
void IngestSpoolFiles(Db* db, const Config& config, EventHub* hub) {
  const std::string dir = SpoolDir(config.data_dir);
  for (const std::string& name : ListSpoolFiles(dir)) {
    const std::string path = dir + "/" + name;
    std::ifstream in(path);
    std::stringstream body;
    body << in.rdbuf();
    PushRequest push;
    Status s = DecodePush(body.str(), &push);
    // The hook that wrote the file is its owner: the pusher is judged as
    // on the socket (bot/local_caller.h), never by the name inside.
    struct stat st {};
    if (s.ok() && stat(path.c_str(), &st) != 0) s = Status::InvalidArgument("cannot stat it");
    if (s.ok()) push.actor = PusherOf(config, st.st_uid, push.actor_variable, push.actor).Actor();
    const int max_sandboxes = config.max_sandboxes;
    PushOutcome out;
    if (s.ok()) {
      if (push.id.empty()) push.id = "spool:" + name;
      push.max_sandboxes = max_sandboxes;
      s = HandlePush(db, push, &out);
    }
    if (s.ok() || s.code() == Status::Code::kInvalidArgument ||
        s.code() == Status::Code::kNotFound) {
      if (!s.ok()) {
        spdlog::warn("spooled push {} dropped: {}", name, StripControl(s.ToString(), 300));
      }
      spdlog::info("spooled push {} to {} ingested: {} jobs", name, StripControl(push.repo, 100),
                   out.job_ids.size());
      std::error_code ec;
      fs::remove(path, ec);
      // Left behind, it is read again next time and counts once (by push id).
      if (ec) spdlog::warn("cannot remove the spooled push {}: {}", path, ec.message());
      hub->Notify();
    } else {
      // The store is unavailable (full disk…): keep the file for next time.
      spdlog::error("spooled push {} kept: {}", name, s.ToString());
      return;
    }
  }
}

// True when a daemon already answers on the data folder's socket.
bool AnotherDaemonServes(const std::string& socket_path) {
  httplib::Client client(socket_path);
  client.set_address_family(AF_UNIX);
  client.set_connection_timeout(1, 0);
  auto res = client.Get("/v1/ping");
  return res && res->status == 200;
}

void PrintBanner(const Config& c, const EngineSpec& engine, const std::string& engine_note) {
  std::printf(
      "sandbot %s is running\n"
      "  data     %s (store %s)\n"
      "  engine   %s %s%s%s\n"
      "  local    %s (git hooks and the CLI)\n"
      "  http     http://%s/healthz (/readyz, /metrics)\n"
      "\n"
      "Next, in another terminal:\n"
      "  1. register a repo (creates a bare repo and installs its hook):\n"
      "       sandbot repo add web /srv/git/web.git --init --data %s\n"
      "  2. push a branch with a Dockerfile to it and watch it deploy:\n"
      "       git push -o sandbot.wait /srv/git/web.git HEAD:feature/hello\n"
      "  3. see what runs where:\n"
      "       sandbot sandbox list --data %s\n"
      "Roles: root and this user (cli:%u) are admin on the local socket; grant others by\n"
      "identity in %s/config.json, never by name:\n"
      "  \"roles\": {\"admin\": [\"cli:1001\", \"slack:T024BE7LD/U2CERLKJA\"], "
      "\"viewer\": [\"teams:AAD-OBJECT-ID\"]}\n"
      "Stop with Ctrl-C (SIGTERM); queued work is kept.\n",
      kVersion, c.data_dir.c_str(), DbPath(c.data_dir).c_str(), engine.name.c_str(),
      engine.url.c_str(), engine.Tls().enabled() ? " (mutual TLS)" : "", engine_note.c_str(),
      SocketPath(c.data_dir).c_str(), c.listen.c_str(), c.data_dir.c_str(), c.data_dir.c_str(),
      static_cast<unsigned>(geteuid()), c.data_dir.c_str());
  std::fflush(stdout);
}

}  // namespace

Daemon::Daemon(const Config& config) : config_(config) { sigemptyset(&signals_); }

// Members die in reverse order, after Stop has joined the threads (or they
// never started), so every part outlives its users.
Daemon::~Daemon() {
  if (running_) Stop();
}

int Daemon::Run() {
  int code = Start();
  if (code != 0) return code;
  Wait();
  return Stop();
}

Status Daemon::UseEngine() {
  if (config_.engines.empty()) {
    Status s = ResolveEngines(EngineFlags(), config_.docker, &config_.engines);
    if (!s.ok()) return s;
  }
  engine_ = config_.engines.front();
  // The default engine's own host and ports, when it names them, are the
  // daemon's; every other engine's replace them for its sandboxes
  // (bot/engine_registry.h).
  config_.docker = engine_.url;
  if (!engine_.public_host.empty()) config_.public_host = engine_.public_host;
  if (!engine_.ports.empty()) config_.ports = engine_.ports;
  if (!engine_.gateway_ports.empty()) config_.gateway_ports = engine_.gateway_ports;
  for (const EngineSpec& e : config_.engines) {
    const EngineTls tls = e.Tls();
    if (tls.enabled()) {
      // Unusable files are the operator's to fix now, not a reason to wait.
      const std::string why = CheckTlsFiles(tls);
      if (!why.empty()) return Status::InvalidArgument("engine '" + e.name + "': " + why);
    }
    int lo = 0, hi = 0;
    for (const std::string& range : {e.ports, e.gateway_ports}) {
      Status s = range.empty() ? Status::Ok() : ParsePortRange(range, &lo, &hi);
      if (!s.ok()) return Status::InvalidArgument("engine '" + e.name + "': " + s.message());
    }
    if (e.insecure) {
      spdlog::warn(
          "engine '{}' at {} speaks plain HTTP (--insecure-engine): whoever reaches that "
          "port runs containers as root on its host",
          e.name, e.url);
    }
  }
  return Status::Ok();
}

int Daemon::Start() {
  // glibc gives each thread that allocates an arena of its own until there
  // are M_ARENA_MAX, then makes threads share them in turn. When the two
  // HTTP loops shared one, they took turns on its lock and chat throughput
  // halved (3 runs in 8). The loops start first and take the first arenas
  // after the main one; the other threads share what is left. Few arenas
  // keep the RSS down: glibc keeps what a thread freed in its arena (the
  // maintenance thread's malloc_trim returns it every second).
  mallopt(M_ARENA_MAX, 4);
  Status s = UseEngine();
  if (s.ok()) s = ParsePortRange(config_.ports, &port_lo_, &port_hi_);
  if (s.ok()) s = ParseListen(config_.listen, &listen_host_, &listen_port_);
  if (s.ok()) {
    s = ParsePortRange(config_.gateway_ports, &gateway_lo_, &gateway_hi_);
    if (!s.ok()) s = Status::InvalidArgument("--gateway-ports: " + s.message());
  }
  if (s.ok() && !config_.domain.empty()) s = ValidateDomain(config_.domain);
  if (!s.ok()) {
    spdlog::error("{}", s.message());
    return s.ExitCode();
  }
  // Before anything is created: what the daemon makes is not for others
  // (bot/data_modes.h says which folders are, and why).
  umask(kDaemonUmask);
  std::error_code ec;
  for (const std::string& dir : {config_.data_dir, LogDir(config_.data_dir),
                                 SpoolDir(config_.data_dir), WorkRoot(config_.data_dir)}) {
    fs::create_directories(dir, ec);
    if (ec) {
      spdlog::error("cannot create {}: {}", dir, ec.message());
      return 1;
    }
  }
  std::vector<std::string> fixed;
  s = SecureDataFolder(config_.data_dir, &fixed);
  // Said, not fatal: a read-only folder is refused below with its own
  // reason, and one owned by someone else is the operator's to mend.
  if (!s.ok()) spdlog::warn("{} (others may read it)", s.message());
  if (!fixed.empty()) {
    spdlog::warn("{} files and folders in {} were readable by others; now they are not (first: {})",
                 fixed.size(), config_.data_dir, fixed.front());
  }
  if (AnotherDaemonServes(SocketPath(config_.data_dir))) {
    spdlog::error("another sandbot is already serving {}; stop it first", config_.data_dir);
    return 1;
  }
  int code = OpenStore();
  if (code != 0) return code;
  // Before anything that counts: the deployer's events, the workers, the
  // listener.
  metrics_ = std::make_unique<Metrics>();

  // Signals are taken by sigwait in Wait, never by the worker threads.
  sigaddset(&signals_, SIGTERM);
  sigaddset(&signals_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals_, nullptr);
  signal(SIGPIPE, SIG_IGN);

  for (const EngineSpec& e : config_.engines) {
    if (!e.swarm) continue;
    SwarmPublish publish = SwarmPublish::kIngress;
    if (!e.swarm_publish.empty()) ParseSwarmPublish(e.swarm_publish, &publish);
    SwarmRuntime probe(e.url, e.Tls(), publish);
    // Not a manager: refused now. Not answering: checked again before the
    // first service is made.
    SwarmNode node;
    s = probe.CheckManager(&node);
    if (!s.ok() && !s.IsUnavailable()) {
      spdlog::error("{}", s.message());
      return s.ExitCode();
    }
    // Swarm has no host IP for a published port: say what that opens.
    spdlog::warn(
        "engine '{}' is a Swarm manager: service ports ({}) are published on every interface "
        "of {} (Swarm cannot bind them to 127.0.0.1 as the Docker runtime does); firewall them "
        "if the sandboxes are not for the whole network",
        e.name, e.ports.empty() ? config_.ports : e.ports,
        publish == SwarmPublish::kHost ? "the manager" : "every node (the routing mesh)");
    if (s.ok() && e.name == engine_.name) {
      engine_note_ = " (Swarm manager " + node.node_id.substr(0, 12) + ", " +
                     std::to_string(node.nodes) + " node(s), ports on " +
                     SwarmPublishName(publish) + ")";
    }
  }

  DeployConfig deploy_config;
  deploy_config.data_dir = config_.data_dir;
  deploy_config.port_lo = port_lo_;
  deploy_config.port_hi = port_hi_;
  deploy_config.public_host = config_.public_host;
  deploy_config.health_timeout_seconds = config_.health_timeout_seconds;
  deploy_config.memory_bytes = static_cast<int64_t>(config_.memory_mb) * 1024 * 1024;
  deploy_config.nano_cpus = static_cast<int64_t>(config_.cpus * 1e9);
  deploy_config.gateway_lo = gateway_lo_;
  deploy_config.gateway_hi = gateway_hi_;
  deploy_config.router = config_.router;
  deploy_config.routers_here = true;  // but on a Swarm engine (bot/engine_registry.cc)
  deploy_config.router_ca = config_.router_ca;
  deploy_config.domain = config_.domain;
  deploy_config.secrets = secrets_.get();
  deploy_config.log_written = &log_hub_;
  for (const auto& [service, limits] : config_.limits) {
    deploy_config.service_limits[service] = {limits.memory_mb, limits.cpus};
  }
  // Everything a job does is told through the notifier: the hook stream
  // (job_events) first, then chat.
  notifier_ = std::make_unique<Notifier>(db_.get(), &config_, &hub_);
  notifier_->set_metrics(metrics_.get());
  // Each engine's calls go through its own breaker: retried with backoff,
  // and failed at once while that engine is known to be down; its own
  // deployer, reconciler and health monitor (bot/engine_registry.h).
  engines_ = std::make_unique<EngineRegistry>(
      db_.get(), config_.engines, deploy_config,
      [this](const JobEvent& e) {
        metrics_->OnJobEvent(e.job_id, e.stage);
        notifier_->OnJobEvent(e);
      },
      config_.data_dir);
  runtime_ = engines_->routed();
  std::string down;  // engines not answering, for the banner
  for (const auto& engine : engines_->engines()) {
    const std::string name = engine->spec.name;
    const bool several = engines_->engines().size() > 1;
    engine->breaker->set_on_change([this, name, several](bool reachable, const std::string& why) {
      AuditRow row{};
      row.actor = "sandbot";
      row.source = "daemon";
      row.action = reachable ? "engine.available" : "engine.unavailable";
      row.status = reachable ? "succeeded" : "failed";
      const std::string which = several ? "engine '" + name + "'" : "the Docker engine";
      row.detail = reachable ? which + " answers again; queued jobs resume"
                             : why + "; " + (several ? "its " : "") +
                                   "jobs wait in the queue until it answers";
      Status a = AppendAudit(db_.get(), row);
      if (!a.ok()) spdlog::error("cannot audit the engine's state: {}", a.ToString());
      if (reachable) {
        spdlog::info("{}", row.detail);
      } else {
        spdlog::error("{} is unreachable: {}", which, row.detail);
      }
      hub_.Notify();
    });
    s = engine->runtime->Ping();
    if (!s.ok()) {
      spdlog::warn("engine '{}': {}", name, s.message());
      down += (down.empty() ? " (NOT answering: " : "; ") + name;
    }
  }
  if (!down.empty()) engine_note_ += down + ": their jobs wait in the queue until they do)";
  // Sandboxes from before engines were named ran on the one there was.
  int adopted = 0;
  s = AdoptDeployedSandboxes(db_.get(), engines_->Default()->spec.name, &adopted);
  if (!s.ok()) spdlog::warn("cannot give older sandboxes their engine: {}", s.ToString());
  if (adopted > 0) {
    spdlog::info("{} sandboxes from before engines were named live on engine '{}'", adopted,
                 engines_->Default()->spec.name);
  }
  // Jobs left running by the last process: done again, unless one of them
  // crashed it (its thread took the fatal signal) too often.
  s = TakeCrashRecord(CrashRecordPath(config_.data_dir), &crashed_jobs_);
  if (!s.ok()) spdlog::error("crash record: {}", s.ToString());
  Failpoint("recovery.started");
  jobs_recovered_ = RecoverJobs();
  InstallCrashRecorder(CrashRecordPath(config_.data_dir));
  IngestSpool();

  code = BindListeners();
  if (code != 0) return code;
  // The HTTP loops are the first threads, so each takes a malloc arena of
  // its own (see M_ARENA_MAX above). One loop per core: the chat handlers
  // are CPU work on the store.
  const int http_loops = std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  http_thread_ = std::thread([this, http_loops] { http_->Run(http_loops); });
  http_->WaitUntilRunning(http_loops);

  notifier_->Start();
  workers_ = std::make_unique<WorkerPool>(
      db_.get(), engines_->Default()->deployer.get(), engines_->Default()->runtime.get(), &hub_,
      config_.workers, [this](const Job& job, bool ok, const std::string& detail) {
        notifier_->OnJobFinished(job, ok, detail);
        log_hub_.Notify();  // a live log sends its end now
      });
  workers_->set_metrics(metrics_.get());
  JobRouting routing;
  routing.waiting = [this] { return engines_->Waiting(); };
  routing.any_reachable = [this] { return engines_->AnyReachable(); };
  routing.route = [this](const Job& job, Deployer** deployer, ContainerRuntime** runtime) {
    Engine* engine = nullptr;
    Status s = engines_->ForSandbox(job.sandbox, &engine);
    if (!s.ok()) return s;
    *deployer = engine->deployer.get();
    *runtime = engine->runtime.get();
    return Status::Ok();
  };
  routing.request_stop = [this] {
    for (const auto& e : engines_->engines()) e->deployer->RequestStop();
  };
  workers_->set_routing(std::move(routing));
  if (jobs_recovered_) workers_->Start();
  local_thread_ = std::thread([this] { local_->Run(); });
  // Pushes spooled while we were starting (or by a hook that raced a restart).
  spool_thread_ = std::thread([this] { SpoolLoop(); });

  // Store vs engine: at start, on a timer, and whenever the engine comes
  // back (its containers may have died with it).
  // Idle expiry: two cheap queries per tick, so short test settings show.
  expiry_ = std::make_unique<Expiry>(
      db_.get(), ExpiryConfig{config_.idle_suspend_seconds, config_.retention_seconds},
      [this](const std::string& sandbox, const std::string& owner, const std::string& title,
             const std::string& text) { notifier_->NotifyOwner(sandbox, owner, title, text); });
  maintenance_thread_ = std::thread([this] { MaintenanceLoop(); });
  // Health facts for status answers: container state, restarts, health path.
  health_thread_ = std::thread([this] { HealthLoop(); });
  forge_sweep_thread_ = std::thread([this] { ForgeSweepLoop(); });
  forge_comment_thread_ = std::thread([this] { ForgeCommentLoop(); });
  seed_thread_ = std::thread([this] { SeedLoop(); });

  spdlog::info("sandbot {} serving; data {}", kVersion, config_.data_dir);
  std::string note = engine_note_;
  if (config_.engines.size() > 1) {
    note += " (the default; " + std::to_string(config_.engines.size() - 1) +
            " more: sandbot engine list)";
  }
  PrintBanner(config_, engine_, note);
  // Type=notify: ready once the store is open, the engine checked and both
  // listeners bound.
  NotifySystemd("READY=1\nSTATUS=serving " + config_.listen);
  running_ = true;
  return 0;
}

int Daemon::OpenStore() {
  Status s = Db::Open(DbPath(config_.data_dir), &db_);
  if (!s.ok()) {
    spdlog::error("{}", s.message());
    return s.ExitCode();
  }
  s = checkpointer_.Start(DbPath(config_.data_dir));
  if (!s.ok()) spdlog::warn("store: checkpoints stay on the request path: {}", s.ToString());
  // The key that seals environment secrets: made at first start, and the
  // place an interrupted `env rotate-key` is finished or discarded.
  bool created = false;
  std::vector<std::string> warnings;
  s = SecretKeys::Load(config_.data_dir, db_.get(), &secrets_, &created, &warnings);
  if (!s.ok()) {
    spdlog::error("secrets key: {}", s.message());
    return s.ExitCode();
  }
  if (created) {
    spdlog::warn(
        "created {} (mode 0600): it encrypts the environment secrets; back it up with the "
        "store — without it the secrets cannot be read",
        SecretKeys::KeyPath(config_.data_dir));
  }
  for (const std::string& w : warnings) spdlog::warn("secrets key: {}", w);
  s = SeedBaselines(db_.get(), config_.baselines);
  if (!s.ok()) {
    spdlog::error("cannot record the configured baselines: {}", s.message());
    return s.ExitCode();
  }
  return 0;
}

// Both listeners are bound before any thread starts: a taken port ends the
// start here, with nothing to stop.
int Daemon::BindListeners() {
  local_ = std::make_unique<LocalServer>(LocalServer::Options{});
  RegisterLocalApi(local_.get(), db_.get(), &hub_, runtime_, &config_, secrets_.get());
  RegisterEngineApi(local_.get(), db_.get(), engines_.get(), &config_, &hub_);
  const std::string socket_path = SocketPath(config_.data_dir);
  // 0660: the daemon's group (git service accounts, operators) may connect;
  // each caller is then who the kernel says it is (SO_PEERCRED).
  std::string local_error;
  if (!local_->Bind(socket_path, 0660, &local_error)) {
    spdlog::error("cannot listen on {}: {}", socket_path, local_error);
    return 1;
  }

  // Room for many chat connections; the listener stays under the limit.
  const long files = HttpServer::RaiseOpenFileLimit();
  spdlog::debug("open-file limit {}", files);
  HttpServer::Options http_options;
  http_options.max_body_bytes = config_.chat.max_body_bytes;
  http_options.metrics = metrics_.get();
  http_ = std::make_unique<HttpServer>(http_options);
  http_->Get("/healthz", [](const HttpRequest&, HttpResponse* res) {
    res->Set("{\"ok\":true}", "application/json");
  });
  // Counts and states only (bot/metrics.h): no names, paths, URLs or
  // secrets, so the listener may serve them to whoever reaches /healthz.
  // The state gauges are read on the scraping loop's own store connection,
  // again only when the store changed since that loop's last scrape.
  auto scrape_cache = std::make_shared<ScrapeStateCache>();
  metrics_->set_before_scrape([this, scrape_cache](ScrapeState* state) {
    state->engine_up = engines_->Waiting().empty();
    Status s = scrape_cache->Read(OnThisLoop(*chat_).db, state);
    if (!s.ok()) spdlog::warn("metrics: cannot read the store: {}", s.ToString());
  });
  http_->Get("/metrics", [metrics = metrics_.get()](const HttpRequest&, HttpResponse* res) {
    res->Set(metrics->Serialize(), Metrics::kContentType);
  });
  // Ready: the store answers, the engine answers (a 1 s ping every 2 s, on
  // Readiness's own thread: the loop never waits on it), not stopping. Names the failed check,
  // never an error's text. The engine the daemon drives, with its TLS (bot/engine_config.h).
  // With several engines each is pinged and named; ready while one answers.
  auto ping = [](const EngineSpec& spec) {
    auto engine = std::make_shared<DockerTransport>(spec.url, spec.Tls());
    return [engine] {
      DockerCall call;
      call.path = "/_ping";
      call.read_timeout = 1;
      call.write_timeout = 1;
      DockerReply reply;
      Status s = engine->Send(call, &reply);
      if (s.ok() && reply.status != 200) {
        s = Status::Unavailable("/_ping answered HTTP " + std::to_string(reply.status));
      }
      return s;
    };
  };
  ReadinessChecks checks{[this] { return OnThisLoop(*chat_).db->SchemaVersion() > 0; },
                         [this] { return engines_->Default()->breaker->open(); }, ping(engine_),
                         [this] { return stopping_.load(); }};
  checks.default_engine = engines_->Default()->spec.name;
  for (const auto& e : engines_->engines()) {
    if (e->is_default) continue;
    EngineBreaker* breaker = e->breaker.get();
    checks.other_engines.push_back(
        {e->spec.name, [breaker] { return breaker->open(); }, ping(e->spec)});
  }
  readiness_ = std::make_unique<Readiness>(std::move(checks));
  readiness_->Start();
  http_->Get("/readyz", [this](const HttpRequest&, HttpResponse* res) {
    const ReadinessResult r = readiness_->Check();
    res->status = r.ready() ? 200 : 503;
    res->Set(r.Json(), "application/json");
  });
  // The window of the Slack timestamp check (VerifySlackSignature).
  replay_ = std::make_unique<ReplayGuard>(300, static_cast<int64_t>(std::time(nullptr)));
  chat_ = std::make_unique<ChatContext>(
      ChatContext{db_.get(), runtime_, &config_, &hub_, replay_.get(), secrets_.get()});
  reply_policy_ = std::make_unique<ReplyUrlPolicy>(MakeReplyUrlPolicy(config_.chat));
  chat_->reply_policy = reply_policy_.get();
  rejections_ = std::make_unique<RejectionSampler>();
  chat_->rejections = rejections_.get();
  chat_->metrics = metrics_.get();
  chat_->job_logs = &log_hub_;
  RegisterChatRoutes(http_.get(), chat_.get());
  RegisterForgeRoutes(http_.get(), chat_.get());
  RegisterWebRoutes(http_.get(), chat_.get());
  std::string bind_error;
  if (!http_->Bind(listen_host_, listen_port_, &bind_error)) {
    spdlog::error("cannot listen on {}: {}: is another sandbot running? (--listen HOST:PORT)",
                  config_.listen, bind_error);
    return 1;
  }
  return 0;
}

bool Daemon::RecoverJobs() {
  RecoveryReport recovery;
  // A given-up job's followers hear of it as of any failed job: its chat
  // thread, the deploy webhooks (its starter gets a notice from recovery),
  // queued in the transaction that ends the job.
  Status s = RecoverInterruptedJobs(
      db_.get(), crashed_jobs_, RecoveryLimits(), &recovery,
      [this](const Job& j) { notifier_->OnJobFinished(j, false, j.detail); });
  for (const Job& j : recovery.given_up) spdlog::error("job {} failed: {}", j.id, j.detail);
  if (recovery.requeued + recovery.given_up.size() > 0) {
    spdlog::warn("after a restart: {} interrupted jobs resumed, {} given up", recovery.requeued,
                 recovery.given_up.size());
  }
  if (!s.ok()) {
    spdlog::error(
        "cannot put back the jobs the last run left running: {}; no job runs until they are "
        "(retried every second)",
        s.ToString());
    return false;
  }
  crashed_jobs_.clear();
  return true;
}

void Daemon::IngestSpool() { IngestSpoolFiles(db_.get(), config_, &hub_); }

void Daemon::SpoolLoop() {
  while (!stopping_) {
    hub_.WaitChange(hub_.version(), std::chrono::seconds(2));
    if (!stopping_) IngestSpool();
  }
}

// While the engine is down, probes it every 2 s; else reconciles on the
// timer and when it comes back, and runs idle expiry every second.
// Audit rows past --audit-retention move to a compressed archive, written
// and synced before they leave the store (store/audit.h).
void Daemon::ArchiveOldAudit() {
  int64_t archived = 0;
  std::string file;
  Status s = ArchiveAudit(db_.get(), NowMillis() - config_.audit_retention_seconds * 1000,
                          AuditArchiveDir(config_.data_dir), &archived, &file);
  if (!s.ok()) {
    spdlog::warn("audit archive: {} (rows kept; retried in an hour)", s.message());
  } else if (archived > 0) {
    spdlog::info("audit: {} rows older than the retention archived to {}", archived, file);
  }
}

void Daemon::MaintenanceLoop() {
  using Clock = std::chrono::steady_clock;
  auto next_audit_archive = Clock::now();
  for (const auto& engine : engines_->engines()) {
    engine->was_open = engine->breaker->open();
    engine->next_reconcile = Clock::now();
  }
  while (!stopping_) {
    if (!jobs_recovered_ && (jobs_recovered_ = RecoverJobs())) {
      workers_->Start();
      hub_.Notify();
    }
    ExpiryReport expired;
    Status e = expiry_->RunOnce(NowMillis(), &expired);
    if (!e.ok()) spdlog::warn("expiry: {}", e.ToString());
    if (expired.suspended + expired.destroyed > 0) hub_.Notify();
    // Each engine on its own: a down one is probed, the others reconciled.
    bool any_open = false;
    for (const auto& engine : engines_->engines()) {
      const bool open = engine->breaker->open();
      any_open |= open;
      if (open) {
        // Ignored: the breaker records the answer (it closes when the engine
        // answers), which is all this probe is for.
        (void)engine->runtime->Ping();
      } else if (engine->was_open || Clock::now() >= engine->next_reconcile) {
        ReconcileReport report;
        Status r = engine->reconciler->RunOnce(&report);
        if (!r.ok()) {
          spdlog::warn("reconciler ({}): {}", engine->spec.name, r.ToString());
        } else if (report.restarted + report.vanished + report.orphans_removed +
                       report.networks_removed >
                   0) {
          spdlog::warn(
              "reconciler ({}): {} restarted, {} vanished (redeploying), {} orphans removed, "
              "{} networks removed",
              engine->spec.name, report.restarted, report.vanished, report.orphans_removed,
              report.networks_removed);
          hub_.Notify();
        }
        engine->next_reconcile = Clock::now() + std::chrono::seconds(config_.reconcile_seconds > 0
                                                                         ? config_.reconcile_seconds
                                                                         : 1000000000);
      }
      engine->was_open = open;
    }
    const bool open = any_open;
    if (Clock::now() >= next_audit_archive) {
      if (config_.audit_retention_seconds > 0) ArchiveOldAudit();
      int removed = 0;
      Status p = PruneReplays(db_.get(), NowMillis(), &removed);
      if (!p.ok()) spdlog::warn("cannot forget expired replay keys: {}", p.ToString());
      next_audit_archive = Clock::now() + std::chrono::hours(1);
    }
    // Answers of a burst (a 200-sandbox list is ~60 KB) leave freed memory
    // in malloc's arenas; give it back to the system once a second.
    malloc_trim(0);
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait_for(lock, std::chrono::seconds(open ? 2 : 1), [&] { return stopping_.load(); });
  }
}

void Daemon::HealthLoop() {
  while (config_.health_seconds > 0 && !stopping_) {
    for (const auto& engine : engines_->engines()) {
      HealthReport report;
      // A down engine's sandboxes are Unhealthy until it answers again.
      Status h = engine->runtime->Reachable()
                     ? engine->health->RunOnce(&report)
                     : engine->health->MarkEngineDown(
                           "engine '" + engine->spec.name + "' does not answer", &report);
      if (!h.ok()) spdlog::warn("health check ({}): {}", engine->spec.name, h.ToString());
      if (report.unhealthy > 0) hub_.Notify();
    }
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait_for(lock, std::chrono::seconds(config_.health_seconds),
                      [&] { return stopping_.load(); });
  }
}

// Previews of PRs closed while nobody told us: at start, then every
// reconcile period (at least a minute: each check is a forge API call).
void Daemon::ForgeSweepLoop() {
  const int period = std::max(60, config_.reconcile_seconds);
  while (!stopping_) {
    ForgeSweepReport report;
    Status s = SweepForgePreviews(db_.get(), config_.max_sandboxes, &report);
    if (!s.ok()) spdlog::warn("forge sweep: {}", s.ToString());
    if (report.closed > 0 || report.created > 0) hub_.Notify();
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait_for(lock, std::chrono::seconds(period), [&] { return stopping_.load(); });
  }
}

void Daemon::ForgeCommentLoop() {
  HandlerContext hc;  // not {…}: see bot/chat_notifier.cc
  hc.db = db_.get();
  hc.runtime = runtime_;
  hc.secrets = secrets_.get();
  hc.max_sandboxes = config_.max_sandboxes;
  hc.operator_limits = OperatorLimitsOf(config_);
  hc.engines = EngineNames(config_.engines);
  while (!stopping_) {
    const uint64_t seen = hub_.version();
    int ran = 0;
    bool jobs = false;
    Status s = RunForgeComments(hc, config_.chat.roles, &ran, &jobs);
    if (!s.ok()) spdlog::warn("forge comments: {}", s.ToString());
    // Jobs for the workers, replies and reactions for the outbox.
    if (jobs || ran > 0) hub_.Notify();
    // Woken by the webhook (or any job news); a second at most otherwise.
    if (ran == 0) hub_.WaitChange(seen, std::chrono::seconds(1));
  }
}

void Daemon::SeedLoop() {
  SeedWorker worker(
      // Seeds live on the default engine (what the routed runtime creates on).
      db_.get(), runtime_, DataLabel(config_.data_dir), kDefaultHelperImage,
      [this] { return stopping_ ? Status::Unavailable("the daemon is stopping") : Status::Ok(); });
  worker.AcrossEngines(
      [this](const std::string& name) -> ContainerRuntime* {
        Engine* e = engines_->Find(name);
        return e == nullptr ? nullptr : e->runtime.get();
      },
      engines_->Default()->spec.name, config_.data_dir);
  auto next_sweep = std::chrono::steady_clock::now();
  size_t seeds_seen = 0;
  while (!stopping_) {
    const uint64_t seen = hub_.version();
    if (runtime_->Reachable()) {
      int copied = 0;
      Status s = worker.RunOnce(&copied);
      if (!s.ok() && !stopping_) spdlog::warn("seeds: {}", s.ToString());
      if (copied > 0) hub_.Notify();
      // A deleted seed's volumes go at once; leftovers every minute.
      std::vector<Seed> seeds;
      if (ListSeeds(db_.get(), &seeds).ok() && seeds.size() < seeds_seen) {
        next_sweep = std::chrono::steady_clock::now();
      }
      seeds_seen = seeds.size();
      if (std::chrono::steady_clock::now() >= next_sweep) {
        int removed = 0;
        s = worker.Sweep(&removed);
        if (!s.ok()) spdlog::warn("seed sweep: {}", s.ToString());
        next_sweep = std::chrono::steady_clock::now() + std::chrono::minutes(1);
      }
    }
    // A seed command writes a row and queues no job: looked for five times
    // a second (one indexed query).
    hub_.WaitChange(seen, std::chrono::milliseconds(200));
  }
}

void Daemon::Wait() {
  int sig = 0;
  sigwait(&signals_, &sig);
  spdlog::info("signal {}: stopping (running jobs get {} s to reach a safe point)", sig,
               config_.stop_timeout_seconds);
}

int Daemon::Stop() {
  running_ = false;
  NotifySystemd("STOPPING=1");
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  local_->Stop();
  hub_.Notify();  // long polls on the local socket answer now
  http_->Stop();
  local_thread_.join();
  http_thread_.join();
  readiness_->Stop();
  hub_.Notify();
  spool_thread_.join();
  maintenance_thread_.join();
  health_thread_.join();
  forge_sweep_thread_.join();
  forge_comment_thread_.join();
  seed_thread_.join();
  if (!workers_->Stop(std::chrono::seconds(config_.stop_timeout_seconds))) {
    // Jobs still on their threads use the store and the engine: leave
    // without tearing those down. They are resumed at the next start.
    spdlog::default_logger()->flush();
    std::_Exit(0);
  }
  notifier_->Stop();
  checkpointer_.Stop();
  unlink(SocketPath(config_.data_dir).c_str());
  spdlog::info("stopped");
  return 0;
}

}  // namespace sandbot
