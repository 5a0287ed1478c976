// The state gauges of GET /metrics (bot/metrics.h ScrapeState), read from
// the store: sandboxes by health (the same roll-up as every status answer,
// handlers/health.h) and the outbox's depth.
#ifndef SANDBOT_BOT_SCRAPE_STATE_H_
#define SANDBOT_BOT_SCRAPE_STATE_H_

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "bot/metrics.h"
#include "handlers/health.h"
#include "store/change_stamp.h"
#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// Fills state->sandboxes and state->outbox_depth; on failure sets
// state->store_ok = false (the gauges then keep their last values).
Status ReadScrapeState(Db* db, ScrapeState* state);

// ReadScrapeState and ReadSandboxHealth through a cache: the store is read
// again only when a row was written since the last read on that connection
// (its store/change_stamp.h stamp moved), so an answer is never older than
// the store, and an idle store costs a scrape (or a dashboard page filtered
// by health) one PRAGMA instead of a pass over every sandbox and service.
// The connections must outlive the cache (the daemon's HTTP loops' own,
// which live as long as its listener).
class ScrapeStateCache {
 public:
  Status Read(Db* db, ScrapeState* state);
  Status Health(Db* db, std::unordered_map<int64_t, sandbot::Health>* health);
  // Reads that went to the tables (for tests).
  int64_t reads() {
    std::lock_guard<std::mutex> lock(mu_);
    return reads_;
  }

 private:
  struct Entry {
    ChangeStamp stamp;
    std::unordered_map<int64_t, sandbot::Health> health;
    ScrapeState state;
  };
  // db's entry, read again when its stamp moved. REQUIRES: mu_ held.
  Status Fresh(Db* db, const Entry** entry);

  std::mutex mu_;
  std::unordered_map<Db*, Entry> entries_;  // under mu_
  int64_t reads_ = 0;                       // under mu_
};

// Every sandbox not being destroyed, by id, with its health (the roll-up
// of SandboxHealthOf from the compact rows of store/sandbox_health_rows.h):
// the dashboard's health filter asks the store for these ids.
Status ReadSandboxHealth(Db* db, std::unordered_map<int64_t, Health>* health);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SCRAPE_STATE_H_
