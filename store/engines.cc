#include "store/engines.h"

namespace sandbot {

Status PlaceSandbox(Db* db, const std::string& name, const std::string& engine, bool* placed) {
  *placed = false;
  Stmt st(db, "UPDATE sandboxes SET engine = ? WHERE name = ? AND engine = ''");
  st.Bind(1, engine).Bind(2, name);
  Status s = st.Run();
  if (!s.ok()) return s;
  *placed = db->Changes() > 0;
  if (*placed) return Status::Ok();
  std::string current;
  return GetSandboxEngine(db, name, &current);
}

Status SetSandboxEngine(Db* db, const std::string& name, const std::string& engine) {
  Stmt st(db, "UPDATE sandboxes SET engine = ?, updated_at = ? WHERE name = ?");
  st.Bind(1, engine).Bind(2, NowMillis()).Bind(3, name);
  Status s = st.Run();
  if (s.ok() && db->Changes() == 0) return Status::NotFound("no sandbox named '" + name + "'");
  return s;
}

Status GetSandboxEngine(Db* db, const std::string& name, std::string* engine) {
  Stmt st(db, "SELECT engine FROM sandboxes WHERE name = ?");
  st.Bind(1, name);
  if (!st.Step()) {
    if (!st.status().ok()) return st.status();
    return Status::NotFound("no sandbox named '" + name + "'");
  }
  *engine = st.Text(0);
  return Status::Ok();
}

Status ListSandboxEngines(Db* db, std::map<std::string, std::string>* out) {
  Stmt st(db, "SELECT name, engine FROM sandboxes");
  while (st.Step()) (*out)[st.Text(0)] = st.Text(1);
  return st.status();
}

Status CountEngineServices(Db* db, std::map<std::string, int>* out) {
  Stmt st(db,
          "SELECT b.engine, COUNT(s.id) FROM sandboxes b LEFT JOIN services s "
          "ON s.sandbox_id = b.id WHERE b.state != 'destroying' GROUP BY b.engine");
  while (st.Step()) (*out)[st.Text(0)] = static_cast<int>(st.Int(1));
  return st.status();
}

Status CountEngineSandboxes(Db* db, std::map<std::string, int>* out) {
  Stmt st(db, "SELECT engine, COUNT(*) FROM sandboxes GROUP BY engine");
  while (st.Step()) (*out)[st.Text(0)] = static_cast<int>(st.Int(1));
  return st.status();
}

Status AdoptDeployedSandboxes(Db* db, const std::string& engine, int* adopted) {
  *adopted = 0;
  Stmt st(db,
          "UPDATE sandboxes SET engine = ? WHERE engine = '' AND id IN "
          "(SELECT sandbox_id FROM services WHERE container_id != '' OR image != '')");
  st.Bind(1, engine);
  Status s = st.Run();
  if (s.ok()) *adopted = db->Changes();
  return s;
}

Status SetEngineDrained(Db* db, const std::string& engine, bool drained, const std::string& by) {
  if (!drained) {
    Stmt st(db, "DELETE FROM engine_drains WHERE name = ?");
    st.Bind(1, engine);
    return st.Run();
  }
  Stmt st(db,
          "INSERT INTO engine_drains(name, drained_at, drained_by) VALUES(?, ?, ?) "
          "ON CONFLICT(name) DO NOTHING");
  st.Bind(1, engine).Bind(2, NowMillis()).Bind(3, by);
  return st.Run();
}

Status ListDrainedEngines(Db* db, std::set<std::string>* out) {
  Stmt st(db, "SELECT name FROM engine_drains");
  while (st.Step()) out->insert(st.Text(0));
  return st.status();
}

}  // namespace sandbot
