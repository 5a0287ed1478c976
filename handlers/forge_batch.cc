#include "handlers/forge_batch.h"

namespace sandbot {

void HandleForgeDeliveries(Db* db, const std::vector<ForgeDelivery>& deliveries,
                           std::vector<ForgeBatchResult>* results) {
  results->assign(deliveries.size(), ForgeBatchResult{});
  auto fail_all = [results](const Status& s) {
    for (ForgeBatchResult& r : *results) {
      r.status = s;
      r.outcome = ForgeOutcome{};
    }
  };
  Transaction tx(db);
  if (!tx.status().ok()) return fail_all(tx.status());
  for (size_t i = 0; i < deliveries.size(); ++i) {
    ForgeBatchResult& r = (*results)[i];
    r.status = HandleForgeDelivery(db, deliveries[i], &r.outcome);
    // SQLite rolls the whole transaction back on some errors (a full disk):
    // what came before is gone, and what follows would commit on its own.
    if (!db->InTransaction()) {
      return fail_all(r.status.ok() ? Status::Unavailable("store: the batch was rolled back")
                                    : r.status);
    }
  }
  Status s = tx.Commit();
  if (!s.ok()) fail_all(s);
}

}  // namespace sandbot
