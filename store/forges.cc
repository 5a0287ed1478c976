#include "store/forges.h"

namespace sandbot {

namespace {

const char kForgeColumns[] = "name, kind, api_url, token_ref, secret_ref, created_by";
const char kRepoColumns[] = "repo, forge, forge_repo, clone_url, previews, template, engine";
const char kPrColumns[] =
    "forge, forge_repo, number, repo, head_sha, head_ref, head_at, state, draft, fork, url, "
    "sandbox, deployed_sha, approved_sha, comment_id";

Forge ReadForge(Stmt& st) {
  Forge f;
  f.name = st.Text(0);
  f.kind = st.Text(1);
  f.api_url = st.Text(2);
  f.token_ref = st.Text(3);
  f.secret_ref = st.Text(4);
  f.created_by = st.Text(5);
  return f;
}

ForgeRepo ReadForgeRepo(Stmt& st) {
  ForgeRepo r;
  r.repo = st.Text(0);
  r.forge = st.Text(1);
  r.forge_repo = st.Text(2);
  r.clone_url = st.Text(3);
  r.previews = st.Text(4);
  r.template_name = st.Text(5);
  r.engine = st.Text(6);
  return r;
}

PullRequest ReadPr(Stmt& st) {
  PullRequest p;
  p.forge = st.Text(0);
  p.forge_repo = st.Text(1);
  p.number = st.Int(2);
  p.repo = st.Text(3);
  p.head_sha = st.Text(4);
  p.head_ref = st.Text(5);
  p.head_at = st.Int(6);
  p.state = st.Text(7);
  p.draft = st.Int(8) != 0;
  p.fork = st.Int(9) != 0;
  p.url = st.Text(10);
  p.sandbox = st.Text(11);
  p.deployed_sha = st.Text(12);
  p.approved_sha = st.Text(13);
  p.comment_id = st.Text(14);
  return p;
}

Status OnePr(Stmt& st, const std::string& what, PullRequest* pr) {
  if (st.Step()) {
    *pr = ReadPr(st);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("no pull request " + what);
}

}  // namespace

std::string ForgeStatusKey(const std::string& forge, const std::string& repo,
                           const std::string& sha) {
  return "forge:" + forge + ":status:" + repo + "@" + sha;
}

std::string ForgeCommentKey(const std::string& forge, const std::string& repo, int64_t number) {
  return "forge:" + forge + ":comment:" + repo + "#" + std::to_string(number);
}

std::string ForgeReplyKey(const std::string& forge, const std::string& repo, int64_t number) {
  return "forge:" + forge + ":reply:" + repo + "#" + std::to_string(number);
}

std::string ForgeReactionKey(const std::string& forge, const std::string& repo, int64_t number) {
  return "forge:" + forge + ":reaction:" + repo + "#" + std::to_string(number);
}

std::string ForgeDeploymentKey(const std::string& forge, const std::string& repo, int64_t number) {
  return "forge:" + forge + ":deployment:" + repo + "#" + std::to_string(number);
}

Status AddForge(Db* db, const Forge& f) {
  Stmt st(db,
          "INSERT INTO forges(name, kind, api_url, token_ref, secret_ref, created_by, created_at) "
          "VALUES(?,?,?,?,?,?,?)");
  st.Bind(1, f.name).Bind(2, f.kind).Bind(3, f.api_url).Bind(4, f.token_ref);
  st.Bind(5, f.secret_ref).Bind(6, f.created_by).Bind(7, NowMillis());
  Status s = st.Run();
  if (s.code() == Status::Code::kConflict) {
    return Status::Conflict("a forge named '" + f.name + "' already exists (forge list)");
  }
  return s;
}

Status GetForge(Db* db, const std::string& name, Forge* forge) {
  std::string sql = std::string("SELECT ") + kForgeColumns + " FROM forges WHERE name = ?";
  Stmt st(db, sql.c_str());
  st.Bind(1, name);
  if (st.Step()) {
    *forge = ReadForge(st);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("no forge named '" + name + "' (forge list)");
}

Status ListForges(Db* db, std::vector<Forge>* forges) {
  std::string sql = std::string("SELECT ") + kForgeColumns + " FROM forges ORDER BY name";
  Stmt st(db, sql.c_str());
  while (st.Step()) forges->push_back(ReadForge(st));
  return st.status();
}

Status RemoveForge(Db* db, const std::string& name) {
  Forge f;
  Status s = GetForge(db, name, &f);
  if (!s.ok()) return s;
  {
    Stmt used(db, "SELECT repo FROM forge_repos WHERE forge = ? ORDER BY repo LIMIT 1");
    used.Bind(1, name);
    if (used.Step()) {
      return Status::Conflict("forge '" + name + "' still has repo '" + used.Text(0) +
                              "'; remove it first (sandbot repo remove)");
    }
    if (!used.status().ok()) return used.status();
  }
  Stmt st(db, "DELETE FROM forges WHERE name = ?");
  st.Bind(1, name);
  return st.Run();
}

Status AddForgeRepo(Db* db, const ForgeRepo& r) {
  Stmt st(db,
          "INSERT INTO forge_repos(repo, forge, forge_repo, clone_url, previews, template, engine) "
          "VALUES(?,?,?,?,?,?,?)");
  st.Bind(1, r.repo).Bind(2, r.forge).Bind(3, r.forge_repo).Bind(4, r.clone_url);
  st.Bind(5, r.previews).Bind(6, r.template_name).Bind(7, r.engine);
  Status s = st.Run();
  if (s.code() == Status::Code::kConflict) {
    return Status::Conflict(r.forge + " " + r.forge_repo + " is already registered as a repo");
  }
  return s;
}

Status GetForgeRepo(Db* db, const std::string& repo, ForgeRepo* out) {
  std::string sql = std::string("SELECT ") + kRepoColumns + " FROM forge_repos WHERE repo = ?";
  Stmt st(db, sql.c_str());
  st.Bind(1, repo);
  if (st.Step()) {
    *out = ReadForgeRepo(st);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("repo '" + repo + "' does not come from a forge");
}

Status FindForgeRepo(Db* db, const std::string& forge, const std::string& forge_repo,
                     ForgeRepo* out) {
  std::string sql = std::string("SELECT ") + kRepoColumns +
                    " FROM forge_repos WHERE forge = ? AND forge_repo = ? COLLATE NOCASE";
  Stmt st(db, sql.c_str());
  st.Bind(1, forge).Bind(2, forge_repo);
  if (st.Step()) {
    *out = ReadForgeRepo(st);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("no repo is registered for " + forge_repo + " on forge " + forge);
}

Status ListForgeRepos(Db* db, std::vector<ForgeRepo>* repos) {
  std::string sql =
      std::string("SELECT ") + kRepoColumns + " FROM forge_repos ORDER BY forge, repo";
  Stmt st(db, sql.c_str());
  while (st.Step()) repos->push_back(ReadForgeRepo(st));
  return st.status();
}

Status RecordDelivery(Db* db, const Delivery& d, bool* first) {
  Stmt st(db,
          "INSERT OR IGNORE INTO forge_deliveries(forge, delivery, event, forge_repo, number, "
          "verified, outcome, reason, time) VALUES(?,?,?,?,?,?,?,?,?)");
  st.Bind(1, d.forge).Bind(2, d.delivery).Bind(3, d.event).Bind(4, d.forge_repo);
  st.Bind(5, d.number).Bind(6, d.verified ? 1 : 0).Bind(7, d.outcome).Bind(8, d.reason);
  st.Bind(9, d.time_ms ? d.time_ms : NowMillis());
  Status s = st.Run();
  if (s.ok()) *first = db->Changes() != 0;
  return s;
}

Status SetDeliveryOutcome(Db* db, const std::string& forge, const std::string& delivery,
                          const std::string& outcome, const std::string& reason) {
  Stmt st(db,
          "UPDATE forge_deliveries SET outcome = ?, reason = ? WHERE forge = ? AND delivery = ?");
  st.Bind(1, outcome).Bind(2, reason).Bind(3, forge).Bind(4, delivery);
  return st.Run();
}

Status ListDeliveries(Db* db, const std::string& forge, const std::string& forge_repo,
                      int64_t number, int limit, std::vector<Delivery>* out) {
  Stmt st(db,
          "SELECT forge, delivery, event, forge_repo, number, verified, outcome, reason, time "
          "FROM forge_deliveries WHERE forge = ? AND forge_repo = ? COLLATE NOCASE AND number = ? "
          "ORDER BY id DESC LIMIT ?");
  st.Bind(1, forge).Bind(2, forge_repo).Bind(3, number).Bind(4, limit);
  while (st.Step()) {
    Delivery d;
    d.forge = st.Text(0);
    d.delivery = st.Text(1);
    d.event = st.Text(2);
    d.forge_repo = st.Text(3);
    d.number = st.Int(4);
    d.verified = st.Int(5) != 0;
    d.outcome = st.Text(6);
    d.reason = st.Text(7);
    d.time_ms = st.Int(8);
    out->push_back(d);
  }
  return st.status();
}

Status GetPullRequest(Db* db, const std::string& forge, const std::string& forge_repo,
                      int64_t number, PullRequest* pr) {
  std::string sql = std::string("SELECT ") + kPrColumns +
                    " FROM pull_requests WHERE forge = ? AND forge_repo = ? AND number = ?";
  Stmt st(db, sql.c_str());
  st.Bind(1, forge).Bind(2, forge_repo).Bind(3, number);
  return OnePr(st, forge_repo + "#" + std::to_string(number) + " on " + forge, pr);
}

Status GetPullRequestBySandbox(Db* db, const std::string& sandbox, PullRequest* pr) {
  std::string sql =
      std::string("SELECT ") + kPrColumns + " FROM pull_requests WHERE sandbox = ? LIMIT 1";
  Stmt st(db, sql.c_str());
  st.Bind(1, sandbox);
  return OnePr(st, "has sandbox " + sandbox, pr);
}

Status ListOpenPreviews(Db* db, std::vector<PullRequest>* prs) {
  std::string sql = std::string("SELECT ") + kPrColumns +
                    " FROM pull_requests WHERE state = 'open' AND sandbox <> '' ORDER BY forge, "
                    "forge_repo, number";
  Stmt st(db, sql.c_str());
  while (st.Step()) prs->push_back(ReadPr(st));
  return st.status();
}

Status SavePullRequest(Db* db, const PullRequest& p) {
  std::string sql = std::string("INSERT OR REPLACE INTO pull_requests(") + kPrColumns +
                    ", updated_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  Stmt st(db, sql.c_str());
  st.Bind(1, p.forge).Bind(2, p.forge_repo).Bind(3, p.number).Bind(4, p.repo);
  st.Bind(5, p.head_sha).Bind(6, p.head_ref).Bind(7, p.head_at).Bind(8, p.state);
  st.Bind(9, p.draft ? 1 : 0).Bind(10, p.fork ? 1 : 0).Bind(11, p.url).Bind(12, p.sandbox);
  st.Bind(13, p.deployed_sha).Bind(14, p.approved_sha).Bind(15, p.comment_id);
  st.Bind(16, NowMillis());
  return st.Run();
}

Status SetPreviewCommentId(Db* db, const std::string& forge, const std::string& forge_repo,
                           int64_t number, const std::string& comment_id) {
  Stmt st(db,
          "UPDATE pull_requests SET comment_id = ? WHERE forge = ? AND forge_repo = ? AND "
          "number = ?");
  st.Bind(1, comment_id).Bind(2, forge).Bind(3, forge_repo).Bind(4, number);
  return st.Run();
}

Status SetPreviewDeployed(Db* db, const std::string& sandbox, const std::string& sha) {
  Stmt st(db, "UPDATE pull_requests SET deployed_sha = ?, updated_at = ? WHERE sandbox = ?");
  st.Bind(1, sha).Bind(2, NowMillis()).Bind(3, sandbox);
  return st.Run();
}

Status GetPrDeployment(Db* db, const std::string& forge, const std::string& forge_repo,
                       int64_t number, PrDeployment* out) {
  *out = PrDeployment{};
  Stmt st(db,
          "SELECT sha, deployment_id FROM pr_deployments WHERE forge = ? AND forge_repo = ? AND "
          "number = ?");
  st.Bind(1, forge).Bind(2, forge_repo).Bind(3, number);
  if (st.Step()) {
    out->sha = st.Text(0);
    out->deployment_id = st.Text(1);
  }
  return st.status();
}

Status SetPrDeployment(Db* db, const std::string& forge, const std::string& forge_repo,
                       int64_t number, const PrDeployment& d) {
  Stmt st(db,
          "INSERT OR REPLACE INTO pr_deployments(forge, forge_repo, number, sha, deployment_id) "
          "VALUES(?, ?, ?, ?, ?)");
  st.Bind(1, forge).Bind(2, forge_repo).Bind(3, number).Bind(4, d.sha).Bind(5, d.deployment_id);
  return st.Run();
}

Status LinkJobComment(Db* db, int64_t job_id, const JobComment& c) {
  Stmt st(db,
          "INSERT OR REPLACE INTO forge_job_comments(job_id, forge, forge_repo, number, "
          "comment_id) VALUES(?, ?, ?, ?, ?)");
  st.Bind(1, job_id).Bind(2, c.forge).Bind(3, c.forge_repo).Bind(4, c.number).Bind(5, c.comment_id);
  return st.Run();
}

Status GetJobComment(Db* db, int64_t job_id, JobComment* out) {
  Stmt st(db,
          "SELECT forge, forge_repo, number, comment_id FROM forge_job_comments WHERE job_id = ?");
  st.Bind(1, job_id);
  if (st.Step()) {
    out->forge = st.Text(0);
    out->forge_repo = st.Text(1);
    out->number = st.Int(2);
    out->comment_id = st.Text(3);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("job " + std::to_string(job_id) + " came from no forge comment");
}

}  // namespace sandbot
