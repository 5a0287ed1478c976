// GuardedRuntime: a ContainerRuntime that wraps another with the engine's
// failure policy. A call that finds the engine unreachable (Unavailable) is
// retried with exponential backoff; what still fails counts against the
// EngineBreaker, and while the breaker is open calls fail at once with a
// message that says queued work resumes when the engine answers. Other
// errors (bad Dockerfile, name conflict) are the caller's and pass through.
// Every call but Ping goes through that policy (ForwardingRuntime::Around).
//
// Thread-safety: as the wrapped runtime; the breaker is thread-safe.
#ifndef SANDBOT_BOT_GUARDED_RUNTIME_H_
#define SANDBOT_BOT_GUARDED_RUNTIME_H_

#include <chrono>
#include <functional>
#include <vector>

#include "bot/engine_breaker.h"
#include "bot/forwarding_runtime.h"

namespace sandbot {

class GuardedRuntime : public ForwardingRuntime {
 public:
  // `backoff`: the pause before each retry; its size is the number of retries.
  GuardedRuntime(ContainerRuntime* inner, EngineBreaker* breaker,
                 std::vector<std::chrono::milliseconds> backoff);

  bool Reachable() override { return !breaker_->open(); }
  // Passes straight through (no retry, no fast failure): the probe that
  // closes the breaker.
  Status Ping() override;

 protected:
  Status Around(const std::function<Status()>& call) override;

 private:
  EngineBreaker* breaker_;
  std::vector<std::chrono::milliseconds> backoff_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_GUARDED_RUNTIME_H_
