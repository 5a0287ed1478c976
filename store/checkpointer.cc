#include "store/checkpointer.h"

#include <sqlite3.h>

#include <chrono>

namespace sandbot {

Status WalCheckpointer::Start(const std::string& path) {
  Status s = Db::Open(path, &db_);
  if (!s.ok()) return s;
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void WalCheckpointer::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WalCheckpointer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    const bool stop =
        cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stopping_; });
    lock.unlock();
    // Busy (another checkpoint, a writer holding the lock) is fine: next round.
    (void)db_->Checkpoint();
    lock.lock();
    if (stop) return;
  }
}

}  // namespace sandbot
