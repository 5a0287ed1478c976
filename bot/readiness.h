// Readiness: what GET /readyz answers. Ready when the store is open and
// answers a query, the container engine answers (its breaker is closed and
// a ping with a short timeout succeeds; the ping's answer is kept for a
// moment so a probe every second costs one ping every few), and the daemon
// is not stopping. /healthz stays "alive": a daemon that is up but cannot
// do its work is not killed for it, only taken out of rotation.
//
// The answer names the checks, never an error's text (paths, addresses):
// the listener serves it to whoever reaches it, like /healthz. The reason
// is in the log and in `sandbot` CLI answers.
//
// Thread-safety: Check may be called from several threads at once; one
// pings while the others use the last answer.
#ifndef SANDBOT_BOT_READINESS_H_
#define SANDBOT_BOT_READINESS_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "util/status.h"

namespace sandbot {

struct ReadinessChecks {
  std::function<bool()> store_answers;        // a cheap query succeeds
  std::function<bool()> engine_breaker_open;  // the breaker says the engine is away
  std::function<Status()> engine_ping;        // a ping with a short timeout
  std::function<bool()> stopping;             // the daemon is stopping
};

struct ReadinessResult {
  bool store = false, engine = false, stopping = false;
  bool ready() const { return store && engine && !stopping; }
  // {"ready":true,"store":"ok","engine":"ok","stopping":false} or with
  // "failed" naming the first check that failed.
  std::string Json() const;
};

class Readiness {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Readiness(ReadinessChecks checks,
                     std::chrono::milliseconds ping_cache = std::chrono::milliseconds(2000))
      : checks_(std::move(checks)), ping_cache_(ping_cache) {}

  ReadinessResult Check(Clock::time_point now = Clock::now());

 private:
  bool EngineAnswers(Clock::time_point now);

  ReadinessChecks checks_;
  const std::chrono::milliseconds ping_cache_;
  std::mutex mu_;  // held by the one thread that pings
  std::atomic<bool> last_ping_ok_{false};
  std::atomic<int64_t> last_ping_at_{0};  // Clock ticks; 0: never
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_READINESS_H_
