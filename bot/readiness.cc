#include "bot/readiness.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace sandbot {

std::string ReadinessResult::Json() const {
  nlohmann::json out = {{"ready", ready()},
                        {"store", store ? "ok" : "unavailable"},
                        {"engine", engine ? "ok" : "unreachable"},
                        {"stopping", stopping}};
  if (engines.size() > 1) {
    nlohmann::json each = nlohmann::json::object();
    for (const auto& [name, ok] : engines) each[name] = ok ? "ok" : "unreachable";
    out["engines"] = each;
  }
  if (!ready()) out["failed"] = stopping ? "stopping" : !store ? "store" : "engine";
  return out.dump();
}

Readiness::Readiness(ReadinessChecks checks, std::chrono::milliseconds ping_every)
    : checks_(std::move(checks)), ping_every_(ping_every) {
  engines_.push_back({checks_.default_engine, checks_.engine_breaker_open, checks_.engine_ping});
  for (const ReadinessEngine& e : checks_.other_engines) engines_.push_back(e);
  last_ping_ok_ = std::vector<std::atomic<bool>>(engines_.size());
  for (auto& ok : last_ping_ok_) ok = false;
}

bool Readiness::PingEngine() {
  bool any = false;
  for (size_t i = 0; i < engines_.size(); ++i) {
    const ReadinessEngine& e = engines_[i];
    if (e.breaker_open && e.breaker_open()) continue;
    if (!e.ping) {
      last_ping_ok_[i] = true;
      any = true;
      continue;
    }
    ++pings_;
    Status s = e.ping();
    if (!s.ok() && last_ping_ok_[i].load()) {
      spdlog::warn("readyz: engine {} does not answer: {}", e.name.empty() ? "(default)" : e.name,
                   s.message());
    }
    last_ping_ok_[i] = s.ok();
    any |= s.ok();
  }
  return any;
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
  for (size_t i = 0; i < engines_.size(); ++i) {
    const ReadinessEngine& e = engines_[i];
    const bool answers = !(e.breaker_open && e.breaker_open()) && last_ping_ok_[i].load();
    r.engines.emplace_back(e.name, answers);
    r.engine |= answers;
  }
  return r;
}

}  // namespace sandbot
