#include "store/chat.h"

namespace sandbot {

Status SetChannelDefault(Db* db, const std::string& channel, const std::string& sandbox,
                         const std::string& set_by) {
  Stmt st(db,
          "INSERT INTO channel_defaults(channel, sandbox, set_by, updated_at) VALUES(?,?,?,?) "
          "ON CONFLICT(channel) DO UPDATE SET sandbox = excluded.sandbox, "
          "set_by = excluded.set_by, updated_at = excluded.updated_at");
  st.Bind(1, channel).Bind(2, sandbox).Bind(3, set_by).Bind(4, NowMillis());
  return st.Run();
}

Status GetChannelDefault(Db* db, const std::string& channel, std::string* sandbox) {
  sandbox->clear();
  Stmt st(db, "SELECT sandbox FROM channel_defaults WHERE channel = ?");
  st.Bind(1, channel);
  if (st.Step()) *sandbox = st.Text(0);
  return st.status();
}

Status SetUserSandbox(Db* db, const std::string& user, const std::string& sandbox) {
  Stmt st(db,
          "INSERT INTO user_sandboxes(user, sandbox, updated_at) VALUES(?,?,?) "
          "ON CONFLICT(user) DO UPDATE SET sandbox = excluded.sandbox, "
          "updated_at = excluded.updated_at");
  st.Bind(1, user).Bind(2, sandbox).Bind(3, NowMillis());
  return st.Run();
}

Status GetUserSandbox(Db* db, const std::string& user, std::string* sandbox) {
  sandbox->clear();
  Stmt st(db, "SELECT sandbox FROM user_sandboxes WHERE user = ?");
  st.Bind(1, user);
  if (st.Step()) *sandbox = st.Text(0);
  return st.status();
}

Status AddJobReply(Db* db, int64_t job_id, const std::string& transport, const std::string& url) {
  Stmt st(db, "INSERT INTO job_replies(job_id, transport, url, created_at) VALUES(?,?,?,?)");
  st.Bind(1, job_id).Bind(2, transport).Bind(3, url).Bind(4, NowMillis());
  return st.Run();
}

Status ListJobReplies(Db* db, int64_t job_id, std::vector<JobReply>* replies) {
  Stmt st(db,
          "SELECT id, job_id, transport, url, posts, created_at FROM job_replies "
          "WHERE job_id = ? ORDER BY id");
  st.Bind(1, job_id);
  while (st.Step()) {
    JobReply r;
    r.id = st.Int(0);
    r.job_id = st.Int(1);
    r.transport = st.Text(2);
    r.url = st.Text(3);
    r.posts = static_cast<int>(st.Int(4));
    r.created_at = st.Int(5);
    replies->push_back(std::move(r));
  }
  return st.status();
}

Status CountJobReplyPost(Db* db, int64_t reply_id) {
  Stmt st(db, "UPDATE job_replies SET posts = posts + 1 WHERE id = ?");
  st.Bind(1, reply_id);
  return st.Run();
}

}  // namespace sandbot
