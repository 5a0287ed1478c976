// Daemon: `sandbot serve`. Owns the store, the runtime (behind the engine
// breaker), the notifier, the worker pool, the local API on
// {data}/sandbot.sock, the HTTP listener, and the threads that ingest the
// spool, run the reconciler and idle expiry, and check service health. Each
// part is made and wired in Start(), in one place, and stopped in Stop().
//
//   Daemon daemon(config);
//   return daemon.Run();  // Start(), Wait() for SIGTERM or SIGINT, Stop()
#ifndef SANDBOT_BOT_DAEMON_H_
#define SANDBOT_BOT_DAEMON_H_

#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "bot/config.h"
#include "bot/event_hub.h"
#include "store/checkpointer.h"

namespace sandbot {

struct ChatContext;
class Db;
class Deployer;
class ContainerRuntime;
class EngineRegistry;
class Expiry;
class GuardedRuntime;
class HealthMonitor;
class HttpServer;
class LocalServer;
class Metrics;
class Notifier;
class Readiness;
class Reconciler;
class ReplayGuard;
class ReplyUrlPolicy;
class RejectionSampler;
class SecretKeys;
class WorkerPool;

class Daemon {
 public:
  explicit Daemon(const Config& config);  // `config` must outlive the Daemon
  ~Daemon();                              // stops what Start started, if Stop was not called
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the store, checks the engine, recovers interrupted jobs (the
  // workers start once that is written), binds both listeners, starts every
  // thread, and tells systemd READY=1. Returns 0 when serving, else the
  // process exit code (nothing is left running).
  int Start();
  // Blocks until SIGTERM or SIGINT (Start blocks them in every thread).
  void Wait();
  // Stops the listeners and threads, gives running jobs stop_timeout_seconds
  // to reach a safe point, and returns the exit code. When they do not, it
  // leaves the process at once (they resume at the next start).
  int Stop();
  // Start, Wait, Stop: returns the exit code.
  int Run();

 private:
  // Resolves config_.engines and checks each one's TLS files and port
  // ranges; the default (first) one's public host and ports become the
  // daemon's.
  Status UseEngine();
  int OpenStore();
  int BindListeners();
  void IngestSpool();
  void SpoolLoop();
  void MaintenanceLoop();
  void ArchiveOldAudit();
  void HealthLoop();
  // Puts the jobs the last process left running back in the queue (or gives
  // them up) and tells the followers of those given up. False when the store
  // cannot take it: the workers then wait and the maintenance loop retries.
  bool RecoverJobs();
  void ForgeSweepLoop();
  // Comment commands waiting for the forge's word on their author
  // (bot/forge_permission.h), whenever the hub says something changed.
  void ForgeCommentLoop();
  // Seeds waiting for their copy (bot/seed_worker.h), whenever the hub says
  // something changed; volumes of deleted seeds every minute.
  void SeedLoop();

  // A copy: the engine's own public host and ports replace the daemon's
  // (UseEngine).
  Config config_;
  EngineSpec engine_;  // the default engine, config_.engines' first
  sigset_t signals_;
  int port_lo_ = 0, port_hi_ = 0, gateway_lo_ = 0, gateway_hi_ = 0, listen_port_ = 0;
  std::string listen_host_;
  std::string engine_note_;  // for the banner: the engine did not answer at start

  std::unique_ptr<Db> db_;
  // The counters GET /metrics serves (bot/metrics.h); outlives every part
  // that counts.
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<SecretKeys> secrets_;
  // Every engine with its breaker, deployer, reconciler and health monitor.
  std::unique_ptr<EngineRegistry> engines_;
  ContainerRuntime* runtime_ = nullptr;  // engines_->routed(), for the doors
  EventHub hub_;
  // A line went into a job's log file, or a job ended: wakes the dashboard's
  // live logs alone (hub_ wakes every long poll and worker).
  EventHub log_hub_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<LocalServer> local_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<ReplayGuard> replay_;
  std::unique_ptr<ReplyUrlPolicy> reply_policy_;
  std::unique_ptr<RejectionSampler> rejections_;
  std::unique_ptr<ChatContext> chat_;
  std::unique_ptr<Readiness> readiness_;  // GET /readyz
  std::unique_ptr<Expiry> expiry_;
  WalCheckpointer checkpointer_;  // the HTTP loops' store connections leave it checkpointing

  std::set<int64_t> crashed_jobs_;  // the crash record, taken at start
  // The workers start once this is true: until then a job the last process
  // left `running` would hold its sandbox (its service at `starting`) with
  // no worker to move it on.
  bool jobs_recovered_ = false;  // Start's thread, then the maintenance loop's
  bool running_ = false;         // Start succeeded and Stop has not run
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::thread http_thread_, local_thread_, spool_thread_, maintenance_thread_, health_thread_,
      forge_sweep_thread_, forge_comment_thread_, seed_thread_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_DAEMON_H_
