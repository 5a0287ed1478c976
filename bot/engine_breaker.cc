#include "bot/engine_breaker.h"

#include <ctime>

namespace sandbot {

void EngineBreaker::RecordSuccess() {
  bool closed_now = false;
  {
    MutexLock lock(&mu_);
    failures_ = 0;
    closed_now = open_;
    open_ = false;
    open_since_ = 0;
  }
  if (closed_now && on_change_) on_change_(true, "");
}

void EngineBreaker::RecordFailure(const std::string& why) { Fail(why, false); }

void EngineBreaker::Trip(const std::string& why) { Fail(why, true); }

void EngineBreaker::Fail(const std::string& why, bool at_once) {
  bool opened_now = false;
  {
    MutexLock lock(&mu_);
    last_error_ = why;
    ++failures_;
    if ((at_once || failures_ >= threshold_) && !open_) {
      open_ = true;
      open_since_ = static_cast<int64_t>(std::time(nullptr));
      opened_now = true;
    }
  }
  if (opened_now && on_change_) on_change_(false, why);
}

bool EngineBreaker::open() const {
  MutexLock lock(&mu_);
  return open_;
}

int64_t EngineBreaker::open_since() const {
  MutexLock lock(&mu_);
  return open_since_;
}

std::string EngineBreaker::last_error() const {
  MutexLock lock(&mu_);
  return last_error_;
}

}  // namespace sandbot
