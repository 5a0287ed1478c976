// Group commit of forge deliveries: several verified deliveries recorded,
// decided and audited in one transaction (bot/forge_intake.h gathers them).
// Each is HandleForgeDelivery in a savepoint of its own, so one that fails
// leaves the others; none is answered before the whole batch is committed.
#ifndef SANDBOT_HANDLERS_FORGE_BATCH_H_
#define SANDBOT_HANDLERS_FORGE_BATCH_H_

#include <vector>

#include "handlers/forge_pr.h"
#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct ForgeBatchResult {
  Status status;  // not ok: this delivery is not recorded (answer 503, the forge resends)
  ForgeOutcome outcome;
};

// Handles `deliveries` in order in one transaction and fills `results` (one
// per delivery). When the transaction cannot begin or commit, every result
// carries that failure: nothing of the batch was recorded.
void HandleForgeDeliveries(Db* db, const std::vector<ForgeDelivery>& deliveries,
                           std::vector<ForgeBatchResult>* results);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_FORGE_BATCH_H_
