#include "bot/forge_budget.h"

#include <algorithm>
#include <functional>

namespace sandbot {

ForgeBudget::Bucket& ForgeBudget::Get(const std::string& token) {
  // A digest keys the map: the token itself is not kept in one more place.
  return buckets_[std::to_string(std::hash<std::string>{}(token))];
}

int64_t ForgeBudget::Take(const std::string& token, int64_t now_ms) {
  MutexLock lock(&mu_);
  Bucket& b = Get(token);
  if (b.paused_until > now_ms) return b.paused_until - now_ms;
  while (!b.calls.empty() && b.calls.front() <= now_ms - window_ms_) b.calls.pop_front();
  if (static_cast<int>(b.calls.size()) >= limit_) {
    // The oldest call in the window leaves it at front + window.
    return std::max<int64_t>(1, b.calls.front() + window_ms_ - now_ms);
  }
  b.calls.push_back(now_ms);
  return 0;
}

int64_t ForgeBudget::ReadWait(const std::string& token, int64_t now_ms) {
  MutexLock lock(&mu_);
  const Bucket& b = Get(token);
  return b.paused_until > now_ms ? b.paused_until - now_ms : 0;
}

void ForgeBudget::PauseUntil(const std::string& token, int64_t until_ms) {
  MutexLock lock(&mu_);
  Bucket& b = Get(token);
  b.paused_until = std::max(b.paused_until, until_ms);
}

ForgeBudget& SharedForgeBudget() {
  static ForgeBudget* budget = new ForgeBudget();  // never destroyed: threads may outlive main
  return *budget;
}

}  // namespace sandbot
