// A connection's view of "has the store changed?": two stamps taken on the
// same connection differ whenever any row was written in between, by this
// connection (sqlite3_total_changes64) or by any other, in this process or
// another (PRAGMA data_version). What a cache of a store read keys on, so
// that it is never stale: GET /metrics reads the sandboxes' health once per
// change instead of once per scrape (bot/scrape_state.h).
#ifndef SANDBOT_STORE_CHANGE_STAMP_H_
#define SANDBOT_STORE_CHANGE_STAMP_H_

#include <cstdint>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct ChangeStamp {
  int64_t data_version = -1;  // others' commits, as this connection saw them
  int64_t own_changes = -1;   // rows this connection wrote since it opened
  bool operator==(const ChangeStamp& o) const {
    return data_version == o.data_version && own_changes == o.own_changes;
  }
  bool operator!=(const ChangeStamp& o) const { return !(*this == o); }
};

// Only stamps of the same connection compare. Take the stamp before the
// read it guards: a write landing between the two then only costs one more
// read, never a stale answer.
Status ReadChangeStamp(Db* db, ChangeStamp* stamp);

}  // namespace sandbot

#endif  // SANDBOT_STORE_CHANGE_STAMP_H_
