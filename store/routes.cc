#include "store/routes.h"

namespace sandbot {

Status SetRoute(Db* db, int64_t sandbox_id, const std::string& service, const std::string& target) {
  Stmt st(db,
          "INSERT INTO routes(sandbox_id, service, target, updated_at) VALUES(?,?,?,?) "
          "ON CONFLICT(sandbox_id, service) DO UPDATE SET target = excluded.target, "
          "updated_at = excluded.updated_at");
  st.Bind(1, sandbox_id).Bind(2, service).Bind(3, target).Bind(4, NowMillis());
  return st.Run();
}

Status GetRoutes(Db* db, int64_t sandbox_id, std::map<std::string, std::string>* routes) {
  Stmt st(db, "SELECT service, target FROM routes WHERE sandbox_id = ?");
  st.Bind(1, sandbox_id);
  while (st.Step()) (*routes)[st.Text(0)] = st.Text(1);
  return st.status();
}

Status GetAllRoutes(Db* db, std::map<int64_t, std::map<std::string, std::string>>* routes) {
  Stmt st(db, "SELECT sandbox_id, service, target FROM routes");
  while (st.Step()) (*routes)[st.Int(0)][st.Text(1)] = st.Text(2);
  return st.status();
}

}  // namespace sandbot
