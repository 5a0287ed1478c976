#include "store/repos.h"

#include <nlohmann/json.hpp>

namespace sandbot {

namespace {

const char kColumns[] =
    "name, path, port, health, image, cmd, default_branch, auto_branches, wait, "
    "reload_signal, compose_file";

Repo ReadRepo(Stmt& st) {
  Repo r;
  r.name = st.Text(0);
  r.path = st.Text(1);
  r.port = static_cast<int>(st.Int(2));
  r.health = st.Text(3);
  r.image = st.Text(4);
  nlohmann::json cmd = nlohmann::json::parse(st.Text(5), nullptr, false);
  if (cmd.is_array()) {
    for (const auto& part : cmd) {
      if (part.is_string()) r.cmd.push_back(part.get<std::string>());
    }
  }
  r.default_branch = st.Text(6);
  r.auto_branches = st.Text(7);
  r.wait = st.Int(8) != 0;
  r.reload_signal = st.Text(9);
  r.compose_file = st.Text(10);
  return r;
}

}  // namespace

Status ValidateReloadSignal(const std::string& signal) {
  // Signals a service can catch without side effects; TERM/KILL/INT would
  // stop it instead of reloading.
  if (signal.empty() || signal == "HUP" || signal == "USR1" || signal == "USR2") {
    return Status::Ok();
  }
  return Status::InvalidArgument("--reload-signal must be HUP, USR1 or USR2 (got '" + signal +
                                 "'); leave it out to recreate containers on a route change");
}

Status AddRepo(Db* db, const Repo& r) {
  Stmt st(db,
          "INSERT INTO repos(name, path, port, health, image, cmd, default_branch, "
          "auto_branches, wait, reload_signal, compose_file, created_at) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
  st.Bind(1, r.name).Bind(2, r.path).Bind(3, r.port).Bind(4, r.health).Bind(5, r.image);
  st.Bind(6, nlohmann::json(r.cmd).dump()).Bind(7, r.default_branch).Bind(8, r.auto_branches);
  st.Bind(9, r.wait ? 1 : 0).Bind(10, r.reload_signal).Bind(11, r.compose_file);
  st.Bind(12, NowMillis());
  Status s = st.Run();
  if (s.code() == Status::Code::kConflict) {
    return Status::Conflict("a repo named '" + r.name + "' or at " + r.path +
                            " is already registered (sandbot repo list)");
  }
  return s;
}

Status GetRepo(Db* db, const std::string& name, Repo* repo) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM repos WHERE name = ?";
  Stmt st(db, sql.c_str());
  st.Bind(1, name);
  if (st.Step()) {
    *repo = ReadRepo(st);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("no repo named '" + name + "' (sandbot repo list)");
}

Status ListRepos(Db* db, std::vector<Repo>* repos) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM repos ORDER BY name";
  Stmt st(db, sql.c_str());
  while (st.Step()) repos->push_back(ReadRepo(st));
  return st.status();
}

Status RemoveRepo(Db* db, const std::string& name) {
  Stmt st(db, "DELETE FROM repos WHERE name = ?");
  st.Bind(1, name);
  Status s = st.Run();
  if (!s.ok()) return s;
  if (db->Changes() == 0) return Status::NotFound("no repo named '" + name + "'");
  return Status::Ok();
}

}  // namespace sandbot
