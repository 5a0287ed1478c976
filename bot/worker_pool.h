// WorkerPool: threads that claim queued jobs from the store, run them through
// the Deployer, and record how they ended (job row + audit row, in one
// transaction). Jobs of one sandbox run one at a time (ClaimNextJob);
// different sandboxes in parallel.
//
// While the engine is unreachable no job is claimed, and a job that failed
// because the engine went away goes back to the queue ("waiting") instead of
// failing. On Stop, running jobs reach a safe point (the Deployer checks the
// stop flag) and go back to the queue for the next start.
#ifndef SANDBOT_BOT_WORKER_POOL_H_
#define SANDBOT_BOT_WORKER_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bot/deployer.h"
#include "bot/event_hub.h"
#include "bot/metrics.h"
#include "handlers/runtime.h"
#include "store/db.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace sandbot {

// With several engines (bot/engine_registry.h) each job runs on its
// sandbox's engine, through that engine's deployer; the jobs of an engine
// whose breaker is open wait while the others' go on.
struct JobRouting {
  std::function<std::vector<std::string>()> waiting;  // engines whose jobs wait
  std::function<bool()> any_reachable;                // else nothing is claimed
  // The deployer and runtime of the job's sandbox's engine (placing a new
  // sandbox first). Unavailable: the job goes back to the queue.
  std::function<Status(const Job& job, Deployer** deployer, ContainerRuntime** runtime)> route;
  std::function<void()> request_stop;  // every engine's deployer
};

class WorkerPool {
 public:
  // Called on a worker thread after each job has been recorded as ended.
  using FinishFn = std::function<void(const Job& job, bool ok, const std::string& detail)>;

  WorkerPool(Db* db, Deployer* deployer, ContainerRuntime* runtime, EventHub* hub, int workers,
             FinishFn on_finish);
  ~WorkerPool();

  // Where each run is counted (sandbot_jobs_total and its duration); may be
  // null. Set before Start.
  void set_metrics(Metrics* metrics) { metrics_ = metrics; }
  // Several engines: set before Start; `deployer` and `runtime` given to
  // the constructor are then not used.
  void set_routing(JobRouting routing) { routing_ = std::move(routing); }

  void Start() EXCLUDES(mu_);
  // Asks running jobs to stop at their next safe point and waits up to
  // `timeout` for them. Returns false when some are still running: the
  // caller must then exit without destroying what they use.
  bool Stop(std::chrono::seconds timeout = std::chrono::seconds(60)) EXCLUDES(mu_);

 private:
  void Loop(int index);
  void RunJob(const Job& job);

  Db* db_;
  Deployer* deployer_;
  ContainerRuntime* runtime_;
  EventHub* hub_;
  int count_;
  FinishFn on_finish_;
  Metrics* metrics_ = nullptr;
  JobRouting routing_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  Mutex mu_;
  std::condition_variable_any exited_;  // signalled under mu_ as a thread exits
  int running_threads_ GUARDED_BY(mu_) = 0;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_WORKER_POOL_H_
