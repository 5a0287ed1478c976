#include "store/sandbox_health_rows.h"

namespace sandbot {

Status ListSandboxHealthRows(Db* db, std::vector<Sandbox>* out) {
  out->clear();
  {
    Stmt st(db, "SELECT id, state FROM sandboxes ORDER BY id");
    while (st.Step()) {
      Sandbox b;
      b.id = st.Int(0);
      b.state = st.Text(1);
      out->push_back(std::move(b));
    }
    if (!st.status().ok()) return st.status();
  }
  Stmt st(db,
          "SELECT sandbox_id, status, health, health_checked_at, updated_at FROM services "
          "ORDER BY sandbox_id");
  size_t i = 0;
  while (st.Step()) {
    Service s;
    s.sandbox_id = st.Int(0);
    ParseServiceStatus(st.Text(1), &s.status);  // the schema admits only known names
    s.health = st.Text(2);
    s.health_checked_at = st.Int(3);
    s.updated_at = st.Int(4);
    while (i < out->size() && (*out)[i].id < s.sandbox_id) ++i;
    if (i == out->size()) break;
    if ((*out)[i].id == s.sandbox_id) (*out)[i].services.push_back(std::move(s));
  }
  return st.status();
}

}  // namespace sandbot
