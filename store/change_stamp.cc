#include "store/change_stamp.h"

#include <sqlite3.h>

namespace sandbot {

Status ReadChangeStamp(Db* db, ChangeStamp* stamp) {
  RecursiveMutexLock lock(&db->mutex());
  Stmt st(db, "PRAGMA data_version");
  if (!st.Step())
    return st.status().ok() ? Status::Internal("PRAGMA data_version: no row") : st.status();
  stamp->data_version = st.Int(0);
  stamp->own_changes = sqlite3_total_changes64(db->handle());
  return Status::Ok();
}

}  // namespace sandbot
