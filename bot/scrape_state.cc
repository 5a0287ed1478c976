#include "bot/scrape_state.h"

#include <algorithm>
#include <unordered_map>

#include "handlers/health.h"
#include "store/outbox.h"
#include "store/sandbox_health_rows.h"

namespace sandbot {

Status ReadSandboxHealth(Db* db, std::unordered_map<int64_t, Health>* health) {
  // The roll-up of handlers/health.h SandboxHealthOf, one row at a time:
  // suspended sandboxes are Suspended; the others are the worst of their
  // router's health and their services' (a suspended service counting as
  // Degraded), Healthy with none.
  struct Entry {
    bool counted = true;  // not being destroyed
    bool suspended = false;
    Health worst = Health::kHealthy;
  };
  std::unordered_map<int64_t, Entry> sandboxes;
  Status s = ScanSandboxHealthRows(
      db,
      [&](const Sandbox& b) {
        Entry& e = sandboxes[b.id];
        e.counted = b.state != "destroying";  // on its way out: no longer a sandbox to look at
        e.suspended = b.state == "suspended";
        if (!b.router_health.empty()) e.worst = RouterHealthOf(b).health;
      },
      [&](const Service& service) {
        auto it = sandboxes.find(service.sandbox_id);
        if (it == sandboxes.end() || it->second.suspended) return;
        Health h = ServiceHealthOf(service).health;
        if (h == Health::kSuspended) h = Health::kDegraded;
        it->second.worst = std::max(it->second.worst, h);
      });
  if (!s.ok()) return s;
  health->clear();
  health->reserve(sandboxes.size());
  for (const auto& [id, e] : sandboxes) {
    if (e.counted) (*health)[id] = e.suspended ? Health::kSuspended : e.worst;
  }
  return Status::Ok();
}

namespace {

// The gauges of a read: sandboxes counted by health, and the outbox's depth.
void CountStates(const std::unordered_map<int64_t, Health>& health, int64_t depth,
                 ScrapeState* state) {
  state->sandboxes = {};
  for (const auto& [id, h] : health) ++state->sandboxes[static_cast<size_t>(h)];
  state->outbox_depth = depth;
  state->store_ok = true;
}

}  // namespace

Status ReadScrapeState(Db* db, ScrapeState* state) {
  std::unordered_map<int64_t, Health> health;
  int64_t depth = 0;
  Status s = ReadSandboxHealth(db, &health);
  if (s.ok()) s = CountPendingOutbox(db, &depth);
  if (!s.ok()) {
    state->store_ok = false;
    return s;
  }
  CountStates(health, depth, state);
  return Status::Ok();
}

Status ScrapeStateCache::Fresh(Db* db, const Entry** entry) {
  ChangeStamp stamp;
  Status s = ReadChangeStamp(db, &stamp);  // before the read it guards
  auto found = entries_.find(db);
  if (s.ok() && found != entries_.end() && found->second.stamp == stamp) {
    *entry = &found->second;
    return Status::Ok();
  }
  ++reads_;
  entries_.erase(db);
  Entry fresh;
  int64_t depth = 0;
  Status read = ReadSandboxHealth(db, &fresh.health);
  if (read.ok()) read = CountPendingOutbox(db, &depth);
  if (!read.ok()) return read;
  CountStates(fresh.health, depth, &fresh.state);
  fresh.stamp = stamp;
  if (!s.ok()) fresh.stamp = ChangeStamp{};  // no stamp: matches none, read again next time
  *entry = &(entries_[db] = std::move(fresh));
  return Status::Ok();
}

Status ScrapeStateCache::Read(Db* db, ScrapeState* state) {
  std::lock_guard<std::mutex> lock(mu_);
  const Entry* entry = nullptr;
  Status s = Fresh(db, &entry);
  if (!s.ok()) {
    state->store_ok = false;
    return s;
  }
  const bool engine_up = state->engine_up;
  *state = entry->state;
  state->engine_up = engine_up;  // not the store's: the caller's
  return Status::Ok();
}

Status ScrapeStateCache::Health(Db* db, std::unordered_map<int64_t, sandbot::Health>* health) {
  std::lock_guard<std::mutex> lock(mu_);
  const Entry* entry = nullptr;
  Status s = Fresh(db, &entry);
  if (s.ok()) *health = entry->health;
  return s;
}

}  // namespace sandbot
