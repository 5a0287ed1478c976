#include "bot/readiness.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace sandbot {

std::string ReadinessResult::Json() const {
  nlohmann::json out = {{"ready", ready()},
                        {"store", store ? "ok" : "unavailable"},
                        {"engine", engine ? "ok" : "unreachable"},
                        {"stopping", stopping}};
  if (!ready()) out["failed"] = stopping ? "stopping" : !store ? "store" : "engine";
  return out.dump();
}

bool Readiness::EngineAnswers(Clock::time_point now) {
  if (checks_.engine_breaker_open && checks_.engine_breaker_open()) return false;
  if (!checks_.engine_ping) return true;
  const int64_t ticks = now.time_since_epoch().count();
  auto fresh = [&] {
    const int64_t at = last_ping_at_.load();
    return at != 0 && Clock::duration(ticks - at) < ping_cache_;
  };
  if (fresh()) return last_ping_ok_.load();
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  // Another thread pings now: its answer is not in yet, the last one stands.
  if (!lock.owns_lock()) return last_ping_ok_.load();
  if (fresh()) return last_ping_ok_.load();
  Status s = checks_.engine_ping();
  if (!s.ok() && last_ping_ok_.load())
    spdlog::warn("readyz: the engine does not answer: {}", s.message());
  last_ping_ok_ = s.ok();
  last_ping_at_ = ticks;
  return s.ok();
}

ReadinessResult Readiness::Check(Clock::time_point now) {
  ReadinessResult r;
  r.stopping = checks_.stopping && checks_.stopping();
  r.store = checks_.store_answers && checks_.store_answers();
  r.engine = EngineAnswers(now);
  return r;
}

}  // namespace sandbot
