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

bool Readiness::PingEngine() {
  if (checks_.engine_breaker_open && checks_.engine_breaker_open()) return false;
  if (!checks_.engine_ping) {
    last_ping_ok_ = true;
    return true;
  }
  ++pings_;
  Status s = checks_.engine_ping();
  if (!s.ok() && last_ping_ok_.load())
    spdlog::warn("readyz: the engine does not answer: {}", s.message());
  last_ping_ok_ = s.ok();
  return s.ok();
}

void Readiness::Start() {
  if (pinger_.joinable()) return;
  PingEngine();  // the first answer before the listener serves /readyz
  pinger_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(stop_mu_);
    while (!stop_cv_.wait_for(lock, ping_every_, [this] { return stop_; })) {
      lock.unlock();
      PingEngine();
      lock.lock();
    }
  });
}

void Readiness::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (pinger_.joinable()) pinger_.join();
}

ReadinessResult Readiness::Check() const {
  ReadinessResult r;
  r.stopping = checks_.stopping && checks_.stopping();
  r.store = checks_.store_answers && checks_.store_answers();
  const bool breaker_open = checks_.engine_breaker_open && checks_.engine_breaker_open();
  r.engine = !breaker_open && last_ping_ok_.load();
  return r;
}

}  // namespace sandbot
