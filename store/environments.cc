#include "store/environments.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace sandbot {

namespace {

// The additional data a sealed value is bound to.
std::string Aad(const std::string& env, const std::string& key) { return "env/" + env + "/" + key; }

Status EnvId(Db* db, const std::string& name, int64_t* id) {
  Stmt st(db, "SELECT id FROM environments WHERE name = ?");
  st.Bind(1, name);
  if (st.Step()) {
    *id = st.Int(0);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("no environment named '" + name +
                          "'; `/env list` shows them, `/env create " + name + "` makes it");
}

Status Touch(Db* db, int64_t env_id) {
  Stmt st(db, "UPDATE environments SET updated_at = ? WHERE id = ?");
  st.Bind(1, NowMillis()).Bind(2, env_id);
  return st.Run();
}

Status LoadEntries(Db* db, Environment* env) {
  Stmt st(db,
          "SELECT key, kind, value, as_env, updated_at FROM env_entries WHERE env_id = ? "
          "ORDER BY key");
  st.Bind(1, env->id);
  while (st.Step()) {
    EnvEntry e;
    e.key = st.Text(0);
    e.kind = st.Text(1);
    e.value = st.Text(2);
    e.as_env = st.Int(3) != 0;
    e.updated_at = st.Int(4);
    env->entries.push_back(std::move(e));
  }
  return st.status();
}

Status LoadAttachments(Db* db, Environment* env) {
  Stmt st(db,
          "SELECT s.name, a.service, a.attached_by, a.attached_at FROM env_attachments a "
          "JOIN sandboxes s ON s.id = a.sandbox_id WHERE a.env_id = ? ORDER BY s.name, a.service");
  st.Bind(1, env->id);
  while (st.Step()) {
    env->attachments.push_back({env->name, st.Text(0), st.Text(1), st.Text(2), st.Int(3)});
  }
  return st.status();
}

}  // namespace

Status CreateEnvironment(Db* db, const std::string& name, const std::string& actor) {
  Stmt st(db, "INSERT INTO environments(name, created_by, created_at, updated_at) VALUES(?,?,?,?)");
  const int64_t now = NowMillis();
  st.Bind(1, name).Bind(2, actor).Bind(3, now).Bind(4, now);
  Status s = st.Run();
  if (s.IsConflict()) return Status::Conflict("an environment named '" + name + "' already exists");
  return s;
}

Status GetEnvironment(Db* db, const std::string& name, Environment* env) {
  *env = Environment();
  {
    Stmt st(db,
            "SELECT id, name, created_by, created_at, updated_at FROM environments WHERE name = ?");
    st.Bind(1, name);
    if (!st.Step()) {
      if (!st.status().ok()) return st.status();
      return Status::NotFound("no environment named '" + name + "'");
    }
    env->id = st.Int(0);
    env->name = st.Text(1);
    env->created_by = st.Text(2);
    env->created_at = st.Int(3);
    env->updated_at = st.Int(4);
  }
  Status s = LoadEntries(db, env);
  if (s.ok()) s = LoadAttachments(db, env);
  return s;
}

Status ListEnvironments(Db* db, std::vector<Environment>* envs) {
  envs->clear();
  std::vector<std::string> names;
  {
    Stmt st(db, "SELECT name FROM environments ORDER BY name");
    while (st.Step()) names.push_back(st.Text(0));
    if (!st.status().ok()) return st.status();
  }
  for (const std::string& name : names) {
    Environment env;
    Status s = GetEnvironment(db, name, &env);
    if (!s.ok()) return s;
    envs->push_back(std::move(env));
  }
  return Status::Ok();
}

Status DeleteEnvironment(Db* db, const std::string& name) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Environment env;
  Status s = GetEnvironment(db, name, &env);
  if (!s.ok()) return s;
  if (!env.attachments.empty()) {
    std::string where;
    for (const EnvAttachment& a : env.attachments) {
      where += (where.empty() ? "" : ", ") + a.sandbox + (a.service.empty() ? "" : " " + a.service);
    }
    const EnvAttachment& first = env.attachments.front();
    return Status::Conflict("environment " + name + " is still attached to " + where +
                            "; detach it first (e.g. `/env detach " + name + " " + first.sandbox +
                            (first.service.empty() ? "" : " " + first.service) + "`)");
  }
  Stmt st(db, "DELETE FROM environments WHERE id = ?");
  st.Bind(1, env.id);
  s = st.Run();
  if (s.ok()) s = tx.Commit();
  return s;
}

Status SetEnvEntry(Db* db, const SecretKeys& keys, const std::string& env, const std::string& key,
                   const std::string& kind, const std::string& plaintext, bool as_env) {
  const bool file = kind == "file" || kind == "secret_file";
  const bool sealed = kind == "secret" || kind == "secret_file";
  if (!file && kind != "var" && kind != "secret") {
    return Status::InvalidArgument("unknown entry kind '" + kind + "'");
  }
  const size_t limit = file ? kMaxEnvFileBytes : kMaxEnvValueBytes;
  if (plaintext.size() > limit) {
    return Status::InvalidArgument(std::string(file ? "the file" : "the value") + " of " + key +
                                   " is " + std::to_string(plaintext.size()) +
                                   " bytes; the limit is " + std::to_string(limit / 1024) + " KB" +
                                   (file ? "" : " (use `env set-file` for larger values)"));
  }
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  int64_t id = 0;
  Status s = EnvId(db, env, &id);
  if (!s.ok()) return s;
  std::string stored = plaintext;
  if (sealed) {
    s = keys.Seal(plaintext, Aad(env, key), &stored);
    if (!s.ok()) return s;
  }
  {
    Stmt st(db,
            "INSERT INTO env_entries(env_id, key, kind, value, as_env, updated_at) "
            "VALUES(?,?,?,?,?,?) ON CONFLICT(env_id, key) DO UPDATE SET kind = excluded.kind, "
            "value = excluded.value, as_env = excluded.as_env, updated_at = excluded.updated_at");
    st.Bind(1, id).Bind(2, key).Bind(3, kind).Bind(4, stored).Bind(5, as_env ? 1 : 0);
    st.Bind(6, NowMillis());
    s = st.Run();
  }
  if (s.ok()) s = Touch(db, id);
  if (s.ok()) s = tx.Commit();
  return s;
}

Status UnsetEnvEntry(Db* db, const std::string& env, const std::string& key) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  int64_t id = 0;
  Status s = EnvId(db, env, &id);
  if (!s.ok()) return s;
  {
    Stmt st(db, "DELETE FROM env_entries WHERE env_id = ? AND key = ?");
    st.Bind(1, id).Bind(2, key);
    s = st.Run();
  }
  if (s.ok() && db->Changes() == 0) {
    return Status::NotFound("environment " + env + " has no " + key + "; `/env show " + env +
                            "` lists what it has");
  }
  if (s.ok()) s = Touch(db, id);
  if (s.ok()) s = tx.Commit();
  return s;
}

Status AttachEnvironment(Db* db, const std::string& env, int64_t sandbox_id,
                         const std::string& service, const std::string& actor, bool* already) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  int64_t id = 0;
  Status s = EnvId(db, env, &id);
  if (!s.ok()) return s;
  {
    Stmt st(db,
            "INSERT OR IGNORE INTO env_attachments(env_id, sandbox_id, service, attached_by, "
            "attached_at) VALUES(?,?,?,?,?)");
    st.Bind(1, id).Bind(2, sandbox_id).Bind(3, service).Bind(4, actor).Bind(5, NowMillis());
    s = st.Run();
  }
  *already = s.ok() && db->Changes() == 0;
  if (s.ok()) s = tx.Commit();
  return s;
}

Status DetachEnvironment(Db* db, const std::string& env, int64_t sandbox_id,
                         const std::string& service) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  int64_t id = 0;
  Status s = EnvId(db, env, &id);
  if (!s.ok()) return s;
  {
    Stmt st(db, "DELETE FROM env_attachments WHERE env_id = ? AND sandbox_id = ? AND service = ?");
    st.Bind(1, id).Bind(2, sandbox_id).Bind(3, service);
    s = st.Run();
  }
  if (s.ok() && db->Changes() == 0) {
    return Status::NotFound("environment " + env + " is not attached there; `/env list` shows " +
                            "where it is attached");
  }
  if (s.ok()) s = tx.Commit();
  return s;
}

Status ListSandboxAttachments(Db* db, int64_t sandbox_id, std::vector<EnvAttachment>* out) {
  out->clear();
  Stmt st(db,
          "SELECT e.name, s.name, a.service, a.attached_by, a.attached_at FROM env_attachments a "
          "JOIN environments e ON e.id = a.env_id JOIN sandboxes s ON s.id = a.sandbox_id "
          "WHERE a.sandbox_id = ? ORDER BY e.name, a.service");
  st.Bind(1, sandbox_id);
  while (st.Step()) {
    out->push_back({st.Text(0), st.Text(1), st.Text(2), st.Text(3), st.Int(4)});
  }
  return st.status();
}

Status ResolveEnvironment(Db* db, const SecretKeys& keys, const std::string& sandbox,
                          const std::string& service, ResolvedEnv* out) {
  *out = ResolvedEnv();
  struct Candidate {
    std::tuple<int, int64_t, std::string> rank;  // level, attached_at, env name
    std::string env;
    EnvEntry entry;
  };
  std::map<std::string, Candidate> winners;  // by key or path
  std::vector<std::string> sources;
  {
    Stmt st(db,
            "SELECT e.name, a.service, a.attached_at, n.key, n.kind, n.value, n.as_env "
            "FROM env_attachments a JOIN sandboxes s ON s.id = a.sandbox_id "
            "JOIN environments e ON e.id = a.env_id JOIN env_entries n ON n.env_id = e.id "
            "WHERE s.name = ? AND (a.service = '' OR a.service = ?)");
    st.Bind(1, sandbox).Bind(2, service);
    while (st.Step()) {
      Candidate c;
      c.env = st.Text(0);
      c.rank = {st.Text(1).empty() ? 0 : 1, st.Int(2), c.env};
      c.entry.key = st.Text(3);
      c.entry.kind = st.Text(4);
      c.entry.value = st.Text(5);
      c.entry.as_env = st.Int(6) != 0;
      auto it = winners.find(c.entry.key);
      if (it == winners.end() || it->second.rank < c.rank) winners[c.entry.key] = std::move(c);
    }
    if (!st.status().ok()) return st.status();
  }
  for (auto& [key, c] : winners) {
    std::string value = c.entry.value;
    if (c.entry.sealed()) {
      Status s = keys.Open(c.entry.value, Aad(c.env, key), &value);
      if (!s.ok()) {
        return Status::Internal("cannot decrypt " + key + " of environment " + c.env + " (" +
                                s.message() +
                                "); is secret.key the one the secrets were written with? "
                                "Restore it from its backup, or set the secret again");
      }
    }
    if (std::find(sources.begin(), sources.end(), c.env) == sources.end()) {
      sources.push_back(c.env);
    }
    if (c.entry.kind == "var") {
      out->env.push_back(key + "=" + value);
    } else if (c.entry.kind == "secret") {
      if (c.entry.as_env) out->env.push_back(key + "=" + value);
      out->secrets.emplace_back(key, std::move(value));
    } else {
      out->files.push_back({key, std::move(value), c.entry.kind == "secret_file"});
    }
  }
  std::sort(sources.begin(), sources.end());
  out->sources = std::move(sources);
  return Status::Ok();
}

Status ResealAll(Db* db, const SecretBox& from, const SecretBox& to, int* count) {
  *count = 0;
  struct Row {
    int64_t env_id;
    std::string env, key, value;
  };
  std::vector<Row> rows;
  {
    Stmt st(db,
            "SELECT n.env_id, e.name, n.key, n.value FROM env_entries n "
            "JOIN environments e ON e.id = n.env_id WHERE n.kind IN ('secret','secret_file')");
    while (st.Step()) rows.push_back({st.Int(0), st.Text(1), st.Text(2), st.Text(3)});
    if (!st.status().ok()) return st.status();
  }
  for (const Row& r : rows) {
    std::string plain, sealed;
    Status s = from.Open(r.value, Aad(r.env, r.key), &plain);
    if (!s.ok()) {
      return Status::Internal("cannot decrypt " + r.key + " of environment " + r.env +
                              " with the current key (" + s.message() + "); nothing was changed");
    }
    s = to.Seal(plain, Aad(r.env, r.key), &sealed);
    std::fill(plain.begin(), plain.end(), '\0');
    if (!s.ok()) return s;
    Stmt st(db, "UPDATE env_entries SET value = ? WHERE env_id = ? AND key = ?");
    st.Bind(1, sealed).Bind(2, r.env_id).Bind(3, r.key);
    s = st.Run();
    if (!s.ok()) return s;
    ++*count;
  }
  return Status::Ok();
}

Status ProbeSealed(Db* db, const SecretBox& box, bool* any, bool* opens) {
  *any = false;
  *opens = true;
  Stmt st(db,
          "SELECT e.name, n.key, n.value FROM env_entries n JOIN environments e "
          "ON e.id = n.env_id WHERE n.kind IN ('secret','secret_file')");
  while (st.Step()) {
    *any = true;
    std::string plain;
    if (!box.Open(st.Text(2), Aad(st.Text(0), st.Text(1)), &plain).ok()) *opens = false;
    std::fill(plain.begin(), plain.end(), '\0');
  }
  return st.status();
}

}  // namespace sandbot
