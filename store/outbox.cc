#include "store/outbox.h"

namespace sandbot {

namespace {

const char kSelect[] =
    "SELECT id, url, body, content_type, purpose, state, attempts, next_at, last_error "
    "FROM outbox ";

OutboxMessage Read(Stmt& st) {
  OutboxMessage m;
  m.id = st.Int(0);
  m.url = st.Text(1);
  m.body = st.Text(2);
  m.content_type = st.Text(3);
  m.purpose = st.Text(4);
  m.state = st.Text(5);
  m.attempts = static_cast<int>(st.Int(6));
  m.next_at = st.Int(7);
  m.last_error = st.Text(8);
  return m;
}

}  // namespace

Status EnqueueOutbox(Db* db, const OutboxMessage& m) {
  Stmt st(db,
          "INSERT INTO outbox(url, body, content_type, purpose, next_at, created_at) "
          "VALUES(?,?,?,?,?,?)");
  int64_t now = NowMillis();
  st.Bind(1, m.url).Bind(2, m.body).Bind(3, m.content_type).Bind(4, m.purpose);
  st.Bind(5, m.next_at ? m.next_at : now).Bind(6, now);
  return st.Run();
}

Status NextOutbox(Db* db, int64_t now, OutboxMessage* m, bool* found) {
  *found = false;
  // Order per destination: a message waiting for a retry holds back the
  // later ones to its URL (a later edit must not overtake an earlier one),
  // never another destination's.
  std::string sql = std::string(kSelect) +
                    "o WHERE state = 'pending' AND next_at <= ?1 AND id = (SELECT MIN(id) FROM "
                    "outbox p WHERE p.state = 'pending' AND p.url = o.url) ORDER BY id LIMIT 1";
  Stmt st(db, sql.c_str());
  st.Bind(1, now);
  if (st.Step()) {
    *m = Read(st);
    *found = true;
  }
  return st.status();
}

Status MarkOutboxSent(Db* db, int64_t id) {
  Stmt st(db,
          "UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ? WHERE id = ?");
  st.Bind(1, NowMillis()).Bind(2, id);
  return st.Run();
}

Status MarkOutboxAttempt(Db* db, int64_t id, const std::string& error, int64_t next_at,
                         bool give_up) {
  Stmt st(db,
          "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_at = ?, "
          "state = ? WHERE id = ?");
  st.Bind(1, error).Bind(2, next_at).Bind(3, give_up ? "failed" : "pending").Bind(4, id);
  return st.Run();
}

Status DeferOutbox(Db* db, int64_t id, const std::string& why, int64_t next_at) {
  Stmt st(db, "UPDATE outbox SET last_error = ?, next_at = ? WHERE id = ? AND state = 'pending'");
  st.Bind(1, why).Bind(2, next_at).Bind(3, id);
  return st.Run();
}

Status ListOutbox(Db* db, std::vector<OutboxMessage>* messages) {
  std::string sql = std::string(kSelect) + "ORDER BY id";
  Stmt st(db, sql.c_str());
  while (st.Step()) messages->push_back(Read(st));
  return st.status();
}

Status CountPendingOutbox(Db* db, int64_t* count) {
  Stmt st(db, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'");  // the outbox_pending index
  *count = st.Step() ? st.Int(0) : 0;
  return st.status();
}

}  // namespace sandbot
