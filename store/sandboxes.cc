#include "store/sandboxes.h"

#include <algorithm>
#include <unordered_map>

#include "store/sandbox_page.h"

namespace sandbot {

namespace {

const char kServiceSelect[] =
    "SELECT s.id, s.sandbox_id, b.name, s.name, s.repo, s.branch, s.commit_sha, s.status, "
    "s.route, s.container_id, s.image, s.detail, COALESCE(p.port, 0), s.updated_at, s.url, "
    "s.memory_mb, s.cpus, s.health, s.restarts, s.health_checked_at "
    "FROM services s JOIN sandboxes b ON b.id = s.sandbox_id "
    "LEFT JOIN ports p ON p.service_id = s.id ";

Service ReadService(Stmt& st) {
  Service s;
  s.id = st.Int(0);
  s.sandbox_id = st.Int(1);
  s.sandbox = st.Text(2);
  s.name = st.Text(3);
  s.repo = st.Text(4);
  s.branch = st.Text(5);
  s.commit = st.Text(6);
  ParseServiceStatus(st.Text(7), &s.status);  // the schema admits only known names
  s.route = st.Text(8);
  s.container_id = st.Text(9);
  s.image = st.Text(10);
  s.detail = st.Text(11);
  s.host_port = static_cast<int>(st.Int(12));
  s.updated_at = st.Int(13);
  s.url = st.Text(14);
  s.memory_mb = static_cast<int>(st.Int(15));
  s.cpus = st.Double(16);
  s.health = st.Text(17);
  s.restarts = static_cast<int>(st.Int(18));
  s.health_checked_at = st.Int(19);
  return s;
}

const char kSandboxSelect[] =
    "SELECT id, name, created_by, origin_repo, origin_branch, state, created_at, updated_at, "
    "template, gateway, locked_by, locked_at, lock_reason, last_active_at, suspended_at, "
    "memory_mb, cpus, router_health, router_checked_at, engine FROM sandboxes ";

Sandbox ReadSandbox(Stmt& st) {
  Sandbox b;
  b.id = st.Int(0);
  b.name = st.Text(1);
  b.created_by = st.Text(2);
  b.origin_repo = st.Text(3);
  b.origin_branch = st.Text(4);
  b.state = st.Text(5);
  b.created_at = st.Int(6);
  b.updated_at = st.Int(7);
  b.template_name = st.Text(8);
  b.gateway = st.Text(9);
  b.locked_by = st.Text(10);
  b.locked_at = st.Int(11);
  b.lock_reason = st.Text(12);
  b.last_active_at = st.Int(13);
  b.suspended_at = st.Int(14);
  b.memory_mb = static_cast<int>(st.Int(15));
  b.cpus = st.Double(16);
  b.router_health = st.Text(17);
  b.router_checked_at = st.Int(18);
  b.engine = st.Text(19);
  return b;
}

Status Touch(Db* db, int64_t sandbox_id) {
  Stmt st(db, "UPDATE sandboxes SET updated_at = ? WHERE id = ?");
  st.Bind(1, NowMillis()).Bind(2, sandbox_id);
  return st.Run();
}

}  // namespace

Status CreateSandbox(Db* db, Sandbox* b) {
  int64_t now = NowMillis();
  Stmt st(db,
          "INSERT INTO sandboxes(name, created_by, origin_repo, origin_branch, state, "
          "created_at, updated_at, template, gateway, last_active_at, memory_mb, cpus, engine) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
  st.Bind(1, b->name).Bind(2, b->created_by).Bind(3, b->origin_repo).Bind(4, b->origin_branch);
  st.Bind(5, b->state).Bind(6, now).Bind(7, now).Bind(8, b->template_name).Bind(9, b->gateway);
  st.Bind(10, now).Bind(11, static_cast<int64_t>(b->memory_mb)).Bind(12, b->cpus);
  st.Bind(13, b->engine);
  Status s = st.Run();
  if (s.code() == Status::Code::kConflict) {
    return Status::Conflict("a sandbox named '" + b->name + "' already exists");
  }
  if (!s.ok()) return s;
  b->id = db->LastInsertId();
  b->created_at = b->updated_at = b->last_active_at = now;
  return Status::Ok();
}

bool SandboxExists(Db* db, const std::string& name) {
  Stmt st(db, "SELECT 1 FROM sandboxes WHERE name = ?");
  st.Bind(1, name);
  return st.Step();
}

Status GetSandbox(Db* db, const std::string& name, Sandbox* b) {
  {
    std::string sql = std::string(kSandboxSelect) + "WHERE name = ?";
    Stmt st(db, sql.c_str());
    st.Bind(1, name);
    if (!st.Step()) {
      if (!st.status().ok()) return st.status();
      return Status::NotFound("no sandbox named '" + name + "' (sandbot sandbox list)");
    }
    *b = ReadSandbox(st);
  }
  std::string sql = std::string(kServiceSelect) + "WHERE s.sandbox_id = ? ORDER BY s.name";
  Stmt st(db, sql.c_str());
  st.Bind(1, b->id);
  while (st.Step()) b->services.push_back(ReadService(st));
  return st.status();
}

Status ListSandboxes(Db* db, std::vector<Sandbox>* out) {
  {
    std::string sql = std::string(kSandboxSelect) + "ORDER BY name";
    Stmt st(db, sql.c_str());
    while (st.Step()) out->push_back(ReadSandbox(st));
    if (!st.status().ok()) return st.status();
  }
  // One query for every service, merged by sandbox id: list stays O(rows).
  std::string sql = std::string(kServiceSelect) + "ORDER BY b.name, s.name";
  Stmt st(db, sql.c_str());
  size_t i = 0;
  while (st.Step()) {
    Service s = ReadService(st);
    while (i < out->size() && (*out)[i].id != s.sandbox_id) ++i;
    if (i == out->size()) break;
    (*out)[i].services.push_back(std::move(s));
  }
  return st.status();
}

Status ListSandboxPage(Db* db, const SandboxQuery& q, std::vector<Sandbox>* page, int64_t* total) {
  page->clear();
  // The ids filter as a JSON array, read with json_each: one statement
  // whatever its length.
  std::string ids;
  if (q.ids != nullptr) {
    ids = "[";
    for (size_t i = 0; i < q.ids->size(); ++i) {
      ids += (i ? "," : "") + std::to_string((*q.ids)[i]);
    }
    ids += "]";
  }
  const char kWhere[] =
      "WHERE (?1 = '' OR instr(created_by, ?1) > 0) "
      "AND (?2 = '' OR origin_repo = ?2 OR EXISTS (SELECT 1 FROM services s "
      "WHERE s.sandbox_id = sandboxes.id AND s.repo = ?2)) "
      "AND (?3 = '' OR state = ?3) "
      "AND (?4 = '' OR id IN (SELECT value FROM json_each(?4))) ";
  auto bind = [&](Stmt& st) { st.Bind(1, q.owner).Bind(2, q.repo).Bind(3, q.state).Bind(4, ids); };
  {
    std::string sql = std::string("SELECT COUNT(*) FROM sandboxes ") + kWhere;
    Stmt st(db, sql.c_str());
    bind(st);
    if (!st.Step()) return st.status().ok() ? Status::Internal("no count") : st.status();
    *total = st.Int(0);
  }
  {
    std::string sql = std::string(kSandboxSelect) + kWhere +
                      (q.newest_first ? "ORDER BY created_at DESC, id DESC " : "ORDER BY name ") +
                      "LIMIT ?5 OFFSET ?6";
    Stmt st(db, sql.c_str());
    bind(st);
    st.Bind(5, q.limit > 0 ? q.limit : -1).Bind(6, std::max(0, q.offset));
    while (st.Step()) page->push_back(ReadSandbox(st));
    if (!st.status().ok()) return st.status();
  }
  if (page->empty()) return Status::Ok();
  // Their services in one statement, by the page's ids.
  std::string page_ids = "[";
  std::unordered_map<int64_t, size_t> at;
  for (size_t i = 0; i < page->size(); ++i) {
    page_ids += (i ? "," : "") + std::to_string((*page)[i].id);
    at[(*page)[i].id] = i;
  }
  page_ids += "]";
  std::string sql = std::string(kServiceSelect) +
                    "WHERE s.sandbox_id IN (SELECT value FROM json_each(?1)) ORDER BY s.name";
  Stmt st(db, sql.c_str());
  st.Bind(1, page_ids);
  while (st.Step()) {
    Service s = ReadService(st);
    auto it = at.find(s.sandbox_id);
    if (it != at.end()) (*page)[it->second].services.push_back(std::move(s));
  }
  return st.status();
}

Status FindSandboxesByOrigin(Db* db, const std::string& repo, const std::string& branch,
                             std::vector<std::string>* names) {
  Stmt st(db, "SELECT name FROM sandboxes WHERE origin_repo = ? AND origin_branch = ?");
  st.Bind(1, repo).Bind(2, branch);
  while (st.Step()) names->push_back(st.Text(0));
  return st.status();
}

Status FindServicesTracking(Db* db, const std::string& repo, const std::string& branch,
                            std::vector<Service>* services) {
  std::string sql = std::string(kServiceSelect) +
                    "WHERE s.repo = ? AND s.branch = ? AND b.state IN ('active', 'suspended') "
                    "ORDER BY b.name";
  Stmt st(db, sql.c_str());
  st.Bind(1, repo).Bind(2, branch);
  while (st.Step()) services->push_back(ReadService(st));
  return st.status();
}

Status SetSandboxState(Db* db, const std::string& name, const std::string& state) {
  Stmt st(db, "UPDATE sandboxes SET state = ?, updated_at = ? WHERE name = ?");
  st.Bind(1, state).Bind(2, NowMillis()).Bind(3, name);
  return st.Run();
}

Status SetSandboxGateway(Db* db, const std::string& name, const std::string& gateway) {
  Stmt st(db, "UPDATE sandboxes SET gateway = ?, updated_at = ? WHERE name = ?");
  st.Bind(1, gateway).Bind(2, NowMillis()).Bind(3, name);
  return st.Run();
}

Status DeleteSandbox(Db* db, const std::string& name) {
  // Foreign keys cascade to services and from them to ports.
  Stmt st(db, "DELETE FROM sandboxes WHERE name = ?");
  st.Bind(1, name);
  return st.Run();
}

Status UpsertService(Db* db, int64_t sandbox_id, Service* s) {
  Stmt st(db,
          "INSERT INTO services(sandbox_id, name, repo, branch, route, updated_at) "
          "VALUES(?,?,?,?,?,?) ON CONFLICT(sandbox_id, name) DO UPDATE SET "
          "repo = excluded.repo, branch = excluded.branch, updated_at = excluded.updated_at "
          "RETURNING id");
  st.Bind(1, sandbox_id).Bind(2, s->name).Bind(3, s->repo).Bind(4, s->branch);
  st.Bind(5, s->route).Bind(6, NowMillis());
  if (st.Step()) s->id = st.Int(0);
  while (st.Step()) {
  }
  if (!st.status().ok()) return st.status();
  return Touch(db, sandbox_id);
}

const Service* FindService(const Sandbox& sandbox, const std::string& name) {
  for (const Service& s : sandbox.services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

Status GetService(Db* db, const std::string& sandbox, const std::string& name, Service* s) {
  std::string sql = std::string(kServiceSelect) + "WHERE b.name = ? AND s.name = ?";
  Stmt st(db, sql.c_str());
  st.Bind(1, sandbox).Bind(2, name);
  if (st.Step()) {
    *s = ReadService(st);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("no service '" + name + "' in sandbox '" + sandbox + "'");
}

Status SetServiceStatus(Db* db, int64_t service_id, ServiceStatus status,
                        const std::string& detail) {
  Stmt st(db, "UPDATE services SET status = ?, detail = ?, updated_at = ? WHERE id = ?");
  st.Bind(1, ServiceStatusName(status)).Bind(2, detail).Bind(3, NowMillis()).Bind(4, service_id);
  return st.Run();
}

Status SetServiceRoute(Db* db, int64_t service_id, const std::string& route) {
  Stmt st(db, "UPDATE services SET route = ? WHERE id = ?");
  st.Bind(1, route).Bind(2, service_id);
  return st.Run();
}

Status SetServiceDeployed(Db* db, int64_t service_id, const std::string& commit,
                          const std::string& image, const std::string& container_id,
                          const std::string& url) {
  Stmt st(db,
          "UPDATE services SET commit_sha = ?, image = ?, container_id = ?, url = ?, "
          "updated_at = ? WHERE id = ?");
  st.Bind(1, commit).Bind(2, image).Bind(3, container_id).Bind(4, url).Bind(5, NowMillis());
  st.Bind(6, service_id);
  return st.Run();
}

Status AllocatePort(Db* db, int64_t service_id, int lo, int hi, int* port) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  {
    Stmt st(db, "SELECT port FROM ports WHERE service_id = ?");
    st.Bind(1, service_id);
    int held = st.Step() ? static_cast<int>(st.Int(0)) : 0;
    if (!st.status().ok()) return st.status();
    if (held >= lo && held <= hi) {
      *port = held;
      return Status::Ok();
    }
  }
  {
    // Held in another range (it became or stopped being a gateway): give it back.
    Stmt st(db, "DELETE FROM ports WHERE service_id = ?");
    st.Bind(1, service_id);
    Status s = st.Run();
    if (!s.ok()) return s;
  }
  // The lowest free port: lo itself, or one past an allocated port whose
  // successor is free.
  int candidate = 0;
  {
    Stmt st(db,
            "SELECT MIN(c) FROM (SELECT ?1 AS c WHERE NOT EXISTS (SELECT 1 FROM ports WHERE port = "
            "?1) UNION ALL SELECT port + 1 FROM ports WHERE port >= ?1 AND port < ?2 AND "
            "NOT EXISTS (SELECT 1 FROM ports q WHERE q.port = ports.port + 1))");
    st.Bind(1, lo).Bind(2, hi);
    if (st.Step() && !st.IsNull(0)) candidate = static_cast<int>(st.Int(0));
    if (!st.status().ok()) return st.status();
  }
  if (candidate == 0 || candidate > hi) {
    return Status::Unavailable("every host port in " + std::to_string(lo) + "-" +
                               std::to_string(hi) +
                               " is taken; destroy unused sandboxes or widen --ports");
  }
  {
    Stmt ins(db, "INSERT INTO ports(port, service_id) VALUES(?, ?)");
    ins.Bind(1, candidate).Bind(2, service_id);
    Status s = ins.Run();
    if (!s.ok()) return s;
  }
  Status s = tx.Commit();
  if (s.ok()) *port = candidate;
  return s;
}

Status ListPorts(Db* db, std::vector<int>* ports) {
  Stmt st(db, "SELECT port FROM ports ORDER BY port");
  while (st.Step()) ports->push_back(static_cast<int>(st.Int(0)));
  return st.status();
}

Status ListRunningServices(Db* db, std::vector<Service>* services) {
  std::string sql = std::string(kServiceSelect) +
                    "WHERE s.status = 'running' AND s.container_id != '' AND b.state = 'active' "
                    "ORDER BY b.name, s.name";
  Stmt st(db, sql.c_str());
  while (st.Step()) services->push_back(ReadService(st));
  return st.status();
}

Status SetServiceHealth(Db* db, const Service& seen, const std::string& verdict, int restarts) {
  Stmt st(db,
          "UPDATE services SET health = ?, restarts = ?, health_checked_at = ? "
          "WHERE id = ? AND container_id = ? AND updated_at = ? AND status = ?");
  st.Bind(1, verdict).Bind(2, restarts).Bind(3, NowMillis()).Bind(4, seen.id);
  st.Bind(5, seen.container_id).Bind(6, seen.updated_at).Bind(7, ServiceStatusName(seen.status));
  return st.Run();
}

Status SetRouterHealth(Db* db, int64_t sandbox_id, const std::string& verdict) {
  Stmt st(db, "UPDATE sandboxes SET router_health = ?, router_checked_at = ? WHERE id = ?");
  st.Bind(1, verdict).Bind(2, verdict.empty() ? int64_t{0} : NowMillis()).Bind(3, sandbox_id);
  return st.Run();
}

Status ListSandboxNames(Db* db, std::vector<std::string>* names) {
  names->clear();
  Stmt st(db, "SELECT name FROM sandboxes ORDER BY name");
  while (st.Step()) names->push_back(st.Text(0));
  return st.status();
}

Status RenameSandbox(Db* db, const std::string& from, const std::string& to) {
  if (SandboxExists(db, to)) return Status::Conflict("a sandbox named " + to + " already exists");
  if (!SandboxExists(db, from)) return Status::NotFound("no sandbox named " + from);
  Stmt sandbox(db, "UPDATE sandboxes SET name = ?, updated_at = ? WHERE name = ?");
  sandbox.Bind(1, to).Bind(2, NowMillis()).Bind(3, from);
  Status s = sandbox.Run();
  static const char* const kNamed[] = {
      "UPDATE jobs SET sandbox = ? WHERE sandbox = ?",
      "UPDATE deployments SET sandbox = ? WHERE sandbox = ?",
      "UPDATE channel_defaults SET sandbox = ? WHERE sandbox = ?",
      "UPDATE user_sandboxes SET sandbox = ? WHERE sandbox = ?",
  };
  for (const char* sql : kNamed) {
    if (!s.ok()) return s;
    Stmt st(db, sql);
    st.Bind(1, to).Bind(2, from);
    s = st.Run();
  }
  if (!s.ok()) return s;
  return Status::Ok();
}

}  // namespace sandbot
