#include "store/pushes.h"

namespace sandbot {

Status MarkPushSeen(Db* db, const std::string& id, bool* first) {
  Stmt st(db, "INSERT OR IGNORE INTO pushes_seen(id, time) VALUES(?, ?)");
  st.Bind(1, id).Bind(2, NowMillis());
  Status s = st.Run();
  if (s.ok()) *first = db->Changes() != 0;
  return s;
}

}  // namespace sandbot
