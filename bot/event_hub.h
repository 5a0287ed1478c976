// EventHub: wakes everyone waiting for news (long-polling hooks, idle
// workers) when a job event is written. Carries no data: waiters re-read the
// store, which stays the single source of truth.
//
// Thread-safety: all methods may be called from any thread.
#ifndef SANDBOT_BOT_EVENT_HUB_H_
#define SANDBOT_BOT_EVENT_HUB_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace sandbot {

class EventHub {
 public:
  // Something changed: bump the version and wake all waiters.
  void Notify() {
    std::lock_guard<std::mutex> lock(mu_);
    ++version_;
    cv_.notify_all();
  }
  uint64_t version() {
    std::lock_guard<std::mutex> lock(mu_);
    return version_;
  }
  // Waits until the version differs from `seen` or `timeout` passes; returns
  // whether it changed.
  bool WaitChange(uint64_t seen, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return version_ != seen; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t version_ = 0;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_EVENT_HUB_H_
