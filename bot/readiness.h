// Readiness: what GET /readyz answers. Ready when the store is open and
// answers a query, a container engine answers (its breaker is closed and
// the last ping, with a short timeout, succeeded), and the daemon is not
// stopping. With several engines each is pinged and named in the body
// ("engines": {"local": "ok", "far": "unreachable"}); readiness fails only
// when none answers: the others keep deploying and placing, and an engine
// that is away only holds its own sandboxes' jobs (bot/engine_registry.h). /readyz is served on an
// event-loop thread, which must never wait on the network: the ping runs on a thread of its own
// (Start), every `ping_every`, and Check only reads its last answer. Before the first answer the
// engine counts as not answering. /healthz stays "alive": a daemon that is up but cannot do its
// work is not killed for it, only taken out of rotation.
//
// The answer names the checks, never an error's text (paths, addresses):
// the listener serves it to whoever reaches it, like /healthz. The reason
// is in the log and in `sandbot` CLI answers.
//
// Thread-safety: Check and PingEngine may be called from any thread.
#ifndef SANDBOT_BOT_READINESS_H_
#define SANDBOT_BOT_READINESS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "util/status.h"

namespace sandbot {

// One more engine's checks, as those of the default engine below.
struct ReadinessEngine {
  std::string name;
  std::function<bool()> breaker_open;
  std::function<Status()> ping;
};

struct ReadinessChecks {
  std::function<bool()> store_answers;        // a cheap query succeeds
  std::function<bool()> engine_breaker_open;  // the breaker says the engine is away
  std::function<Status()> engine_ping;        // a ping with a short timeout
  std::function<bool()> stopping;             // the daemon is stopping
  // With several engines: the default one's name (the checks above are its
  // own) and the other engines'.
  std::string default_engine = {};
  std::vector<ReadinessEngine> other_engines = {};
};

struct ReadinessResult {
  bool store = false, stopping = false;
  bool engine = false;                                // at least one engine answers: work can go on
  std::vector<std::pair<std::string, bool>> engines;  // each engine: answers
  bool ready() const { return store && engine && !stopping; }
  // {"ready":true,"store":"ok","engine":"ok","stopping":false} or with
  // "failed" naming the first check that failed; with several engines,
  // "engines" names each ("ok" or "unreachable").
  std::string Json() const;
};

class Readiness {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Readiness(ReadinessChecks checks,
                     std::chrono::milliseconds ping_every = std::chrono::milliseconds(2000));
  ~Readiness() { Stop(); }
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  // Pings once now, then every `ping_every` on a thread of its own until
  // Stop (or destruction).
  void Start();
  void Stop();

  // Never waits on the engine: the breaker's state and the last ping.
  ReadinessResult Check() const;
  // One ping of each engine (skipped while its breaker is open: it knows
  // already); what the pinging thread runs. Returns whether any answered.
  bool PingEngine();
  int64_t pings() const { return pings_.load(); }

 private:
  ReadinessChecks checks_;
  std::vector<ReadinessEngine> engines_;  // the default engine first
  const std::chrono::milliseconds ping_every_;
  std::vector<std::atomic<bool>> last_ping_ok_;  // per engine
  std::atomic<int64_t> pings_{0};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;  // guarded by stop_mu_
  std::thread pinger_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_READINESS_H_
