#include "store/audit.h"

namespace sandbot {

Status AppendAudit(Db* db, const AuditRow& r) {
  Stmt st(db,
          "INSERT INTO audit(time, actor, source, action, sandbox, repo, branch, commit_sha, "
          "status, detail) VALUES(?,?,?,?,?,?,?,?,?,?)");
  st.Bind(1, r.time ? r.time : NowMillis()).Bind(2, r.actor).Bind(3, r.source);
  st.Bind(4, r.action).Bind(5, r.sandbox).Bind(6, r.repo).Bind(7, r.branch);
  st.Bind(8, r.commit).Bind(9, r.status).Bind(10, r.detail);
  return st.Run();
}

Status ListAudit(Db* db, const std::string& sandbox, int limit, std::vector<AuditRow>* rows) {
  // The newest `limit` rows, returned oldest first.
  Stmt st(db,
          "SELECT * FROM (SELECT id, time, actor, source, action, sandbox, repo, branch, "
          "commit_sha, status, detail FROM audit WHERE (?1 = '' OR sandbox = ?1) "
          "ORDER BY id DESC LIMIT ?2) ORDER BY id");
  st.Bind(1, sandbox).Bind(2, limit > 0 ? limit : -1);
  while (st.Step()) {
    AuditRow r;
    r.id = st.Int(0);
    r.time = st.Int(1);
    r.actor = st.Text(2);
    r.source = st.Text(3);
    r.action = st.Text(4);
    r.sandbox = st.Text(5);
    r.repo = st.Text(6);
    r.branch = st.Text(7);
    r.commit = st.Text(8);
    r.status = st.Text(9);
    r.detail = st.Text(10);
    rows->push_back(std::move(r));
  }
  return st.status();
}

}  // namespace sandbot
