// The state gauges of GET /metrics (bot/metrics.h ScrapeState), read from
// the store at each scrape: sandboxes by health (the same roll-up as every
// status answer, handlers/health.h) and the outbox's depth.
#ifndef SANDBOT_BOT_SCRAPE_STATE_H_
#define SANDBOT_BOT_SCRAPE_STATE_H_

#include "bot/metrics.h"
#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// Fills state->sandboxes and state->outbox_depth; on failure sets
// state->store_ok = false (the gauges then keep their last values).
Status ReadScrapeState(Db* db, ScrapeState* state);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SCRAPE_STATE_H_
