// The state gauges of GET /metrics (bot/metrics.h ScrapeState), read from
// the store at each scrape: sandboxes by health (the same roll-up as every
// status answer, handlers/health.h) and the outbox's depth.
#ifndef SANDBOT_BOT_SCRAPE_STATE_H_
#define SANDBOT_BOT_SCRAPE_STATE_H_

#include <cstdint>
#include <unordered_map>

#include "bot/metrics.h"
#include "handlers/health.h"
#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// Fills state->sandboxes and state->outbox_depth; on failure sets
// state->store_ok = false (the gauges then keep their last values).
Status ReadScrapeState(Db* db, ScrapeState* state);

// Every sandbox not being destroyed, by id, with its health (the roll-up
// of SandboxHealthOf from the compact rows of store/sandbox_health_rows.h):
// the dashboard's health filter asks the store for these ids.
Status ReadSandboxHealth(Db* db, std::unordered_map<int64_t, Health>* health);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SCRAPE_STATE_H_
