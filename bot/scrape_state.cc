#include "bot/scrape_state.h"

#include <vector>

#include "handlers/health.h"
#include "store/outbox.h"
#include "store/sandbox_health_rows.h"

namespace sandbot {

Status ReadScrapeState(Db* db, ScrapeState* state) {
  std::vector<Sandbox> all;
  Status s = ListSandboxHealthRows(db, &all);
  int64_t depth = 0;
  if (s.ok()) s = CountPendingOutbox(db, &depth);
  if (!s.ok()) {
    state->store_ok = false;
    return s;
  }
  state->sandboxes = {};
  for (const Sandbox& b : all) {
    if (b.state == "destroying") continue;  // on its way out: no longer a sandbox to look at
    ++state->sandboxes[static_cast<size_t>(SandboxHealthOf(b))];
  }
  state->outbox_depth = depth;
  state->store_ok = true;
  return Status::Ok();
}

}  // namespace sandbot
