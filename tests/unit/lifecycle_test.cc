// Sandbox lifecycle: locks and suspension in the job queue, snapshots,
// clone/restore/lock commands, the sandbox limit and idle expiry.
#define BOOST_TEST_DYN_LINK
#include "store/lifecycle.h"

#include <boost/test/unit_test.hpp>

#include "bot/config.h"
#include "bot/deployer.h"
#include "bot/expiry.h"
#include "bot/reconciler.h"
#include "handlers/dispatch.h"
#include "store/audit.h"
#include "store/jobs.h"
#include "store/repos.h"
#include "store/routes.h"
#include "store/snapshots.h"
#include "tests/unit/fake_runtime.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

const std::string kSha1 = "1111111111111111111111111111111111111111";
const std::string kSha2 = "2222222222222222222222222222222222222222";

Sandbox NewSandbox(Db* db, const std::string& name, const std::string& owner = "ana (U1)") {
  Sandbox b;
  b.name = name;
  b.created_by = owner;
  BOOST_REQUIRE(CreateSandbox(db, &b).ok());
  return b;
}

// A service that ran `sha` in `sandbox`.
void Deployed(Db* db, const Sandbox& b, const std::string& service, const std::string& branch,
              const std::string& sha) {
  Service svc;
  svc.name = svc.repo = service;
  svc.branch = branch;
  BOOST_REQUIRE(UpsertService(db, b.id, &svc).ok());
  BOOST_REQUIRE(SetServiceDeployed(db, svc.id, sha, "sandbot/" + service + ":x", "cid", "u").ok());
  BOOST_REQUIRE(SetServiceStatus(db, svc.id, ServiceStatus::kRunning, "").ok());
}

Job Claim(Db* db, bool* found) {
  Job job;
  BOOST_REQUIRE(ClaimNextJob(db, &job, found).ok());
  return job;
}

struct Fixture {
  TestStore t;
  Db* db = t.db.get();
  std::map<std::string, std::string> baselines = {{"api", "https://api-dev.example.com"}};
  HandlerContext ctx;
  Fixture() {
    ctx.db = db;
    ctx.baselines = &baselines;
    for (const char* name : {"web", "api"}) {
      Repo r;
      r.name = name;
      r.path = std::string("/nonexistent/") + name + ".git";
      BOOST_REQUIRE(AddRepo(db, r).ok());
    }
  }
  Status Run(const std::string& text, Reply* reply, const std::string& user = "ana",
             Role role = Role::kDeployer) {
    Request req;
    req.user_id = user == "ana" ? "U1" : "U2";
    req.user_name = user;
    req.source = "slack";
    req.channel = "slack:C1";
    req.role = role;
    Status s = ParseCommand("sandbox", text, &req.command);
    if (!s.ok()) return s;
    return HandleCommand(ctx, req, reply);
  }
};

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lifecycle)

BOOST_AUTO_TEST_CASE(lock_holds_deploys_and_unlock_runs_only_the_newest) {
  TestStore t;
  Db* db = t.db.get();
  NewSandbox(db, "qa");
  BOOST_REQUIRE(LockSandbox(db, "qa", "ana (U1)", "testing checkout").ok());
  Status again = LockSandbox(db, "qa", "bob (U2)", "");
  BOOST_CHECK(again.IsConflict());
  BOOST_CHECK(Has(again.message(), "locked by ana (U1) since "));
  BOOST_CHECK(Has(again.message(), ": testing checkout"));

  Job first = DeployJob("qa", "web", kSha1), second = DeployJob("qa", "web", kSha2);
  Job other = DeployJob("qa", "api", kSha1), destroy;
  destroy.kind = JobKind::kDestroy;
  destroy.sandbox = "qa";
  destroy.actor = "ana";
  destroy.source = "git";
  BOOST_REQUIRE(EnqueueJob(db, &first).ok());
  BOOST_REQUIRE(EnqueueJob(db, &other).ok());
  BOOST_REQUIRE(EnqueueJob(db, &second).ok());
  // Another sandbox is not held by qa's lock.
  NewSandbox(db, "free");
  Job free_job = DeployJob("free", "web", kSha1);
  BOOST_REQUIRE(EnqueueJob(db, &free_job).ok());

  bool found = false;
  Job got = Claim(db, &found);
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(got.id, free_job.id);
  BOOST_REQUIRE(FinishJob(db, got.id, JobState::kSucceeded, "").ok());
  Claim(db, &found);
  BOOST_CHECK(!found);  // everything of qa waits

  Job old;
  BOOST_REQUIRE(GetJob(db, first.id, &old).ok());
  BOOST_CHECK_EQUAL(JobStateName(old.state), "cancelled");
  BOOST_CHECK_EQUAL(old.detail, "superseded by job " + std::to_string(second.id));

  std::vector<int64_t> queued;
  BOOST_REQUIRE(QueuedJobsOf(db, "qa", &queued).ok());
  BOOST_CHECK_EQUAL(queued.size(), 2u);
  BOOST_REQUIRE(UnlockSandbox(db, "qa").ok());
  got = Claim(db, &found);
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(got.id, other.id);
  BOOST_REQUIRE(FinishJob(db, got.id, JobState::kSucceeded, "").ok());
  got = Claim(db, &found);
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(got.commit, kSha2);  // the newest commit of web, once
}

BOOST_AUTO_TEST_CASE(lock_holds_destroy_but_not_suspend) {
  TestStore t;
  Db* db = t.db.get();
  NewSandbox(db, "qa");
  BOOST_REQUIRE(LockSandbox(db, "qa", "ana", "").ok());
  Job destroy, suspend;
  destroy.kind = JobKind::kDestroy;
  suspend.kind = JobKind::kSuspend;
  for (Job* j : {&destroy, &suspend}) {
    j->sandbox = "qa";
    j->actor = "ana";
    j->source = "cli";
    BOOST_REQUIRE(EnqueueJob(db, j).ok());
  }
  bool found = false;
  Job got = Claim(db, &found);
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(JobKindName(got.kind), "suspend");
  BOOST_REQUIRE(FinishJob(db, got.id, JobState::kSucceeded, "").ok());
  Claim(db, &found);
  BOOST_CHECK(!found);
}

BOOST_AUTO_TEST_CASE(suspended_sandbox_holds_deploys_until_resumed) {
  TestStore t;
  Db* db = t.db.get();
  NewSandbox(db, "qa");
  BOOST_REQUIRE(MarkSuspended(db, "qa").ok());
  Sandbox b;
  BOOST_REQUIRE(GetSandbox(db, "qa", &b).ok());
  BOOST_CHECK_EQUAL(b.state, "suspended");
  BOOST_CHECK(b.suspended_at > 0);
  Job deploy = DeployJob("qa", "web", kSha1), resume;
  resume.kind = JobKind::kResume;
  resume.sandbox = "qa";
  resume.actor = "ana";
  resume.source = "cli";
  BOOST_REQUIRE(EnqueueJob(db, &deploy).ok());
  bool found = false;
  Claim(db, &found);
  BOOST_CHECK(!found);
  BOOST_REQUIRE(EnqueueJob(db, &resume).ok());
  Job got = Claim(db, &found);
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(JobKindName(got.kind), "resume");  // newer, but the deploy waits for it
  BOOST_REQUIRE(MarkResumed(db, "qa").ok());
  BOOST_REQUIRE(FinishJob(db, got.id, JobState::kSucceeded, "").ok());
  got = Claim(db, &found);
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(got.id, deploy.id);
  BOOST_REQUIRE(GetSandbox(db, "qa", &b).ok());
  BOOST_CHECK_EQUAL(b.state, "active");
  BOOST_CHECK_EQUAL(b.suspended_at, 0);
}

BOOST_AUTO_TEST_CASE(snapshot_json_round_trip) {
  SnapshotData d;
  d.services = {{"web", "web", "feature/x", kSha1}, {"api", "api", "main", kSha2}};
  d.routes = {{"api", "baseline"}, {"web", "http://127.0.0.1:9"}};
  d.envs = {{"shared", ""}, {"web-secrets", "web"}};
  d.gateway = "web";
  SnapshotData back;
  BOOST_REQUIRE(SnapshotFromJson(SnapshotToJson(d), &back).ok());
  BOOST_CHECK_EQUAL(SnapshotToJson(back), SnapshotToJson(d));
  BOOST_REQUIRE_EQUAL(back.services.size(), 2u);
  BOOST_CHECK_EQUAL(back.services[1].commit, kSha2);
  BOOST_CHECK_EQUAL(back.routes["web"], "http://127.0.0.1:9");
  BOOST_CHECK_EQUAL(back.envs[1].service, "web");
  BOOST_CHECK_EQUAL(back.gateway, "web");
  BOOST_CHECK(SnapshotFromJson("[1]", &back).IsInvalidArgument());
  BOOST_CHECK(SnapshotFromJson(R"({"services":[{"repo":"x"}]})", &back).IsInvalidArgument());
}

BOOST_AUTO_TEST_CASE(snapshot_captures_and_applies_routes_and_environments) {
  TestStore t;
  Db* db = t.db.get();
  Sandbox b = NewSandbox(db, "qa");
  Deployed(db, b, "web", "feature/x", kSha1);
  BOOST_REQUIRE(db->Exec("INSERT INTO environments(id, name, created_by, created_at, updated_at) "
                         "VALUES(7, 'shared', 'ana', 0, 0), (8, 'other', 'ana', 0, 0)")
                    .ok());
  BOOST_REQUIRE(db->Exec("INSERT INTO env_attachments(env_id, sandbox_id, service, attached_by, "
                         "attached_at) VALUES(7, " +
                         std::to_string(b.id) + ", 'web', 'ana', 0)")
                    .ok());
  BOOST_REQUIRE(SetRoute(db, b.id, "api", "http://127.0.0.1:9").ok());
  BOOST_REQUIRE(GetSandbox(db, "qa", &b).ok());
  SnapshotData d;
  BOOST_REQUIRE(CaptureSnapshot(db, b, &d).ok());
  BOOST_REQUIRE(SaveSnapshot(db, b.id, "before", SnapshotToJson(d), "ana").ok());
  BOOST_CHECK(SaveSnapshot(db, b.id, "before", "{}", "ana").IsConflict());

  // Change everything, then apply the snapshot back.
  BOOST_REQUIRE(SetRoute(db, b.id, "api", "baseline").ok());
  BOOST_REQUIRE(SetRoute(db, b.id, "web", "baseline").ok());
  BOOST_REQUIRE(db->Exec("UPDATE env_attachments SET env_id = 8").ok());
  SnapshotData loaded;
  BOOST_REQUIRE(LoadSnapshot(db, b, "before", &loaded).ok());
  BOOST_REQUIRE(ApplySnapshotSettings(db, b.id, loaded, "bob").ok());
  std::map<std::string, std::string> routes;
  BOOST_REQUIRE(GetRoutes(db, b.id, &routes).ok());
  BOOST_CHECK_EQUAL(routes.size(), 1u);
  BOOST_CHECK_EQUAL(routes["api"], "http://127.0.0.1:9");
  SnapshotData now;
  BOOST_REQUIRE(CaptureSnapshot(db, b, &now).ok());
  BOOST_CHECK_EQUAL(SnapshotToJson(now), SnapshotToJson(d));

  Status missing = LoadSnapshot(db, b, "nope", &loaded);
  BOOST_CHECK(missing.IsNotFound());
  BOOST_CHECK(Has(missing.message(), "Its snapshots: before."));
  BOOST_REQUIRE(db->Exec("DELETE FROM environments WHERE id = 7").ok());
  Status gone = ApplySnapshotSettings(db, b.id, d, "bob");
  BOOST_CHECK(gone.IsNotFound());
  BOOST_CHECK(Has(gone.message(), "environment 'shared' was deleted"));
}

BOOST_AUTO_TEST_CASE(lock_commands_name_the_holder_everywhere) {
  Fixture f;
  NewSandbox(f.db, "qa");
  Reply lock;
  BOOST_REQUIRE(f.Run("lock qa release candidate check", &lock).ok());
  BOOST_CHECK(Has(lock.view.text, "locked by ana (U1) since "));
  BOOST_CHECK(Has(lock.view.text, "UTC: release candidate check"));

  Reply status;
  BOOST_REQUIRE(f.Run("status qa", &status).ok());
  BOOST_CHECK(Has(status.view.text, "\xF0\x9F\x94\x92 locked by ana (U1) since "));
  BOOST_CHECK(Has(status.view.title, "\xF0\x9F\x94\x92"));

  Reply denied;
  Status s = f.Run("unlock qa", &denied, "bob");
  BOOST_CHECK(s.code() == Status::Code::kForbidden);
  BOOST_CHECK(Has(s.message(), "locked by ana (U1)"));
  s = f.Run("destroy qa", &denied, "bob");
  BOOST_CHECK(s.code() == Status::Code::kForbidden);
  s = f.Run("suspend qa", &denied, "bob");
  BOOST_CHECK(s.code() == Status::Code::kForbidden);
  s = f.Run("lock qa", &denied, "bob");
  BOOST_CHECK(s.IsConflict());

  Job deploy = DeployJob("qa", "web", kSha1);
  BOOST_REQUIRE(EnqueueJob(f.db, &deploy).ok());
  Reply unlock;
  BOOST_REQUIRE(f.Run("unlock qa", &unlock, "root", Role::kAdmin).ok());  // an admin may
  BOOST_REQUIRE_EQUAL(unlock.jobs.size(), 1u);
  BOOST_CHECK_EQUAL(unlock.jobs[0], deploy.id);
  BOOST_CHECK(Has(unlock.view.text, "web@ 1111111 (job " + std::to_string(deploy.id) + ")"));
  Reply again;
  BOOST_CHECK(f.Run("unlock qa", &again).IsConflict());
}

BOOST_AUTO_TEST_CASE(suspend_and_resume_commands) {
  Fixture f;
  Sandbox b = NewSandbox(f.db, "qa");
  Deployed(f.db, b, "web", "main", kSha1);
  Reply r;
  BOOST_REQUIRE(f.Run("suspend qa", &r).ok());
  BOOST_REQUIRE_EQUAL(r.jobs.size(), 1u);
  Job job;
  BOOST_REQUIRE(GetJob(f.db, r.jobs[0], &job).ok());
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "suspend");
  Reply status;
  BOOST_REQUIRE(f.Run("status qa", &status).ok());
  BOOST_CHECK(Has(status.view.text, "suspended: containers stopped"));
  BOOST_CHECK_MESSAGE(Has(status.view.title, "(suspended)"), status.view.title);
  Reply twice;
  BOOST_CHECK(f.Run("suspend qa", &twice).IsConflict());
  Reply resume;
  BOOST_REQUIRE(f.Run("resume qa", &resume).ok());
  BOOST_REQUIRE(GetJob(f.db, resume.jobs[0], &job).ok());
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "resume");
  BOOST_CHECK(f.Run("resume qa", &twice).IsConflict());  // already being resumed
}

BOOST_AUTO_TEST_CASE(clone_copies_commits_routes_and_environments) {
  Fixture f;
  Sandbox src = NewSandbox(f.db, "qa");
  Deployed(f.db, src, "web", "feature/x", kSha1);
  Deployed(f.db, src, "api", "feature/y", kSha2);
  BOOST_REQUIRE(SetRoute(f.db, src.id, "api", "baseline").ok());
  BOOST_REQUIRE(f.db->Exec("INSERT INTO environments(id, name, created_by, created_at, "
                           "updated_at) VALUES(7, 'shared', 'ana', 0, 0)")
                    .ok());
  BOOST_REQUIRE(f.db->Exec("INSERT INTO env_attachments(env_id, sandbox_id, service, "
                           "attached_by, attached_at) VALUES(7, " +
                           std::to_string(src.id) + ", '', 'ana', 0)")
                    .ok());
  Reply r;
  BOOST_REQUIRE(f.Run("clone qa qa-copy", &r).ok());
  BOOST_CHECK_EQUAL(r.jobs.size(), 2u);
  Sandbox dst;
  BOOST_REQUIRE(GetSandbox(f.db, "qa-copy", &dst).ok());
  BOOST_CHECK_EQUAL(dst.created_by, "ana (U1)");
  std::map<std::string, std::string> commits;
  for (int64_t id : r.jobs) {
    Job job;
    BOOST_REQUIRE(GetJob(f.db, id, &job).ok());
    commits[job.service] = job.branch + "@" + job.commit;
  }
  BOOST_CHECK_EQUAL(commits["web"], "feature/x@" + kSha1);
  BOOST_CHECK_EQUAL(commits["api"], "feature/y@" + kSha2);
  SnapshotData a, b;
  BOOST_REQUIRE(CaptureSnapshot(f.db, src, &a).ok());
  BOOST_REQUIRE(CaptureSnapshot(f.db, dst, &b).ok());
  BOOST_CHECK(a.routes == b.routes);
  BOOST_REQUIRE_EQUAL(b.envs.size(), 1u);
  BOOST_CHECK_EQUAL(b.envs[0].env, "shared");
  Reply taken;
  BOOST_CHECK(f.Run("clone qa qa-copy", &taken).IsConflict());
}

BOOST_AUTO_TEST_CASE(snapshot_and_restore_commands) {
  Fixture f;
  Sandbox b = NewSandbox(f.db, "qa");
  Deployed(f.db, b, "web", "main", kSha1);
  Reply r;
  BOOST_REQUIRE(f.Run("snapshot qa before", &r).ok());
  BOOST_CHECK(Has(r.view.text, "web@main 1111111"));
  Status taken = f.Run("snapshot qa before", &r);
  BOOST_CHECK(taken.IsConflict());
  BOOST_CHECK(Has(taken.message(), "`/sandbox snapshot qa before-2`"));

  // Later: web moved on, api was added with a queued deploy.
  Deployed(f.db, b, "web", "main", kSha2);
  Deployed(f.db, b, "api", "main", kSha2);
  Job pending = DeployJob("qa", "api", kSha1);
  BOOST_REQUIRE(EnqueueJob(f.db, &pending).ok());
  BOOST_REQUIRE(SetRoute(f.db, b.id, "web", "baseline").ok());

  Reply restore;
  BOOST_REQUIRE(f.Run("restore qa before", &restore).ok());
  BOOST_REQUIRE_EQUAL(restore.jobs.size(), 2u);
  Job deploy, reroute;
  BOOST_REQUIRE(GetJob(f.db, restore.jobs[0], &deploy).ok());
  BOOST_REQUIRE(GetJob(f.db, restore.jobs[1], &reroute).ok());
  BOOST_CHECK_EQUAL(JobKindName(deploy.kind), "deploy");
  BOOST_CHECK_EQUAL(deploy.commit, kSha1);
  BOOST_CHECK_EQUAL(JobKindName(reroute.kind), "reroute");
  BOOST_CHECK(Has(restore.view.text, "removing api"));
  BOOST_REQUIRE(GetJob(f.db, pending.id, &pending).ok());
  BOOST_CHECK_EQUAL(JobStateName(pending.state), "cancelled");
  BOOST_REQUIRE(GetSandbox(f.db, "qa", &b).ok());
  BOOST_REQUIRE_EQUAL(b.services.size(), 1u);
  BOOST_CHECK_EQUAL(b.services[0].name, "web");
  std::map<std::string, std::string> routes;
  BOOST_REQUIRE(GetRoutes(f.db, b.id, &routes).ok());
  BOOST_CHECK(routes.empty());
  Status missing = f.Run("restore qa nope", &restore);
  BOOST_CHECK(missing.IsNotFound());
}

BOOST_AUTO_TEST_CASE(max_sandboxes_refuses_with_a_clear_answer) {
  Fixture f;
  f.ctx.max_sandboxes = 1;
  Reply r;
  BOOST_REQUIRE(f.Run("create one", &r).ok());
  Status s = f.Run("create two", &r);
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(Has(s.message(), "already has 1 sandboxes, its limit"));
  BOOST_CHECK(Has(s.message(), "/sandbox destroy NAME"));
  BOOST_CHECK(f.Run("clone one two", &r).IsConflict());
  BOOST_CHECK(!SandboxExists(f.db, "two"));
  f.ctx.max_sandboxes = 0;  // no limit
  BOOST_CHECK(f.Run("create two", &r).ok());
}

// Issue 16 item 11: the operator's limits are ceilings; above them needs
// an admin, at create and at clone (which copies the limits).
BOOST_AUTO_TEST_CASE(operator_limits_are_ceilings_for_deployers) {
  Fixture f;
  f.ctx.operator_limits.global = {64, 1};
  Reply r;
  Status s = f.Run("create big --memory 1048576", &r);
  BOOST_CHECK(s.IsForbidden());
  BOOST_CHECK_MESSAGE(Has(s.message(), "--memory 1048576 is above the operator's limit of 64 MB"),
                      s.message());
  BOOST_CHECK(Has(s.message(), "needs the admin role; you are a deployer"));
  BOOST_CHECK(!SandboxExists(f.db, "big"));
  s = f.Run("create big --cpus 2", &r);
  BOOST_CHECK(s.IsForbidden());
  BOOST_CHECK(Has(s.message(), "limit of 1 CPUs"));
  BOOST_CHECK(!SandboxExists(f.db, "big"));
  // The refusals are audited as refusals.
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.db, "", 0, &rows).ok());
  int refused = 0;
  for (const AuditRow& row : rows)
    refused += row.action == "sandbox.create" && row.status == "refused";
  BOOST_CHECK_EQUAL(refused, 2);
  // Up to the ceiling, and below it, a deployer may.
  BOOST_REQUIRE(f.Run("create small --memory 64 --cpus 0.5", &r).ok());
  BOOST_REQUIRE(f.Run("create plain", &r).ok());
  // An admin may go above; a deployer may not copy that.
  BOOST_REQUIRE(f.Run("create big --memory 1048576 --cpus 8", &r, "ana", Role::kAdmin).ok());
  Sandbox big;
  BOOST_REQUIRE(GetSandbox(f.db, "big", &big).ok());
  BOOST_CHECK_EQUAL(big.memory_mb, 1048576);
  s = f.Run("clone big big-copy", &r);
  BOOST_CHECK(s.IsForbidden());
  BOOST_CHECK(Has(s.message(), "big's --memory 1048576 is above the operator's limit"));
  BOOST_CHECK(!SandboxExists(f.db, "big-copy"));
  BOOST_REQUIRE(f.Run("clone big big-copy", &r, "ana", Role::kAdmin).ok());
  BOOST_REQUIRE(f.Run("clone small small-copy", &r).ok());
}

BOOST_AUTO_TEST_CASE(expiry_suspends_idle_then_destroys_and_tells_the_owner) {
  Fixture f;
  NewSandbox(f.db, "idle", "ana (U1)");
  NewSandbox(f.db, "locked", "bob (U2)");
  BOOST_REQUIRE(LockSandbox(f.db, "locked", "bob (U2)", "").ok());
  std::vector<std::string> told;
  Expiry expiry(f.db, {60, 120},
                [&](const std::string& sandbox, const std::string& owner, const std::string&,
                    const std::string&) { told.push_back(sandbox + " " + owner); });
  ExpiryReport report;
  BOOST_REQUIRE(expiry.RunOnce(NowMillis(), &report).ok());
  BOOST_CHECK_EQUAL(report.suspended, 0);  // not idle yet

  const int64_t later = NowMillis() + 61 * 1000;
  BOOST_REQUIRE(expiry.RunOnce(later, &report).ok());
  BOOST_CHECK_EQUAL(report.suspended, 1);  // the locked one is being tested
  Sandbox b;
  BOOST_REQUIRE(GetSandbox(f.db, "idle", &b).ok());
  BOOST_CHECK_EQUAL(b.state, "suspended");
  BOOST_REQUIRE_EQUAL(told.size(), 1u);
  BOOST_CHECK_EQUAL(told[0], "idle ana (U1)");
  // Its suspend job is queued: nothing more happens to it meanwhile.
  BOOST_REQUIRE(expiry.RunOnce(later + 200 * 1000, &report).ok());
  BOOST_CHECK_EQUAL(report.destroyed, 0);
  bool found = false;
  Job job = Claim(f.db, &found);
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "suspend");
  BOOST_CHECK_EQUAL(job.actor, "sandbot");
  BOOST_REQUIRE(FinishJob(f.db, job.id, JobState::kSucceeded, "").ok());

  BOOST_REQUIRE(expiry.RunOnce(NowMillis() + 121 * 1000, &report).ok());
  BOOST_CHECK_EQUAL(report.destroyed, 1);
  BOOST_REQUIRE(GetSandbox(f.db, "idle", &b).ok());
  BOOST_CHECK_EQUAL(b.state, "destroying");
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.db, "idle", 0, &rows).ok());
  int expire_rows = 0;
  for (const AuditRow& row : rows) {
    if (row.action == "sandbox.expire" && row.actor == "sandbot") ++expire_rows;
  }
  BOOST_CHECK_EQUAL(expire_rows, 2);

  // The owner's next command carries both notices, once.
  Reply r;
  BOOST_REQUIRE(f.Run("list", &r).ok());
  BOOST_CHECK(Has(r.view.text, "your sandbox idle was idle for more than 1 minute"));
  BOOST_CHECK(Has(r.view.text, "sandbot destroyed it"));
  Reply again;
  BOOST_REQUIRE(f.Run("list", &again).ok());
  BOOST_CHECK(!Has(again.view.text, "your sandbox idle"));
}

BOOST_AUTO_TEST_CASE(suspend_stops_keeps_ports_and_the_reconciler_leaves_it_stopped) {
  TestStore t;
  Db* db = t.db.get();
  Repo repo;
  repo.name = "web";
  repo.path = "/nonexistent/web.git";
  repo.health = "";  // staying up is the check: no HTTP to a fake
  BOOST_REQUIRE(AddRepo(db, repo).ok());
  Sandbox b = NewSandbox(db, "qa");
  Deployed(db, b, "web", "main", kSha1);
  Service svc;
  BOOST_REQUIRE(GetService(db, "qa", "web", &svc).ok());
  int port = 0;
  BOOST_REQUIRE(AllocatePort(db, svc.id, 19000, 19010, &port).ok());
  FakeRuntime engine;
  const Labels labels = {{"sandbot.managed", "true"},
                         {"sandbot.data", DataLabel(t.dir.path())},
                         {"sandbot.sandbox", "qa"},
                         {"sandbot.service", "web"}};
  engine.AddContainer(ContainerName("qa", "web"), "running", labels);
  DeployConfig config;
  config.data_dir = t.dir.path();
  Deployer deployer(db, &engine, config, [](const JobEvent&) {});
  Job suspend;
  suspend.id = 1;
  suspend.kind = JobKind::kSuspend;
  suspend.sandbox = "qa";
  BOOST_REQUIRE(deployer.Run(suspend).ok());
  BOOST_CHECK_EQUAL(engine.containers[ContainerName("qa", "web")].state, "exited");
  BOOST_REQUIRE(GetService(db, "qa", "web", &svc).ok());
  BOOST_CHECK_EQUAL(ServiceStatusName(svc.status), "suspended");
  BOOST_CHECK_EQUAL(svc.host_port, port);
  BOOST_REQUIRE(GetSandbox(db, "qa", &b).ok());
  BOOST_CHECK_EQUAL(b.state, "suspended");

  // Even a row still saying "running" is left alone while suspended.
  BOOST_REQUIRE(SetServiceStatus(db, svc.id, ServiceStatus::kRunning, "").ok());
  Reconciler reconciler(db, &engine, t.dir.path(), 0);
  ReconcileReport report;
  BOOST_REQUIRE(reconciler.RunOnce(&report).ok());
  BOOST_CHECK_EQUAL(report.restarted + report.vanished + report.orphans_removed, 0);
  BOOST_CHECK_EQUAL(engine.containers[ContainerName("qa", "web")].state, "exited");

  Job resume = suspend;
  resume.id = 2;
  resume.kind = JobKind::kResume;
  BOOST_REQUIRE(deployer.Run(resume).ok());
  BOOST_CHECK_EQUAL(engine.containers[ContainerName("qa", "web")].state, "running");
  BOOST_REQUIRE(GetService(db, "qa", "web", &svc).ok());
  BOOST_CHECK_EQUAL(ServiceStatusName(svc.status), "running");
  BOOST_CHECK_EQUAL(svc.host_port, port);
  BOOST_REQUIRE(GetSandbox(db, "qa", &b).ok());
  BOOST_CHECK_EQUAL(b.state, "active");
}

BOOST_AUTO_TEST_CASE(durations) {
  int64_t secs = -1;
  BOOST_REQUIRE(ParseDuration("14d", &secs).ok());
  BOOST_CHECK_EQUAL(secs, 14 * 86400);
  BOOST_REQUIRE(ParseDuration("12h", &secs).ok());
  BOOST_CHECK_EQUAL(secs, 12 * 3600);
  BOOST_REQUIRE(ParseDuration("30m", &secs).ok());
  BOOST_CHECK_EQUAL(secs, 1800);
  BOOST_REQUIRE(ParseDuration("5s", &secs).ok());
  BOOST_CHECK_EQUAL(secs, 5);
  BOOST_REQUIRE(ParseDuration("0", &secs).ok());
  BOOST_CHECK_EQUAL(secs, 0);
  for (const char* bad : {"", "d", "5w", "-1d", "1.5h", "5 s"}) {
    BOOST_CHECK_MESSAGE(ParseDuration(bad, &secs).IsInvalidArgument(), bad);
  }
  BOOST_CHECK_EQUAL(DescribeDuration(14 * 86400), "14 days");
  BOOST_CHECK_EQUAL(DescribeDuration(3600), "1 hour");
  BOOST_CHECK_EQUAL(DescribeDuration(3), "3 seconds");
  BOOST_CHECK_EQUAL(DescribeDuration(90), "90 seconds");
}

BOOST_FIXTURE_TEST_CASE(rename_refusals_and_the_queued_job, Fixture) {
  Sandbox qa = NewSandbox(db, "qa");
  Deployed(db, qa, "web", "main", kSha1);
  NewSandbox(db, "taken");
  Reply reply;
  // Not a deployer, NEW taken or invalid, OLD unknown.
  BOOST_CHECK(Run("rename qa qb", &reply, "ana", Role::kViewer).IsForbidden());
  Status s = Run("rename qa taken", &reply);
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(Has(s.message(), "a sandbox named taken already exists"));
  BOOST_CHECK(Run("rename qa Bad_Name", &reply).IsInvalidArgument());
  BOOST_CHECK(Run("rename qa", &reply).IsInvalidArgument());
  s = Run("rename qx qb", &reply);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(Has(s.message(), "Did you mean 'qa'?"));
  // Locked (even by the caller).
  BOOST_REQUIRE(LockSandbox(db, "qa", "ana (U1)", "testing").ok());
  s = Run("rename qa qb", &reply);
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(Has(s.message(), "cannot rename qa: it is locked by ana (U1)"));
  BOOST_REQUIRE(UnlockSandbox(db, "qa").ok());
  // A job of it queued, then running.
  Job deploy = DeployJob("qa", "web", kSha2);
  BOOST_REQUIRE(EnqueueJob(db, &deploy).ok());
  s = Run("rename qa qb", &reply);
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(Has(s.message(), "has work queued or running (job " + std::to_string(deploy.id)));
  bool found = false;
  Job running = Claim(db, &found);
  BOOST_REQUIRE(found);
  BOOST_CHECK(Run("rename qa qb", &reply).IsConflict());
  BOOST_REQUIRE(FinishJob(db, running.id, JobState::kSucceeded, "").ok());
  // Every refusal has its audit row.
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(db, "qa", 0, &rows).ok());
  int refused = 0;
  for (const AuditRow& r : rows) refused += r.action == "sandbox.rename";
  BOOST_CHECK_EQUAL(refused, 5);

  // Accepted: the store says qb at once, a rename job moves the engine side.
  Reply ok;
  BOOST_REQUIRE(Run("rename qa qb", &ok).ok());
  BOOST_CHECK(Has(ok.view.text, "renaming qa to qb (job "));
  BOOST_REQUIRE_EQUAL(ok.jobs.size(), 1u);
  Job job;
  BOOST_REQUIRE(GetJob(db, ok.jobs[0], &job).ok());
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "rename");
  BOOST_CHECK_EQUAL(job.sandbox, "qb");
  BOOST_CHECK_EQUAL(job.branch, "qa");
  Sandbox qb;
  BOOST_REQUIRE(GetSandbox(db, "qb", &qb).ok());
  BOOST_CHECK_EQUAL(qb.id, qa.id);
  BOOST_REQUIRE_EQUAL(qb.services.size(), 1u);
  BOOST_CHECK_EQUAL(ServiceStatusName(qb.services[0].status), "queued");
  BOOST_CHECK(GetSandbox(db, "qa", &qb).IsNotFound());
  // Its old jobs follow it; the audit trail keeps the old name.
  BOOST_REQUIRE(GetJob(db, deploy.id, &job).ok());
  BOOST_CHECK_EQUAL(job.sandbox, "qb");
  BOOST_REQUIRE(ListAudit(db, "qb", 0, &rows).ok());
  BOOST_REQUIRE(!rows.empty());
  BOOST_CHECK_EQUAL(rows.back().action, "sandbox.rename");
  BOOST_CHECK(Has(rows.back().detail, "qa -> qb"));
}

BOOST_AUTO_TEST_SUITE_END()
