#include "store/jobs.h"

#include <algorithm>

#include "store/audit.h"
#include "store/lifecycle.h"
#include "store/sandboxes.h"

namespace sandbot {

namespace {

const char kJobSelect[] =
    "SELECT id, kind, sandbox, service, branch, commit_sha, state, actor, source, detail, "
    "attempts, created_at, COALESCE(started_at, 0), COALESCE(finished_at, 0) FROM jobs ";

Job ReadJob(Stmt& st) {
  Job j;
  j.id = st.Int(0);
  // The schema's CHECKs admit only the names the tables know.
  ParseJobKind(st.Text(1), &j.kind);
  j.sandbox = st.Text(2);
  j.service = st.Text(3);
  j.branch = st.Text(4);
  j.commit = st.Text(5);
  ParseJobState(st.Text(6), &j.state);
  j.actor = st.Text(7);
  j.source = st.Text(8);
  j.detail = st.Text(9);
  j.attempts = static_cast<int>(st.Int(10));
  j.created_at = st.Int(11);
  j.started_at = st.Int(12);
  j.finished_at = st.Int(13);
  return j;
}

}  // namespace

Status EnqueueJob(Db* db, Job* job) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  {
    Stmt st(db,
            "INSERT INTO jobs(kind, sandbox, service, branch, commit_sha, state, actor, source, "
            "created_at) VALUES(?,?,?,?,?,'queued',?,?,?)");
    st.Bind(1, JobKindName(job->kind))
        .Bind(2, job->sandbox)
        .Bind(3, job->service)
        .Bind(4, job->branch);
    st.Bind(5, job->commit).Bind(6, job->actor).Bind(7, job->source).Bind(8, NowMillis());
    Status s = st.Run();
    if (!s.ok()) return s;
  }
  job->id = db->LastInsertId();
  job->state = JobState::kQueued;
  if (job->kind == JobKind::kDeploy) {
    std::vector<int64_t> superseded;
    {
      Stmt st(db,
              "SELECT id FROM jobs WHERE kind = 'deploy' AND state = 'queued' AND sandbox = ? "
              "AND service = ? AND id < ?");
      st.Bind(1, job->sandbox).Bind(2, job->service).Bind(3, job->id);
      while (st.Step()) superseded.push_back(st.Int(0));
      if (!st.status().ok()) return st.status();
    }
    for (int64_t old : superseded) {
      std::string why = "superseded by job " + std::to_string(job->id);
      Status s = FinishJob(db, old, JobState::kCancelled, why);
      if (!s.ok()) return s;
    }
  }
  Status s = AddJobEvent(db, job->id, JobStage::kQueued, "queued");
  if (!s.ok()) return s;
  return tx.Commit();
}

Status ClaimNextJob(Db* db, Job* job, bool* found) { return ClaimNextJob(db, {}, job, found); }

Status ClaimNextJob(Db* db, const std::vector<std::string>& waiting, Job* job, bool* found) {
  *found = false;
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  {
    // A lock holds everything that would change what runs (a suspend may
    // still go); a suspended sandbox holds deploys and reroutes until its
    // resume job has run.
    std::string sql = std::string(kJobSelect) +
                      "WHERE state = 'queued' AND sandbox NOT IN "
                      "(SELECT sandbox FROM jobs WHERE state = 'running') "
                      "AND NOT (kind IN ('deploy', 'reroute', 'resume', 'destroy') AND sandbox IN "
                      "(SELECT name FROM sandboxes WHERE locked_by != '')) "
                      "AND NOT (kind IN ('deploy', 'reroute') AND sandbox IN "
                      "(SELECT name FROM sandboxes WHERE state = 'suspended')) ";
    if (!waiting.empty()) {
      sql += "AND sandbox NOT IN (SELECT name FROM sandboxes WHERE engine IN (?";
      for (size_t i = 1; i < waiting.size(); ++i) sql += ", ?";
      sql += ")) ";
    }
    sql += "ORDER BY id LIMIT 1";
    Stmt st(db, sql.c_str());
    for (size_t i = 0; i < waiting.size(); ++i) st.Bind(static_cast<int>(i + 1), waiting[i]);
    if (!st.Step()) return st.status();
    *job = ReadJob(st);
  }
  {
    Stmt st(db,
            "UPDATE jobs SET state = 'running', started_at = ?, attempts = attempts + 1 "
            "WHERE id = ?");
    st.Bind(1, NowMillis()).Bind(2, job->id);
    Status s = st.Run();
    if (!s.ok()) return s;
  }
  Status s =
      AppendAudit(db, JobAuditRow(*job, "started", "attempt " + std::to_string(job->attempts + 1)));
  if (!s.ok()) return s;
  s = tx.Commit();
  if (!s.ok()) return s;
  job->state = JobState::kRunning;
  job->attempts++;
  *found = true;
  return Status::Ok();
}

Status FinishJob(Db* db, int64_t id, JobState state, const std::string& detail) {
  const std::string name = JobStateName(state);
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  {
    Stmt st(db, "UPDATE jobs SET state = ?, detail = ?, finished_at = ? WHERE id = ?");
    st.Bind(1, name).Bind(2, detail).Bind(3, NowMillis()).Bind(4, id);
    Status s = st.Run();
    if (!s.ok()) return s;
  }
  Status s = AddJobEvent(db, id, FinalStage(name), detail.empty() ? name : detail);
  if (!s.ok()) return s;
  return tx.Commit();
}

Status GetJob(Db* db, int64_t id, Job* job) {
  std::string sql = std::string(kJobSelect) + "WHERE id = ?";
  Stmt st(db, sql.c_str());
  st.Bind(1, id);
  if (st.Step()) {
    *job = ReadJob(st);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("no job " + std::to_string(id));
}

Status ListJobs(Db* db, JobState state, std::vector<Job>* jobs) {
  std::string sql = std::string(kJobSelect) + "WHERE state = ? ORDER BY id";
  Stmt st(db, sql.c_str());
  st.Bind(1, JobStateName(state));
  while (st.Step()) jobs->push_back(ReadJob(st));
  return st.status();
}

Status ListAllJobs(Db* db, std::vector<Job>* jobs) {
  std::string sql = std::string(kJobSelect) + "ORDER BY id";
  Stmt st(db, sql.c_str());
  while (st.Step()) jobs->push_back(ReadJob(st));
  return st.status();
}

Status RequeueJob(Db* db, int64_t id, const std::string& why) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Stmt st(db,
          "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0) WHERE id = ? AND "
          "state = 'running'");
  st.Bind(1, id);
  Status s = st.Run();
  if (s.ok()) s = AddJobEvent(db, id, JobStage::kWaiting, why);
  if (s.ok()) s = tx.Commit();
  return s;
}

AuditRow JobAuditRow(const Job& job, const std::string& status, const std::string& detail) {
  AuditRow row{};
  row.actor = job.actor;
  row.source = job.source;
  row.action = JobKindName(job.kind);
  row.sandbox = job.sandbox;
  row.repo = job.service;
  row.branch = job.branch;
  row.commit = job.commit;
  row.status = status;
  row.detail = "job " + std::to_string(job.id) + (detail.empty() ? "" : ": " + detail);
  return row;
}

Status EndJob(Db* db, const Job& job, JobState state, const std::string& detail) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Status s = FinishJob(db, job.id, state, detail);
  if (s.ok()) s = AppendAudit(db, JobAuditRow(job, JobStateName(state), detail));
  if (s.ok()) s = tx.Commit();
  return s;
}

namespace {

// How to try again after a job was given up; empty when it is not a deploy.
std::string RetryHint(const Job& job) {
  if (job.kind != JobKind::kDeploy || job.service.empty()) return "";
  return "deploy again with `/deploy " + job.service + " " + job.branch + " to " + job.sandbox +
         "` or push the branch";
}

// Marks the service a given-up job was deploying as failed, unless a newer
// job has taken it over since.
Status FailServiceOfGivenUpJob(Db* db, const Job& job, const std::string& detail) {
  Service svc;
  Status s = GetService(db, job.sandbox, job.service, &svc);
  if (s.IsNotFound()) return Status::Ok();  // destroyed meanwhile
  if (!s.ok()) return s;
  if (svc.status != ServiceStatus::kQueued && svc.status != ServiceStatus::kBuilding &&
      svc.status != ServiceStatus::kStarting) {
    return Status::Ok();
  }
  std::vector<Job> queued;
  s = ListJobs(db, JobState::kQueued, &queued);
  if (!s.ok()) return s;
  for (const Job& q : queued) {
    if (q.sandbox == job.sandbox && q.service == job.service) return Status::Ok();
  }
  return SetServiceStatus(db, svc.id, ServiceStatus::kFailed, detail);
}

// Restarts that interrupted `job` before this one: each put it back in the
// queue with a `queued` event after the one it was enqueued with.
Status EarlierInterruptions(Db* db, int64_t job_id, int* count) {
  Stmt st(db, "SELECT COUNT(*) FROM job_events WHERE job_id = ? AND stage = ?");
  st.Bind(1, job_id).Bind(2, JobStageName(JobStage::kQueued));
  *count = st.Step() ? std::max(static_cast<int>(st.Int(0)) - 1, 0) : 0;
  return st.status();
}

// The deployment rows the interrupted attempt left open.
Status CloseInterruptedDeployments(Db* db, int64_t job_id) {
  Stmt st(db,
          "UPDATE deployments SET status = 'interrupted', finished_at = ? WHERE job_id = ? AND "
          "finished_at IS NULL");
  st.Bind(1, NowMillis()).Bind(2, job_id);
  return st.Run();
}

Status GiveUp(Db* db, Job* job, const std::string& why) {
  const std::string hint = RetryHint(*job);
  job->detail = hint.empty() ? why : why + "; " + hint;
  job->state = JobState::kFailed;
  Status s = EndJob(db, *job, JobState::kFailed, job->detail);
  // The service must not stay at the stage the job last reached
  // (`starting`, with no job to move it on): it failed, and says how to try
  // again.
  if (s.ok() && !job->service.empty()) s = FailServiceOfGivenUpJob(db, *job, job->detail);
  if (s.ok() && !job->actor.empty() && job->actor != "sandbot") {
    std::string what = std::string(JobKindName(job->kind)) + " job " + std::to_string(job->id);
    if (!job->service.empty()) what += " (" + job->service + "@" + job->branch + ")";
    s = AddNotice(db, job->actor,
                  "your " + what + " to " + job->sandbox + " was given up: " + job->detail);
  }
  return s;
}

}  // namespace

Status RecoverInterruptedJobs(Db* db, const std::set<int64_t>& crashed,
                              const RecoveryLimits& limits, RecoveryReport* report,
                              const std::function<void(const Job&)>& on_given_up) {
  *report = RecoveryReport();
  std::vector<Job> running;
  Status s = ListJobs(db, JobState::kRunning, &running);
  if (!s.ok()) return s;
  for (Job& j : running) {
    const bool crash = crashed.count(j.id) > 0;
    int earlier = 0;
    Transaction tx(db);
    s = tx.status();
    if (s.ok()) s = EarlierInterruptions(db, j.id, &earlier);
    if (s.ok()) s = CloseInterruptedDeployments(db, j.id);
    if (!s.ok()) return s;
    const int interruptions = earlier + 1;
    // Attempts count the claims not given back: those that crashed the
    // daemon, and this one.
    const int crashes = crash ? j.attempts : 0;
    std::string why;
    if (crash && crashes >= limits.max_crashes) {
      why = "crashed the daemon " + std::to_string(crashes) + " times; giving up";
    } else if (interruptions >= limits.max_interruptions) {
      why =
          "interrupted " + std::to_string(interruptions) + " times by a daemon restart; giving up";
    }
    if (!why.empty()) {
      s = GiveUp(db, &j, why);
      if (s.ok() && on_given_up) on_given_up(j);
      if (s.ok()) s = tx.Commit();
      if (!s.ok()) return s;
      report->given_up.push_back(j);
      continue;
    }
    // An attempt cut short by someone else is given back, as RequeueJob
    // gives back one the engine's absence cut short.
    Stmt st(db,
            crash
                ? "UPDATE jobs SET state = 'queued' WHERE id = ?"
                : "UPDATE jobs SET state = 'queued', attempts = MAX(attempts - 1, 0) WHERE id = ?");
    st.Bind(1, j.id);
    s = st.Run();
    const std::string of = " of at most ";
    why = crash ? "interrupted by a daemon crash in this job (crash " + std::to_string(crashes) +
                      of + std::to_string(limits.max_crashes) + "); resumed"
                : "interrupted by a daemon restart this job did not cause (" +
                      std::to_string(interruptions) + of +
                      std::to_string(limits.max_interruptions) + "); resumed";
    if (s.ok()) s = AddJobEvent(db, j.id, JobStage::kQueued, why);
    if (s.ok()) s = AppendAudit(db, JobAuditRow(j, "resumed", why));
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) return s;
    ++report->requeued;
  }
  return Status::Ok();
}

Status StartDeployment(Db* db, const Job& job, int64_t* deployment_id) {
  Stmt st(db,
          "INSERT INTO deployments(job_id, sandbox, service, commit_sha, started_at) "
          "VALUES(?,?,?,?,?)");
  st.Bind(1, job.id).Bind(2, job.sandbox).Bind(3, job.service).Bind(4, job.commit);
  st.Bind(5, NowMillis());
  Status s = st.Run();
  if (s.ok()) *deployment_id = db->LastInsertId();
  return s;
}

Status FinishDeployment(Db* db, int64_t id, const std::string& status, const std::string& image,
                        const std::string& container_id, const std::string& log_tail) {
  Stmt st(db,
          "UPDATE deployments SET status = ?, image = ?, container_id = ?, log = ?, "
          "finished_at = ? WHERE id = ?");
  st.Bind(1, status).Bind(2, image).Bind(3, container_id).Bind(4, log_tail);
  st.Bind(5, NowMillis()).Bind(6, id);
  return st.Run();
}

}  // namespace sandbot
