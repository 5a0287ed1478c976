// EngineBreaker: a circuit breaker for the container engine. After
// `threshold` consecutive failed calls (each already retried) the engine is
// marked unreachable: workers stop claiming jobs, commands that need the
// engine answer at once instead of hanging, and a probe pings it until it
// answers again, which closes the breaker and lets queued jobs resume.
//
// Thread-safety: all methods may be called from any thread. The change
// callback runs on the thread that caused the change, outside the lock.
#ifndef SANDBOT_BOT_ENGINE_BREAKER_H_
#define SANDBOT_BOT_ENGINE_BREAKER_H_

#include <cstdint>
#include <functional>
#include <string>

#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace sandbot {

class EngineBreaker {
 public:
  // reachable == false: the breaker just opened, `why` is the last error.
  using ChangeFn = std::function<void(bool reachable, const std::string& why)>;

  explicit EngineBreaker(int threshold = 3) : threshold_(threshold < 1 ? 1 : threshold) {}

  void set_on_change(ChangeFn fn) { on_change_ = std::move(fn); }

  void RecordSuccess() EXCLUDES(mu_);
  void RecordFailure(const std::string& why) EXCLUDES(mu_);
  // Opens at once: a failed ping is proof enough.
  void Trip(const std::string& why) EXCLUDES(mu_);
  bool open() const EXCLUDES(mu_);
  // Unix seconds when the breaker opened; 0 while closed.
  int64_t open_since() const EXCLUDES(mu_);
  std::string last_error() const EXCLUDES(mu_);

 private:
  void Fail(const std::string& why, bool at_once) EXCLUDES(mu_);

  const int threshold_;
  mutable Mutex mu_;
  int failures_ GUARDED_BY(mu_) = 0;
  bool open_ GUARDED_BY(mu_) = false;
  int64_t open_since_ GUARDED_BY(mu_) = 0;
  std::string last_error_ GUARDED_BY(mu_);
  ChangeFn on_change_;  // set before use, then only read
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_ENGINE_BREAKER_H_
