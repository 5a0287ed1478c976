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
  // router's verdict and their services (a suspended service counting as
  // Degraded), Healthy with none.
  struct Entry {
    bool counted = true;  // not being destroyed
    bool suspended = false;
    Health worst = Health::kHealthy;
  };
  std::unordered_map<int64_t, Entry> sandboxes;
  Status s = ScanSandboxHealthRows(
      db,
      [&](int64_t id, const std::string& st, const std::string& router_health) {
        Entry& e = sandboxes[id];
        e.counted = st != "destroying";  // on its way out: no longer a sandbox to look at
        e.suspended = st == "suspended";
        if (!router_health.empty()) {  // a verdict only with serve --router
          Sandbox b;
          b.router_health = router_health;
          e.worst = RouterHealthOf(b).health;
        }
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

Status ReadScrapeState(Db* db, ScrapeState* state) {
  std::unordered_map<int64_t, Health> health;
  int64_t depth = 0;
  Status s = ReadSandboxHealth(db, &health);
  if (s.ok()) s = CountPendingOutbox(db, &depth);
  if (!s.ok()) {
    state->store_ok = false;
    return s;
  }
  state->sandboxes = {};
  for (const auto& [id, h] : health) ++state->sandboxes[static_cast<size_t>(h)];
  state->outbox_depth = depth;
  state->store_ok = true;
  return Status::Ok();
}

}  // namespace sandbot
