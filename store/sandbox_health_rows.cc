#include "store/sandbox_health_rows.h"

namespace sandbot {

Status ScanSandboxHealthRows(Db* db, const std::function<void(const Sandbox&)>& on_sandbox,
                             const std::function<void(const Service&)>& on_service) {
  {
    Stmt st(db, "SELECT id, state, router_health FROM sandboxes");
    Sandbox b;
    while (st.Step()) {
      b.id = st.Int(0);
      b.state = st.Text(1);
      b.router_health = st.Text(2);
      on_sandbox(b);
    }
    if (!st.status().ok()) return st.status();
  }
  Stmt st(db, "SELECT sandbox_id, status, health, health_checked_at, updated_at FROM services");
  Service s;
  while (st.Step()) {
    s.sandbox_id = st.Int(0);
    ParseServiceStatus(st.Text(1), &s.status);  // the schema admits only known names
    s.health = st.Text(2);
    s.health_checked_at = st.Int(3);
    s.updated_at = st.Int(4);
    on_service(s);
  }
  return st.status();
}

}  // namespace sandbot
