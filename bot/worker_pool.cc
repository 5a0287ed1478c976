#include "bot/worker_pool.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "bot/crash_record.h"
#include "bot/failpoint.h"
#include "store/jobs.h"
#include "util/engine_names.h"

namespace sandbot {

WorkerPool::WorkerPool(Db* db, Deployer* deployer, ContainerRuntime* runtime, EventHub* hub,
                       int workers, FinishFn on_finish)
    : db_(db),
      deployer_(deployer),
      runtime_(runtime),
      hub_(hub),
      count_(workers < 1 ? 1 : workers),
      on_finish_(std::move(on_finish)) {}

WorkerPool::~WorkerPool() {
  if (!threads_.empty()) Stop();
}

void WorkerPool::Start() {
  {
    MutexLock lock(&mu_);
    running_threads_ = count_;
  }
  for (int i = 0; i < count_; ++i) {
    threads_.emplace_back([this, i] {
      Loop(i);
      MutexLock lock(&mu_);
      --running_threads_;
      exited_.notify_all();
    });
  }
}

bool WorkerPool::Stop(std::chrono::seconds timeout) {
  stopping_ = true;
  if (routing_.request_stop) {
    routing_.request_stop();
  } else {
    deployer_->RequestStop();
  }
  hub_->Notify();
  {
    MutexLock lock(&mu_);
    // The wait gives mu_ back while it sleeps and holds it when it returns.
    if (!exited_.wait_for(mu_, timeout, [this]() REQUIRES(mu_) { return running_threads_ == 0; })) {
      spdlog::error("{} jobs still running after {} s; they resume at the next start",
                    running_threads_, timeout.count());
      for (auto& t : threads_) t.detach();
      threads_.clear();
      return false;
    }
  }
  for (auto& t : threads_) t.join();
  threads_.clear();
  return true;
}

void WorkerPool::Loop(int index) {
  while (!stopping_) {
    uint64_t seen = hub_->version();
    if (routing_.route ? !routing_.any_reachable() : !runtime_->Reachable()) {
      // The probe closes the breaker and notifies the hub.
      hub_->WaitChange(seen, std::chrono::milliseconds(1000));
      continue;
    }
    Job job;
    bool found = false;
    Status s = routing_.route ? ClaimNextJob(db_, routing_.waiting(), &job, &found)
                              : ClaimNextJob(db_, &job, &found);
    if (!s.ok()) spdlog::error("worker {}: cannot claim a job: {}", index, s.ToString());
    if (found) {
      // A fatal signal on this thread from here on is this job's doing.
      SetThreadJob(job.id);
      Failpoint("job.claimed");
      RunJob(job);
      SetThreadJob(0);
      continue;
    }
    // Jobs enqueued by other processes (CLI) arrive without a Notify: poll.
    hub_->WaitChange(seen, std::chrono::milliseconds(1000));
  }
}

void WorkerPool::RunJob(const Job& job) {
  spdlog::info("job {} started: {} {} {} {}", job.id, JobKindName(job.kind), job.sandbox,
               job.service, Sha12(job.commit));
  const auto started = std::chrono::steady_clock::now();
  Deployer* deployer = deployer_;
  ContainerRuntime* runtime = runtime_;
  Status result = routing_.route ? routing_.route(job, &deployer, &runtime) : Status::Ok();
  if (result.ok()) {
    result = deployer->Run(job);
  } else if (result.IsUnavailable()) {
    // No engine takes it now (the one it lives on, or any for a new one).
    runtime = nullptr;
  }
  Failpoint("job.ran");
  auto count = [&](JobOutcome outcome) {
    if (metrics_ == nullptr) return;
    metrics_->CountJob(
        job.id, job.kind, outcome,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  };
  std::string requeue_why;
  if (!result.ok() && stopping_) {
    requeue_why = "interrupted by a daemon stop (" + result.message() +
                  "); resumes when sandbot starts again";
  } else if (result.IsUnavailable() && (runtime == nullptr || !runtime->Reachable())) {
    requeue_why = "waiting: " + result.message();
  }
  if (!requeue_why.empty()) {
    Status s = RequeueJob(db_, job.id, requeue_why);
    if (!s.ok()) spdlog::error("job {}: cannot put it back in the queue: {}", job.id, s.ToString());
    spdlog::warn("job {} back in the queue: {}", job.id, requeue_why);
    count(JobOutcome::kRequeued);
    hub_->Notify();
    // Not claimed again at once: its engine is still away.
    if (runtime == nullptr && !stopping_) std::this_thread::sleep_for(std::chrono::seconds(1));
    return;
  }
  const JobState state = result.ok() ? JobState::kSucceeded : JobState::kFailed;
  count(result.ok() ? JobOutcome::kSucceeded : JobOutcome::kFailed);
  const std::string detail = result.ok() ? "" : result.message();
  Status s = EndJob(db_, job, state, detail);
  if (!s.ok()) spdlog::error("job {}: cannot record its end: {}", job.id, s.ToString());
  spdlog::info("job {} {}{}", job.id, JobStateName(state), detail.empty() ? "" : ": " + detail);
  if (on_finish_) on_finish_(job, result.ok(), detail);
  hub_->Notify();
}

}  // namespace sandbot
