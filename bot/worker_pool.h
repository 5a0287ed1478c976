// WorkerPool: threads that claim queued jobs from the store, run them through
// the Deployer, and record how they ended (job row + audit row). Jobs of one
// sandbox run one at a time (ClaimNextJob); different sandboxes in parallel.
#ifndef SANDBOT_BOT_WORKER_POOL_H_
#define SANDBOT_BOT_WORKER_POOL_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bot/deployer.h"
#include "bot/event_hub.h"
#include "store/db.h"

namespace sandbot {

class WorkerPool {
 public:
  // Called on a worker thread after each job has been recorded as ended.
  using FinishFn = std::function<void(const Job& job, bool ok, const std::string& detail)>;

  WorkerPool(Db* db, Deployer* deployer, EventHub* hub, int workers, FinishFn on_finish);
  ~WorkerPool();

  void Start();
  // Lets running jobs finish, then joins the threads.
  void Stop();

 private:
  void Loop(int index);
  void RunJob(const Job& job);

  Db* db_;
  Deployer* deployer_;
  EventHub* hub_;
  int count_;
  FinishFn on_finish_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_WORKER_POOL_H_
