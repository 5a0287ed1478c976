#include "store/lifecycle.h"

#include <ctime>

#include "store/jobs.h"

namespace sandbot {

std::string LockNote(const std::string& by, int64_t at_ms, const std::string& reason) {
  std::time_t t = static_cast<std::time_t>(at_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%H:%M UTC", &tm);
  // Older than a day: the date matters more than the hour.
  if (NowMillis() - at_ms >= 24LL * 3600 * 1000) {
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
  }
  return "\xF0\x9F\x94\x92 locked by " + by + " since " + when +
         (reason.empty() ? std::string() : ": " + reason);
}

Status LockSandbox(Db* db, const std::string& name, const std::string& by,
                   const std::string& reason) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  {
    Stmt st(db, "SELECT locked_by, locked_at, lock_reason FROM sandboxes WHERE name = ?");
    st.Bind(1, name);
    if (!st.Step()) {
      if (!st.status().ok()) return st.status();
      return Status::NotFound("no sandbox named '" + name + "'");
    }
    if (!st.Text(0).empty()) {
      return Status::Conflict("sandbox " + name + " is already " +
                              LockNote(st.Text(0), st.Int(1), st.Text(2)).substr(5) +
                              ". Only the holder or an admin can `/sandbox unlock " + name + "`.");
    }
  }
  Stmt st(db,
          "UPDATE sandboxes SET locked_by = ?, locked_at = ?, lock_reason = ?, updated_at = ? "
          "WHERE name = ?");
  const int64_t now = NowMillis();
  st.Bind(1, by).Bind(2, now).Bind(3, reason).Bind(4, now).Bind(5, name);
  Status s = st.Run();
  return s.ok() ? tx.Commit() : s;
}

Status UnlockSandbox(Db* db, const std::string& name) {
  Stmt st(db,
          "UPDATE sandboxes SET locked_by = '', locked_at = 0, lock_reason = '', updated_at = ? "
          "WHERE name = ?");
  st.Bind(1, NowMillis()).Bind(2, name);
  return st.Run();
}

Status QueuedJobsOf(Db* db, const std::string& name, std::vector<int64_t>* ids) {
  Stmt st(db, "SELECT id FROM jobs WHERE sandbox = ? AND state = 'queued' ORDER BY id");
  st.Bind(1, name);
  while (st.Step()) ids->push_back(st.Int(0));
  return st.status();
}

Status MarkSuspended(Db* db, const std::string& name) {
  Stmt st(db,
          "UPDATE sandboxes SET state = 'suspended', suspended_at = ?1, updated_at = ?1 "
          "WHERE name = ?2 AND state = 'active'");
  st.Bind(1, NowMillis()).Bind(2, name);
  return st.Run();
}

Status MarkResumed(Db* db, const std::string& name) {
  Stmt st(db,
          "UPDATE sandboxes SET state = 'active', suspended_at = 0, last_active_at = ?1, "
          "updated_at = ?1 WHERE name = ?2 AND state = 'suspended'");
  st.Bind(1, NowMillis()).Bind(2, name);
  return st.Run();
}

Status TouchSandboxActive(Db* db, const std::string& name) {
  Stmt st(db, "UPDATE sandboxes SET last_active_at = ? WHERE name = ?");
  st.Bind(1, NowMillis()).Bind(2, name);
  return st.Run();
}

Status RemoveService(Db* db, const std::string& sandbox, int64_t service_id,
                     const std::string& service) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  std::vector<int64_t> queued;
  {
    Stmt st(db,
            "SELECT id FROM jobs WHERE kind = 'deploy' AND state = 'queued' AND sandbox = ? AND "
            "service = ?");
    st.Bind(1, sandbox).Bind(2, service);
    while (st.Step()) queued.push_back(st.Int(0));
    if (!st.status().ok()) return st.status();
  }
  for (int64_t id : queued) {
    Status s = FinishJob(db, id, JobState::kCancelled, service + " was removed from " + sandbox);
    if (!s.ok()) return s;
  }
  Stmt st(db, "DELETE FROM services WHERE id = ?");
  st.Bind(1, service_id);
  Status s = st.Run();
  return s.ok() ? tx.Commit() : s;
}

Status CountSandboxes(Db* db, int* count) {
  Stmt st(db, "SELECT COUNT(*) FROM sandboxes WHERE state != 'destroying'");
  if (st.Step()) *count = static_cast<int>(st.Int(0));
  return st.status();
}

Status ListIdleSandboxes(Db* db, int64_t before_ms, std::vector<IdleSandbox>* out) {
  Stmt st(db,
          "SELECT name, created_by, last_active_at FROM sandboxes WHERE state = 'active' AND "
          "locked_by = '' AND last_active_at < ? AND name NOT IN "
          "(SELECT sandbox FROM jobs WHERE state IN ('queued', 'running')) ORDER BY name");
  st.Bind(1, before_ms);
  while (st.Step()) out->push_back({st.Text(0), st.Text(1), st.Int(2)});
  return st.status();
}

Status ListExpiredSuspended(Db* db, int64_t before_ms, std::vector<IdleSandbox>* out) {
  Stmt st(db,
          "SELECT name, created_by, suspended_at FROM sandboxes WHERE state = 'suspended' AND "
          "locked_by = '' AND suspended_at < ? AND name NOT IN "
          "(SELECT sandbox FROM jobs WHERE state IN ('queued', 'running')) ORDER BY name");
  st.Bind(1, before_ms);
  while (st.Step()) out->push_back({st.Text(0), st.Text(1), st.Int(2)});
  return st.status();
}

Status AddNotice(Db* db, const std::string& recipient, const std::string& text) {
  Stmt st(db, "INSERT INTO notices(recipient, text, created_at) VALUES(?,?,?)");
  st.Bind(1, recipient).Bind(2, text).Bind(3, NowMillis());
  return st.Run();
}

Status PendingNotices(Db* db, const std::string& recipient, std::vector<std::string>* texts,
                      int64_t* last_id) {
  *last_id = 0;
  Stmt st(db, "SELECT id, text FROM notices WHERE recipient = ? AND shown_at = 0 ORDER BY id");
  st.Bind(1, recipient);
  while (st.Step()) {
    *last_id = st.Int(0);
    texts->push_back(st.Text(1));
  }
  return st.status();
}

Status MarkNoticesShown(Db* db, const std::string& recipient, int64_t last_id) {
  Stmt st(db, "UPDATE notices SET shown_at = ? WHERE recipient = ? AND shown_at = 0 AND id <= ?");
  st.Bind(1, NowMillis()).Bind(2, recipient).Bind(3, last_id);
  return st.Run();
}

}  // namespace sandbot
