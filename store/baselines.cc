#include "store/baselines.h"

namespace sandbot {

Status SetBaseline(Db* db, const std::string& service, const std::string& url,
                   const std::string& set_by) {
  Stmt st(db,
          "INSERT INTO baselines(service, url, set_by, updated_at) VALUES(?,?,?,?) "
          "ON CONFLICT(service) DO UPDATE SET url = excluded.url, set_by = excluded.set_by, "
          "updated_at = excluded.updated_at");
  st.Bind(1, service).Bind(2, url).Bind(3, set_by).Bind(4, NowMillis());
  return st.Run();
}

Status UnsetBaseline(Db* db, const std::string& service) {
  Stmt st(db, "DELETE FROM baselines WHERE service = ?");
  st.Bind(1, service);
  Status s = st.Run();
  if (s.ok() && db->Changes() == 0) {
    return Status::NotFound(service + " has no baseline URL (`/baseline list` shows them)");
  }
  return s;
}

Status LoadBaselines(Db* db, std::map<std::string, std::string>* baselines) {
  baselines->clear();
  Stmt st(db, "SELECT service, url FROM baselines");
  while (st.Step()) (*baselines)[st.Text(0)] = st.Text(1);
  return st.status();
}

Status SeedBaselines(Db* db, const std::map<std::string, std::string>& from_config) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  for (const auto& [service, url] : from_config) {
    Stmt st(db,
            "INSERT INTO baselines(service, url, set_by, updated_at) VALUES(?,?,'config',?) "
            "ON CONFLICT(service) DO UPDATE SET url = excluded.url, "
            "updated_at = excluded.updated_at WHERE baselines.set_by = 'config'");
    st.Bind(1, service).Bind(2, url).Bind(3, NowMillis());
    Status s = st.Run();
    if (!s.ok()) return s;
  }
  return tx.Commit();
}

}  // namespace sandbot
