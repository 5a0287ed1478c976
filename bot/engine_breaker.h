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
#include <mutex>
#include <string>

namespace sandbot {

class EngineBreaker {
 public:
  // reachable == false: the breaker just opened, `why` is the last error.
  using ChangeFn = std::function<void(bool reachable, const std::string& why)>;

  explicit EngineBreaker(int threshold = 3) : threshold_(threshold < 1 ? 1 : threshold) {}

  void set_on_change(ChangeFn fn) { on_change_ = std::move(fn); }

  void RecordSuccess();
  void RecordFailure(const std::string& why);
  // Opens at once: a failed ping is proof enough.
  void Trip(const std::string& why);
  bool open() const;
  // Unix seconds when the breaker opened; 0 while closed.
  int64_t open_since() const;
  std::string last_error() const;

 private:
  void Fail(const std::string& why, bool at_once);

  const int threshold_;
  mutable std::mutex mu_;
  int failures_ = 0;
  bool open_ = false;
  int64_t open_since_ = 0;
  std::string last_error_;
  ChangeFn on_change_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_ENGINE_BREAKER_H_
