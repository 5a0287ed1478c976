#include "store/snapshots.h"

#include <nlohmann/json.hpp>

#include "store/routes.h"
#include "store/seeds.h"

namespace sandbot {

using nlohmann::json;

std::string SnapshotToJson(const SnapshotData& d) {
  json services = json::array();
  for (const SnapshotService& s : d.services) {
    services.push_back(
        {{"name", s.name}, {"repo", s.repo}, {"branch", s.branch}, {"commit", s.commit}});
  }
  json envs = json::array();
  for (const SnapshotEnv& e : d.envs) envs.push_back({{"env", e.env}, {"service", e.service}});
  json routes = json::object();
  for (const auto& [service, target] : d.routes) routes[service] = target;
  json out{{"services", services}, {"routes", routes}, {"envs", envs}, {"gateway", d.gateway}};
  for (const SnapshotVolume& v : d.volumes) {
    out["volumes"].push_back(
        {{"volume", v.volume}, {"engine_volume", v.engine_volume}, {"origin", v.origin}});
  }
  if (d.with_data) out["with_data"] = true;
  return out.dump();
}

Status SnapshotFromJson(const std::string& text, SnapshotData* d) {
  *d = SnapshotData();
  json j = json::parse(text, nullptr, false);
  auto bad = [] { return Status::InvalidArgument("the snapshot's recorded body is damaged"); };
  if (!j.is_object()) return bad();
  auto str = [](const json& o, const char* key) {
    return o.contains(key) && o[key].is_string() ? o[key].get<std::string>() : std::string();
  };
  if (j.contains("services")) {
    if (!j["services"].is_array()) return bad();
    for (const json& s : j["services"]) {
      if (!s.is_object() || str(s, "name").empty()) return bad();
      d->services.push_back({str(s, "name"), str(s, "repo"), str(s, "branch"), str(s, "commit")});
    }
  }
  if (j.contains("routes")) {
    if (!j["routes"].is_object()) return bad();
    for (const auto& [service, target] : j["routes"].items()) {
      if (!target.is_string()) return bad();
      d->routes[service] = target.get<std::string>();
    }
  }
  if (j.contains("envs")) {
    if (!j["envs"].is_array()) return bad();
    for (const json& e : j["envs"]) {
      if (!e.is_object() || str(e, "env").empty()) return bad();
      d->envs.push_back({str(e, "env"), str(e, "service")});
    }
  }
  d->gateway = str(j, "gateway");
  d->with_data =
      j.contains("with_data") && j["with_data"].is_boolean() && j["with_data"].get<bool>();
  if (j.contains("volumes")) {
    if (!j["volumes"].is_array()) return bad();
    for (const json& v : j["volumes"]) {
      if (!v.is_object() || str(v, "volume").empty()) return bad();
      d->volumes.push_back({str(v, "volume"), str(v, "engine_volume"), str(v, "origin")});
    }
  }
  return Status::Ok();
}

Status CaptureSnapshot(Db* db, const Sandbox& sandbox, SnapshotData* d) {
  *d = SnapshotData();
  for (const Service& s : sandbox.services) {
    d->services.push_back({s.name, s.repo, s.branch, s.commit});
  }
  d->gateway = sandbox.gateway;
  Status s = GetRoutes(db, sandbox.id, &d->routes);
  if (!s.ok()) return s;
  Stmt st(db,
          "SELECT e.name, a.service FROM env_attachments a JOIN environments e ON e.id = a.env_id "
          "WHERE a.sandbox_id = ? ORDER BY a.attached_at, a.rowid");
  st.Bind(1, sandbox.id);
  while (st.Step()) d->envs.push_back({st.Text(0), st.Text(1)});
  if (!st.status().ok()) return st.status();
  std::vector<SandboxVolume> volumes;
  s = ListSandboxVolumes(db, sandbox.id, &volumes);
  for (const SandboxVolume& v : volumes) {
    d->volumes.push_back({v.volume, v.engine_volume, v.origin});
  }
  return s;
}

Status SaveSnapshot(Db* db, int64_t sandbox_id, const std::string& name, const std::string& body,
                    const std::string& by) {
  Stmt st(db,
          "INSERT INTO snapshots(sandbox_id, name, body, created_by, created_at) "
          "VALUES(?,?,?,?,?)");
  st.Bind(1, sandbox_id).Bind(2, name).Bind(3, body).Bind(4, by).Bind(5, NowMillis());
  Status s = st.Run();
  if (s.IsConflict()) return Status::Conflict("a snapshot named '" + name + "' exists already");
  return s;
}

Status ListSnapshotNames(Db* db, int64_t sandbox_id, std::vector<std::string>* names) {
  Stmt st(db, "SELECT name FROM snapshots WHERE sandbox_id = ? ORDER BY created_at, name");
  st.Bind(1, sandbox_id);
  while (st.Step()) names->push_back(st.Text(0));
  return st.status();
}

Status LoadSnapshot(Db* db, const Sandbox& sandbox, const std::string& name, SnapshotData* d) {
  std::string body;
  {
    Stmt st(db, "SELECT body FROM snapshots WHERE sandbox_id = ? AND name = ?");
    st.Bind(1, sandbox.id).Bind(2, name);
    if (st.Step()) body = st.Text(0);
    if (!st.status().ok()) return st.status();
  }
  if (body.empty()) {
    std::vector<std::string> names;
    Status s = ListSnapshotNames(db, sandbox.id, &names);
    if (!s.ok()) return s;
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
    return Status::NotFound("sandbox " + sandbox.name + " has no snapshot named '" + name + "'. " +
                            (list.empty() ? "It has none yet: take one with `/sandbox snapshot " +
                                                sandbox.name + " SNAP`."
                                          : "Its snapshots: " + list + "."));
  }
  return SnapshotFromJson(body, d);
}

Status ApplySnapshotSettings(Db* db, int64_t sandbox_id, const SnapshotData& d,
                             const std::string& actor) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  {
    Stmt st(db, "DELETE FROM routes WHERE sandbox_id = ?");
    st.Bind(1, sandbox_id);
    Status s = st.Run();
    if (!s.ok()) return s;
  }
  for (const auto& [service, target] : d.routes) {
    Status s = SetRoute(db, sandbox_id, service, target);
    if (!s.ok()) return s;
  }
  {
    Stmt st(db, "DELETE FROM env_attachments WHERE sandbox_id = ?");
    st.Bind(1, sandbox_id);
    Status s = st.Run();
    if (!s.ok()) return s;
  }
  // Attached in the recorded order, a millisecond apart: at the same level
  // the environment attached last wins (store/environments.h).
  const int64_t now = NowMillis();
  for (size_t i = 0; i < d.envs.size(); ++i) {
    const SnapshotEnv& e = d.envs[i];
    Stmt st(db,
            "INSERT OR IGNORE INTO env_attachments(env_id, sandbox_id, service, attached_by, "
            "attached_at) SELECT id, ?, ?, ?, ? FROM environments WHERE name = ?");
    st.Bind(1, sandbox_id).Bind(2, e.service).Bind(3, actor);
    st.Bind(4, now + static_cast<int64_t>(i)).Bind(5, e.env);
    Status s = st.Run();
    if (!s.ok()) return s;
    if (db->Changes() == 0) {
      return Status::NotFound("environment '" + e.env +
                              "' was deleted since; create it again with `/env create " + e.env +
                              "` (and its values), or attach another one after restoring");
    }
  }
  Stmt st(db, "UPDATE sandboxes SET gateway = ?, updated_at = ? WHERE id = ?");
  st.Bind(1, d.gateway).Bind(2, NowMillis()).Bind(3, sandbox_id);
  Status s = st.Run();
  return s.ok() ? tx.Commit() : s;
}

}  // namespace sandbot
