#include "bot/guarded_runtime.h"

#include <spdlog/spdlog.h>

#include <ctime>
#include <thread>

namespace sandbot {

namespace {

std::string Clock(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S UTC", &tm);
  return buf;
}

}  // namespace

GuardedRuntime::GuardedRuntime(ContainerRuntime* inner, EngineBreaker* breaker,
                               std::vector<std::chrono::milliseconds> backoff)
    : ForwardingRuntime(inner), breaker_(breaker), backoff_(std::move(backoff)) {}

Status GuardedRuntime::Around(const std::function<Status()>& call) {
  if (breaker_->open()) {
    return Status::Unavailable("the Docker engine has been unreachable since " +
                               Clock(breaker_->open_since()) + " (" + breaker_->last_error() +
                               "); queued jobs resume when it answers");
  }
  Status s = call();
  for (size_t i = 0; s.IsUnavailable() && i < backoff_.size(); ++i) {
    spdlog::warn("engine call failed ({}); retry {} of {} in {} ms", s.message(), i + 1,
                 backoff_.size(), backoff_[i].count());
    std::this_thread::sleep_for(backoff_[i]);
    s = call();
  }
  if (s.IsUnavailable()) {
    breaker_->RecordFailure(s.message());
  } else {
    breaker_->RecordSuccess();  // any answer, even an error, means it is there
  }
  return s;
}

Status GuardedRuntime::Ping() {
  Status s = inner()->Ping();
  if (s.ok()) {
    breaker_->RecordSuccess();
  } else {
    breaker_->Trip(s.message());
  }
  return s;
}

}  // namespace sandbot
