// Jobs: the durable work queue, the stage events of each job, and the
// deployments (one attempt to run a commit, with the tail of its log).
//
// A job moves queued → running → succeeded | failed, or queued → cancelled
// (superseded by a newer push for the same sandbox and service). At most one
// job per sandbox runs at a time: ClaimNextJob never hands out a job whose
// sandbox already has a running one, nor a deploy, reroute, resume or destroy
// of a locked sandbox, nor a deploy or reroute of a suspended one.
#ifndef SANDBOT_STORE_JOBS_H_
#define SANDBOT_STORE_JOBS_H_

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "store/audit.h"
#include "store/db.h"
#include "store/job_events.h"
#include "util/job_types.h"
#include "util/status.h"

namespace sandbot {

struct Job {
  int64_t id = 0;
  JobKind kind = JobKind::kDeploy;
  std::string sandbox;
  std::string service;  // deploy only
  std::string branch;
  std::string commit;
  JobState state = JobState::kQueued;
  std::string actor;
  std::string source;  // git, cli, chat
  std::string detail;  // outcome, or why it was cancelled
  int attempts = 0;
  int64_t created_at = 0;
  int64_t started_at = 0;
  int64_t finished_at = 0;
};

// Inserts `job` as queued, with its first event, and fills job->id. A queued
// deploy of the same sandbox and service is cancelled as superseded.
// REQUIRES: inside a Transaction when the caller writes related rows.
Status EnqueueJob(Db* db, Job* job);
// Marks the oldest runnable queued job running (with its "started" audit
// row) and returns it in `job`; `found` is false when there is none.
Status ClaimNextJob(Db* db, Job* job, bool* found);
// As above, leaving the jobs of sandboxes on the engines `waiting` (their
// breaker is open) in the queue: every other engine's work goes on.
Status ClaimNextJob(Db* db, const std::vector<std::string>& waiting, Job* job, bool* found);
Status FinishJob(Db* db, int64_t id, JobState state, const std::string& detail);
// FinishJob and the job's audit row, in one transaction.
Status EndJob(Db* db, const Job& job, JobState state, const std::string& detail);
Status GetJob(Db* db, int64_t id, Job* job);
// The jobs in `state`, oldest first.
Status ListJobs(Db* db, JobState state, std::vector<Job>* jobs);
// Every job, oldest first.
Status ListAllJobs(Db* db, std::vector<Job>* jobs);
// Puts a running job back in the queue with a "waiting" event saying why
// (engine unreachable, daemon stopping). An attempt the job could not use
// is not counted against it.
Status RequeueJob(Db* db, int64_t id, const std::string& why);
// The audit row recording a job's transition to `status`.
AuditRow JobAuditRow(const Job& job, const std::string& status, const std::string& detail);

// When recovery gives a job up rather than doing it again.
struct RecoveryLimits {
  // Attempts that crashed the daemon on the job's own thread (a poison job
  // would crash it at every start).
  int max_crashes = 3;
  // Restarts of any cause while the job ran: the kernel's OOM killer leaves
  // no crash record, yet a job that gets the daemon killed every time must
  // end too. Far above what a person restarting the daemon reaches.
  int max_interruptions = 10;
};
struct RecoveryReport {
  int requeued = 0;
  // Ended failed, detail saying why and how to try again; the caller tells
  // their followers (the notifier).
  std::vector<Job> given_up;
};
// After the daemon died (kill -9, a crash, a power cut): every job left
// running goes back to the queue, to be done again from its start, its open
// deployment row closed as interrupted. The attempt counts against the job
// only when the job crashed the daemon itself (its id in `crashed`, from
// bot/crash_record.h): a job that was merely running when something else
// stopped the daemon is not to blame, however often that happens, up to
// limits.max_interruptions. A job that reached a limit fails instead; a
// deploy's service is marked failed with the command that deploys it again
// (unless a newer job has taken the service over), and the one who started
// the job gets a notice saying so. `on_given_up` (may be empty) runs for
// each given-up job inside the transaction that ends it, so the news it
// queues (the outbox) is written with the job's end or not at all.
Status RecoverInterruptedJobs(Db* db, const std::set<int64_t>& crashed,
                              const RecoveryLimits& limits, RecoveryReport* report,
                              const std::function<void(const Job&)>& on_given_up = nullptr);

Status StartDeployment(Db* db, const Job& job, int64_t* deployment_id);
Status FinishDeployment(Db* db, int64_t id, const std::string& status, const std::string& image,
                        const std::string& container_id, const std::string& log_tail);

}  // namespace sandbot

#endif  // SANDBOT_STORE_JOBS_H_
