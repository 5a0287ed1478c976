#include "store/forge_commands.h"

namespace sandbot {

Status QueueForgeComment(Db* db, const ForgeCommentJob& job, int64_t* id) {
  Stmt st(db, "INSERT INTO forge_comment_jobs(forge, delivery, event, created) VALUES(?,?,?,?)");
  st.Bind(1, job.forge).Bind(2, job.delivery).Bind(3, job.event);
  st.Bind(4, job.created_ms ? job.created_ms : NowMillis());
  Status s = st.Run();
  if (s.ok()) *id = db->LastInsertId();
  return s;
}

Status ListForgeComments(Db* db, int limit, std::vector<ForgeCommentJob>* out) {
  Stmt st(
      db,
      "SELECT id, forge, delivery, event, created, attempts FROM forge_comment_jobs ORDER BY id "
      "LIMIT ?");
  st.Bind(1, limit);
  while (st.Step()) {
    ForgeCommentJob j;
    j.id = st.Int(0);
    j.forge = st.Text(1);
    j.delivery = st.Text(2);
    j.event = st.Text(3);
    j.created_ms = st.Int(4);
    j.attempts = static_cast<int>(st.Int(5));
    out->push_back(std::move(j));
  }
  return st.status();
}

Status ClaimForgeComment(Db* db, ForgeCommentJob* job) {
  Stmt st(db, "UPDATE forge_comment_jobs SET attempts = attempts + 1 WHERE id = ?");
  st.Bind(1, job->id);
  Status s = st.Run();
  if (!s.ok()) return s;
  if (db->Changes() == 0) return Status::NotFound("forge comment " + std::to_string(job->id));
  ++job->attempts;
  return Status::Ok();
}

Status DeleteForgeComment(Db* db, int64_t id) {
  Stmt st(db, "DELETE FROM forge_comment_jobs WHERE id = ?");
  st.Bind(1, id);
  return st.Run();
}

Status GetForgePermission(Db* db, const std::string& forge, const std::string& forge_repo,
                          const std::string& login, int64_t max_age_ms, bool* found,
                          bool* can_write) {
  Stmt st(db,
          "SELECT can_write FROM forge_permissions WHERE forge = ? AND forge_repo = ? "
          "COLLATE NOCASE AND login = ? AND checked >= ?");
  st.Bind(1, forge).Bind(2, forge_repo).Bind(3, login).Bind(4, NowMillis() - max_age_ms);
  *found = st.Step();
  if (*found) *can_write = st.Int(0) != 0;
  return st.status();
}

Status SaveForgePermission(Db* db, const std::string& forge, const std::string& forge_repo,
                           const std::string& login, bool can_write) {
  Stmt st(db,
          "INSERT OR REPLACE INTO forge_permissions(forge, forge_repo, login, can_write, checked) "
          "VALUES(?,?,?,?,?)");
  st.Bind(1, forge).Bind(2, forge_repo).Bind(3, login).Bind(4, can_write ? 1 : 0);
  st.Bind(5, NowMillis());
  return st.Run();
}

Status MarkForgeHelpGiven(Db* db, const std::string& forge, const std::string& forge_repo,
                          int64_t number, bool* first) {
  Stmt st(db, "INSERT OR IGNORE INTO forge_help_given(forge, forge_repo, number) VALUES(?,?,?)");
  st.Bind(1, forge).Bind(2, forge_repo).Bind(3, number);
  Status s = st.Run();
  if (s.ok()) *first = db->Changes() != 0;
  return s;
}

}  // namespace sandbot
