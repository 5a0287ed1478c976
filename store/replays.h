// Replays: signed requests already acted on, kept in the store for doors
// whose signature carries no timestamp (Teams' outgoing webhook signs only
// the body), so a captured message cannot be sent again, not even after a
// restart.
#ifndef SANDBOT_STORE_REPLAYS_H_
#define SANDBOT_STORE_REPLAYS_H_

#include <cstdint>
#include <string>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// Records `key` (e.g. "teams:" + the signature) until `until_ms`; *first is
// false when it was recorded before and has not expired.
Status FirstSeenPersistent(Db* db, const std::string& key, int64_t until_ms, bool* first);
// Forgets keys expired at `now_ms`; *removed says how many.
Status PruneReplays(Db* db, int64_t now_ms, int* removed);

}  // namespace sandbot

#endif  // SANDBOT_STORE_REPLAYS_H_
