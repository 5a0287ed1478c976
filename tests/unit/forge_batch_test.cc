// Group commit of forge deliveries: handlers/forge_batch.h (one transaction,
// a savepoint each) and bot/forge_intake.h (the thread that gathers them and
// answers after the commit).
#define BOOST_TEST_DYN_LINK
#include "handlers/forge_batch.h"

#include <boost/test/unit_test.hpp>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bot/forge_intake.h"
#include "store/audit.h"
#include "store/forges.h"
#include "store/repos.h"
#include "tests/unit/forge_fixture.h"

namespace sandbot {
namespace {

const std::string kHead(40, 'a');

// A GitHub forge whose acme/web is repo "web" with automatic previews.
struct BatchFixture : ForgeStore {
  Forge forge = GithubForge();
  ForgeDelivery Make(const std::string& id, const std::string& repo, int64_t number) {
    ForgeDelivery d;
    d.forge = forge;
    d.delivery = id;
    d.event.kind = ForgeEventKind::kPullRequest;
    d.event.name = "pull_request.synchronize";
    d.event.action = PrAction::kSynchronize;
    d.event.repo = repo;
    d.event.sender = "octo";
    d.event.number = number;
    d.event.head_sha = kHead;
    d.event.head_ref = "feature/x";
    d.event.head_at = 1000;
    return d;
  }
  size_t Recorded(const std::string& repo, int64_t number) {
    std::vector<Delivery> rows;
    BOOST_REQUIRE(ListDeliveries(t.db.get(), "github", repo, number, 1000, &rows).ok());
    return rows.size();
  }
  void CheckChain() {
    AuditChainReport report;
    BOOST_REQUIRE(VerifyAuditChain(t.db.get(), t.dir.path() + "/audit", &report).ok());
    BOOST_CHECK_MESSAGE(report.whole, report.problem);
  }
};

BOOST_AUTO_TEST_SUITE(forge_batch)

BOOST_AUTO_TEST_CASE(a_batch_records_each_delivery_once_and_a_redelivery_in_it_does_nothing) {
  BatchFixture f;
  std::vector<ForgeDelivery> batch = {f.Make("d-1", "acme/web", 7), f.Make("d-2", "acme/other", 3),
                                      f.Make("d-1", "acme/web", 7)};
  std::vector<ForgeBatchResult> results;
  HandleForgeDeliveries(f.t.db.get(), batch, &results);
  BOOST_REQUIRE_EQUAL(results.size(), 3u);
  for (const ForgeBatchResult& r : results)
    BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.ToString());
  BOOST_CHECK_EQUAL(results[0].outcome.outcome, "accepted");
  BOOST_CHECK_EQUAL(results[0].outcome.job_ids.size(), 1u);
  BOOST_CHECK_EQUAL(results[1].outcome.outcome, "ignored");
  BOOST_CHECK_EQUAL(results[2].outcome.outcome, "duplicate");
  BOOST_CHECK(results[2].outcome.job_ids.empty());
  BOOST_CHECK_EQUAL(f.Recorded("acme/web", 7), 1u);
  BOOST_CHECK_EQUAL(f.Recorded("acme/other", 3), 1u);
  std::vector<AuditRow> audit;
  BOOST_REQUIRE(ListAudit(f.t.db.get(), "", 100, &audit).ok());
  int forge_rows = 0;
  for (const AuditRow& row : audit) forge_rows += row.action.rfind("forge.", 0) == 0 ? 1 : 0;
  BOOST_CHECK_EQUAL(forge_rows, 2);  // the redelivery wrote nothing
  f.CheckChain();
  // Sent again in a later batch: still nothing twice.
  HandleForgeDeliveries(f.t.db.get(), {f.Make("d-1", "acme/web", 7)}, &results);
  BOOST_REQUIRE(results[0].status.ok());
  BOOST_CHECK_EQUAL(results[0].outcome.outcome, "duplicate");
}

BOOST_AUTO_TEST_CASE(a_batch_that_cannot_begin_records_nothing_and_says_so_for_each) {
  BatchFixture f;
  // A connection that may not write: its BEGIN IMMEDIATE fails.
  std::unique_ptr<Db> other;
  BOOST_REQUIRE(Db::Open(f.t.db->path(), &other).ok());
  BOOST_REQUIRE(other->Exec("PRAGMA query_only=ON").ok());
  std::vector<ForgeBatchResult> results;
  HandleForgeDeliveries(other.get(), {f.Make("d-1", "acme/web", 7), f.Make("d-2", "acme/web", 8)},
                        &results);
  BOOST_REQUIRE_EQUAL(results.size(), 2u);
  for (const ForgeBatchResult& r : results) {
    BOOST_CHECK(!r.status.ok());
    BOOST_CHECK(r.outcome.outcome.empty());
  }
  BOOST_CHECK_EQUAL(f.Recorded("acme/web", 7), 0u);
  BOOST_CHECK_EQUAL(f.Recorded("acme/web", 8), 0u);
}

BOOST_AUTO_TEST_CASE(the_intake_answers_every_delivery_after_its_commit_and_keeps_the_chain) {
  BatchFixture f;
  EventHub hub;
  const uint64_t version = hub.version();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<ForgeBatchResult> done;
  {
    ForgeIntake intake(f.t.db->path(), &hub);
    auto submit = [&](int from, int count) {
      for (int i = from; i < from + count; ++i) {
        // Every delivery twice: the second of each is a duplicate, wherever it lands.
        for (int copy = 0; copy < 2; ++copy) {
          intake.Submit(f.Make("d-" + std::to_string(i), "acme/web", 100 + i),
                        [&](const ForgeBatchResult& r) {
                          std::lock_guard<std::mutex> lock(mu);
                          done.push_back(r);
                          cv.notify_all();
                        });
        }
      }
    };
    std::thread a(submit, 0, 50), b(submit, 50, 50);
    a.join();
    b.join();
    std::unique_lock<std::mutex> lock(mu);
    BOOST_REQUIRE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return done.size() == 200; }));
  }
  int accepted = 0, duplicate = 0;
  for (const ForgeBatchResult& r : done) {
    BOOST_REQUIRE_MESSAGE(r.status.ok(), r.status.ToString());
    accepted += r.outcome.outcome == "accepted" ? 1 : 0;
    duplicate += r.outcome.outcome == "duplicate" ? 1 : 0;
  }
  BOOST_CHECK_EQUAL(accepted, 100);
  BOOST_CHECK_EQUAL(duplicate, 100);
  for (int i = 0; i < 100; ++i) BOOST_CHECK_EQUAL(f.Recorded("acme/web", 100 + i), 1u);
  BOOST_CHECK_GT(hub.version(), version);  // the workers were woken for the jobs
  f.CheckChain();
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
