#define BOOST_TEST_DYN_LINK
#include <sqlite3.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <memory>
#include <set>
#include <thread>

#include "store/audit.h"
#include "store/jobs.h"
#include "store/repos.h"
#include "store/sandbox_page.h"
#include "store/sandboxes.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace sandbot {
const char* MigrationSql(int version);  // store/schema.cc
}

namespace {

int64_t AddSandboxWithService(Db* db, const std::string& name, const std::string& svc,
                              int64_t* service_id) {
  Sandbox b;
  b.name = name;
  b.created_by = "ana";
  BOOST_REQUIRE(CreateSandbox(db, &b).ok());
  Service s;
  s.name = svc;
  s.repo = svc;
  s.branch = "feature/x";
  BOOST_REQUIRE(UpsertService(db, b.id, &s).ok());
  *service_id = s.id;
  return b.id;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store)

BOOST_AUTO_TEST_CASE(migrates_to_newest_and_reopens) {
  TestStore t;
  int version = t.db->SchemaVersion();
  BOOST_CHECK_GE(version, 1);
  std::unique_ptr<Db> again;
  BOOST_REQUIRE(Db::Open(t.dir.path() + "/sandbot.db", &again).ok());
  BOOST_CHECK_EQUAL(again->SchemaVersion(), version);
  Stmt st(again.get(), "PRAGMA journal_mode");
  BOOST_REQUIRE(st.Step());
  BOOST_CHECK_EQUAL(st.Text(0), "wal");
}

// A store written by the first schema keeps every row through migration 2,
// which rebuilds sandboxes and jobs, and its references still cascade.
BOOST_AUTO_TEST_CASE(migration_2_keeps_rows_and_references) {
  ScratchDir dir;
  const std::string path = dir.path() + "/sandbot.db";
  {
    sqlite3* raw = nullptr;
    BOOST_REQUIRE_EQUAL(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    const std::string v1 = std::string(MigrationSql(1)) + R"sql(
PRAGMA user_version=1;
INSERT INTO sandboxes VALUES(7,'qa-login','ana','web','feature/login','active',100,200);
INSERT INTO services(id,sandbox_id,name,repo,branch,commit_sha,status,updated_at)
  VALUES(3,7,'web','web','feature/login','abc','running',200);
INSERT INTO ports VALUES(9001,3);
INSERT INTO routes VALUES(7,'payment','baseline',200);
INSERT INTO jobs(id,kind,sandbox,service,state,actor,source,created_at)
  VALUES(5,'deploy','qa-login','web','succeeded','ana','git',150);
INSERT INTO job_events(job_id,time,stage,message) VALUES(5,150,'queued','queued');
)sql";
    BOOST_REQUIRE_EQUAL(sqlite3_exec(raw, v1.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(raw);
  }
  std::unique_ptr<Db> db;
  Status s = Db::Open(path, &db);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_CHECK_GE(db->SchemaVersion(), 2);
  Sandbox b;
  BOOST_REQUIRE(GetSandbox(db.get(), "qa-login", &b).ok());
  BOOST_CHECK_EQUAL(b.id, 7);
  BOOST_CHECK_EQUAL(b.origin_branch, "feature/login");
  BOOST_CHECK_EQUAL(b.last_active_at, 200);
  BOOST_REQUIRE_EQUAL(b.services.size(), 1u);
  BOOST_CHECK_EQUAL(b.services[0].host_port, 9001);
  Job job;
  BOOST_REQUIRE(GetJob(db.get(), 5, &job).ok());
  BOOST_CHECK_EQUAL(JobStateName(job.state), "succeeded");
  {
    Stmt fk(db.get(), "PRAGMA foreign_keys");
    BOOST_REQUIRE(fk.Step());
    BOOST_CHECK_EQUAL(fk.Int(0), 1);
  }
  BOOST_REQUIRE(DeleteSandbox(db.get(), "qa-login").ok());
  Stmt left(db.get(),
            "SELECT (SELECT COUNT(*) FROM services) + (SELECT COUNT(*) FROM ports) + "
            "(SELECT COUNT(*) FROM routes)");
  BOOST_REQUIRE(left.Step());
  BOOST_CHECK_EQUAL(left.Int(0), 0);
}

BOOST_AUTO_TEST_CASE(refuses_a_newer_schema) {
  TestStore t;
  BOOST_REQUIRE(t.db->Exec("PRAGMA user_version=999").ok());
  std::unique_ptr<Db> again;
  Status s = Db::Open(t.dir.path() + "/sandbot.db", &again);
  BOOST_CHECK(s.IsUnavailable());
  BOOST_CHECK(s.message().find("upgrade sandbot") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reused_statements_start_clean_and_nest) {
  TestStore t;
  Db* db = t.db.get();
  BOOST_REQUIRE(db->Exec("CREATE TABLE n(v INTEGER)").ok());
  for (int v : {1, 2, 3}) BOOST_REQUIRE(Stmt(db, "INSERT INTO n VALUES(?)").Bind(1, v).Run().ok());
  const char* sql = "SELECT v FROM n WHERE v >= ? ORDER BY v";
  {
    Stmt first(db, sql);
    first.Bind(1, 2);
    BOOST_REQUIRE(first.Step());
    BOOST_CHECK_EQUAL(first.Int(0), 2);
    // The same text while the first is mid-iteration: its own statement.
    Stmt nested(db, sql);
    nested.Bind(1, 1);
    int rows = 0;
    while (nested.Step()) ++rows;
    BOOST_CHECK_EQUAL(rows, 3);
    BOOST_REQUIRE(first.Step());
    BOOST_CHECK_EQUAL(first.Int(0), 3);
  }
  // Left mid-iteration above, reused here: reset, bindings cleared.
  Stmt again(db, sql);
  again.Bind(1, 3);
  BOOST_REQUIRE(again.Step());
  BOOST_CHECK_EQUAL(again.Int(0), 3);
  BOOST_CHECK(!again.Step());
  BOOST_CHECK(again.status().ok());
  // A reused statement does not hold a read lock: another connection writes.
  std::unique_ptr<Db> other;
  BOOST_REQUIRE(Db::Open(t.dir.path() + "/sandbot.db", &other).ok());
  BOOST_CHECK(other->Exec("INSERT INTO n VALUES(4)").ok());
}

namespace {
int CountRows(Db* db) {
  Stmt st(db, "SELECT COUNT(*) FROM n");
  return st.Step() ? static_cast<int>(st.Int(0)) : -1;
}
}  // namespace

// SQL built at run time may be gone before its Stmt is (ASan watches), and
// a second statement in one text would be ignored: it is refused.
BOOST_AUTO_TEST_CASE(statement_text_need_not_outlive_the_stmt) {
  TestStore t;
  Db* db = t.db.get();
  BOOST_REQUIRE(db->Exec("CREATE TABLE n(v INTEGER)").ok());
  for (int round = 0; round < 2; ++round) {  // the second takes it from the cache
    auto sql = std::make_unique<std::string>("INSERT INTO n VALUES(7)");
    Stmt st(db, sql->c_str());
    sql.reset();
    BOOST_CHECK(st.Run().ok());
  }
  Stmt two(db, "INSERT INTO n VALUES(8); DELETE FROM n");
  BOOST_CHECK(!two.Run().ok());
  BOOST_CHECK_EQUAL(CountRows(db), 2);  // the refused text ran nothing
  Stmt trailing(db, "SELECT COUNT(*) FROM n;\n");
  BOOST_REQUIRE(trailing.Step());
  BOOST_CHECK_EQUAL(trailing.Int(0), 2);
}

BOOST_AUTO_TEST_CASE(repos_round_trip_and_conflict) {
  TestStore t;
  Repo r;
  r.name = "web";
  r.path = "/srv/git/web.git";
  r.cmd = {"httpd", "-f"};
  BOOST_REQUIRE(AddRepo(t.db.get(), r).ok());
  BOOST_CHECK(AddRepo(t.db.get(), r).code() == Status::Code::kConflict);
  Repo got;
  BOOST_REQUIRE(GetRepo(t.db.get(), "web", &got).ok());
  BOOST_CHECK_EQUAL(got.path, r.path);
  BOOST_CHECK_EQUAL(got.cmd.size(), 2u);
  BOOST_CHECK(GetRepo(t.db.get(), "nope", &got).IsNotFound());
}

BOOST_AUTO_TEST_CASE(ports_are_unique_lowest_first_and_freed) {
  TestStore t;
  int64_t s1, s2, s3;
  AddSandboxWithService(t.db.get(), "a", "web", &s1);
  AddSandboxWithService(t.db.get(), "b", "web", &s2);
  AddSandboxWithService(t.db.get(), "c", "web", &s3);
  int p1, p2, p3, again;
  BOOST_REQUIRE(AllocatePort(t.db.get(), s1, 9001, 9002, &p1).ok());
  BOOST_REQUIRE(AllocatePort(t.db.get(), s2, 9001, 9002, &p2).ok());
  BOOST_CHECK_EQUAL(p1, 9001);
  BOOST_CHECK_EQUAL(p2, 9002);
  BOOST_REQUIRE(AllocatePort(t.db.get(), s1, 9001, 9002, &again).ok());
  BOOST_CHECK_EQUAL(again, 9001);  // a service keeps its port
  Status full = AllocatePort(t.db.get(), s3, 9001, 9002, &p3);
  BOOST_CHECK(full.IsUnavailable());
  BOOST_CHECK(full.message().find("9001-9002") != std::string::npos);
  BOOST_REQUIRE(DeleteSandbox(t.db.get(), "a").ok());  // cascades to the port
  BOOST_REQUIRE(AllocatePort(t.db.get(), s3, 9001, 9002, &p3).ok());
  BOOST_CHECK_EQUAL(p3, 9001);
  // The schema itself refuses a second holder of one port.
  Status dup =
      t.db->Exec("INSERT INTO ports(port, service_id) VALUES(9002, " + std::to_string(s3) + ")");
  BOOST_CHECK(!dup.ok());
}

BOOST_AUTO_TEST_CASE(ports_under_concurrency) {
  TestStore t;
  std::vector<int64_t> ids(40);
  for (int i = 0; i < 40; ++i) {
    AddSandboxWithService(t.db.get(), "s" + std::to_string(i), "web", &ids[i]);
  }
  std::vector<int> ports(40);
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};  // Boost.Test assertions are not thread-safe
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int i = w; i < 40; i += 4) {
        if (!AllocatePort(t.db.get(), ids[i], 9001, 9999, &ports[i]).ok()) ++errors;
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_CHECK_EQUAL(errors.load(), 0);
  std::set<int> unique(ports.begin(), ports.end());
  BOOST_CHECK_EQUAL(unique.size(), 40u);
  BOOST_CHECK_EQUAL(*unique.begin(), 9001);
  BOOST_CHECK_EQUAL(*unique.rbegin(), 9040);
}

BOOST_AUTO_TEST_CASE(newer_deploy_supersedes_queued_one) {
  TestStore t;
  Job a = DeployJob("qa", "web", "aaa"), b = DeployJob("qa", "web", "bbb");
  Job other = DeployJob("qa", "api", "ccc");
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &a).ok());
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &other).ok());
  BOOST_REQUIRE(EnqueueJob(t.db.get(), &b).ok());
  Job got;
  BOOST_REQUIRE(GetJob(t.db.get(), a.id, &got).ok());
  BOOST_CHECK_EQUAL(JobStateName(got.state), "cancelled");
  BOOST_CHECK_EQUAL(got.detail, "superseded by job " + std::to_string(b.id));
  BOOST_REQUIRE(GetJob(t.db.get(), other.id, &got).ok());
  BOOST_CHECK_EQUAL(JobStateName(got.state), "queued");
}

BOOST_AUTO_TEST_CASE(one_running_job_per_sandbox) {
  TestStore t;
  Job a1 = DeployJob("a", "web", "1"), a2 = DeployJob("a", "api", "2");
  Job b1 = DeployJob("b", "web", "3");
  for (Job* j : {&a1, &a2, &b1}) BOOST_REQUIRE(EnqueueJob(t.db.get(), j).ok());
  Job claimed;
  bool found = false;
  BOOST_REQUIRE(ClaimNextJob(t.db.get(), &claimed, &found).ok());
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(claimed.id, a1.id);
  BOOST_REQUIRE(ClaimNextJob(t.db.get(), &claimed, &found).ok());
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(claimed.id, b1.id);  // a2 waits for a1
  BOOST_REQUIRE(ClaimNextJob(t.db.get(), &claimed, &found).ok());
  BOOST_CHECK(!found);
  BOOST_REQUIRE(FinishJob(t.db.get(), a1.id, JobState::kSucceeded, "").ok());
  BOOST_REQUIRE(ClaimNextJob(t.db.get(), &claimed, &found).ok());
  BOOST_REQUIRE(found);
  BOOST_CHECK_EQUAL(claimed.id, a2.id);
  BOOST_CHECK_EQUAL(claimed.attempts, 1);
}

BOOST_AUTO_TEST_CASE(nested_transactions_roll_back_together) {
  TestStore t;
  {
    Transaction outer(t.db.get());
    BOOST_REQUIRE(outer.status().ok());
    Job j = DeployJob("a", "web", "1");
    BOOST_REQUIRE(EnqueueJob(t.db.get(), &j).ok());  // commits only its savepoint
  }                                                  // outer rolled back
  std::vector<Job> jobs;
  BOOST_REQUIRE(ListAllJobs(t.db.get(), &jobs).ok());
  BOOST_CHECK(jobs.empty());
}

BOOST_AUTO_TEST_CASE(audit_is_append_only) {
  TestStore t;
  AuditRow r{};
  r.actor = "ana";
  r.source = "cli";
  r.action = "push";
  r.sandbox = "qa";
  BOOST_REQUIRE(AppendAudit(t.db.get(), r).ok());
  r.sandbox = "other";
  BOOST_REQUIRE(AppendAudit(t.db.get(), r).ok());
  BOOST_CHECK(!t.db->Exec("UPDATE audit SET actor = 'mallory'").ok());
  BOOST_CHECK(!t.db->Exec("DELETE FROM audit").ok());
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "qa", 0, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  BOOST_CHECK_EQUAL(rows[0].actor, "ana");
  rows.clear();
  BOOST_REQUIRE(ListAudit(t.db.get(), "", 1, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  BOOST_CHECK_EQUAL(rows[0].sandbox, "other");  // the newest
}

BOOST_AUTO_TEST_CASE(a_page_of_sandboxes_is_filtered_counted_and_paged_in_sql) {
  TestStore t;
  Db* db = t.db.get();
  int64_t service_id = 0;
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(
        AddSandboxWithService(db, "sb" + std::to_string(i), i < 3 ? "web" : "api", &service_id));
  }
  // Distinct creation times (CreateSandbox stamps now) and owners.
  BOOST_REQUIRE(db->Exec("UPDATE sandboxes SET created_at = id * 1000, "
                         "created_by = CASE WHEN id % 2 = 0 THEN 'bob' ELSE 'ana' END")
                    .ok());
  BOOST_REQUIRE(SetSandboxState(db, "sb4", "suspended").ok());
  std::vector<Sandbox> page;
  int64_t total = 0;
  SandboxQuery q;
  q.limit = 2;
  BOOST_REQUIRE(ListSandboxPage(db, q, &page, &total).ok());
  BOOST_CHECK_EQUAL(total, 5);
  BOOST_REQUIRE_EQUAL(page.size(), 2u);
  BOOST_CHECK_EQUAL(page[0].name, "sb4");  // newest first
  BOOST_REQUIRE_EQUAL(page[0].services.size(), 1u);
  BOOST_CHECK_EQUAL(page[0].services[0].name, "api");
  q.offset = 4;
  BOOST_REQUIRE(ListSandboxPage(db, q, &page, &total).ok());
  BOOST_REQUIRE_EQUAL(page.size(), 1u);
  BOOST_CHECK_EQUAL(page[0].name, "sb0");
  BOOST_CHECK_EQUAL(page[0].services[0].name, "web");
  // Owner by substring, repo of a service, state; by name.
  q = SandboxQuery();
  q.owner = "an";
  q.repo = "web";
  q.newest_first = false;
  BOOST_REQUIRE(ListSandboxPage(db, q, &page, &total).ok());
  BOOST_CHECK_EQUAL(total, 2);
  BOOST_REQUIRE_EQUAL(page.size(), 2u);
  BOOST_CHECK_EQUAL(page[0].name, "sb0");
  BOOST_CHECK_EQUAL(page[1].name, "sb2");
  q = SandboxQuery();
  q.state = "suspended";
  BOOST_REQUIRE(ListSandboxPage(db, q, &page, &total).ok());
  BOOST_CHECK_EQUAL(total, 1);
  // Only the ids given (a filter the store cannot compute).
  std::vector<int64_t> some = {ids[1], ids[3]};
  q = SandboxQuery();
  q.ids = &some;
  BOOST_REQUIRE(ListSandboxPage(db, q, &page, &total).ok());
  BOOST_CHECK_EQUAL(total, 2);
  BOOST_REQUIRE_EQUAL(page.size(), 2u);
  BOOST_CHECK_EQUAL(page[0].name, "sb3");
  std::vector<int64_t> none;
  q.ids = &none;
  BOOST_REQUIRE(ListSandboxPage(db, q, &page, &total).ok());
  BOOST_CHECK_EQUAL(total, 0);
  BOOST_CHECK(page.empty());
}

BOOST_AUTO_TEST_SUITE_END()
