#include "bot/worker_pool.h"

#include <spdlog/spdlog.h>

#include "store/audit.h"
#include "store/jobs.h"

namespace sandbot {

WorkerPool::WorkerPool(Db* db, Deployer* deployer, EventHub* hub, int workers, FinishFn on_finish)
    : db_(db),
      deployer_(deployer),
      hub_(hub),
      count_(workers < 1 ? 1 : workers),
      on_finish_(std::move(on_finish)) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Start() {
  for (int i = 0; i < count_; ++i) threads_.emplace_back([this, i] { Loop(i); });
}

void WorkerPool::Stop() {
  stopping_ = true;
  hub_->Notify();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::Loop(int index) {
  while (!stopping_) {
    uint64_t seen = hub_->version();
    Job job;
    bool found = false;
    Status s = ClaimNextJob(db_, &job, &found);
    if (!s.ok()) spdlog::error("worker {}: cannot claim a job: {}", index, s.ToString());
    if (found) {
      RunJob(job);
      continue;
    }
    // Jobs enqueued by other processes (CLI) arrive without a Notify: poll.
    hub_->WaitChange(seen, std::chrono::milliseconds(1000));
  }
}

void WorkerPool::RunJob(const Job& job) {
  spdlog::info("job {} started: {} {} {} {}", job.id, job.kind, job.sandbox, job.service,
               job.commit.substr(0, 12));
  Status result = deployer_->Run(job);
  const std::string state = result.ok() ? "succeeded" : "failed";
  const std::string detail = result.ok() ? "" : result.message();
  Status s = FinishJob(db_, job.id, state, detail);
  if (!s.ok()) spdlog::error("job {}: cannot record its end: {}", job.id, s.ToString());
  AuditRow row{};
  row.actor = job.actor;
  row.source = job.source;
  row.action = job.kind;
  row.sandbox = job.sandbox;
  row.repo = job.service;
  row.branch = job.branch;
  row.commit = job.commit;
  row.status = state;
  row.detail = "job " + std::to_string(job.id) + (detail.empty() ? "" : ": " + detail);
  s = AppendAudit(db_, row);
  if (!s.ok()) spdlog::error("job {}: cannot write its audit row: {}", job.id, s.ToString());
  spdlog::info("job {} {}{}", job.id, state, detail.empty() ? "" : ": " + detail);
  if (on_finish_) on_finish_(job, result.ok(), detail);
  hub_->Notify();
}

}  // namespace sandbot
