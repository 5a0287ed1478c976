// The audit trail's hash chain, its archives and their verification
// (store/audit.h): an edited, removed or inserted row is found, in the store
// or in an archive, and archiving loses nothing.
#define BOOST_TEST_DYN_LINK
#include "store/audit.h"

#include <sys/stat.h>
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "store/audit_page.h"
#include "tests/unit/test_util.h"

namespace sandbot {
namespace {

AuditRow Row(const std::string& action, int64_t time = 0) {
  AuditRow r{};
  r.actor = "cli:1000";
  r.source = "cli";
  r.action = action;
  r.sandbox = "qa";
  r.status = "accepted";
  r.time = time;
  return r;
}

// Rows as an attacker with write access to the file would change them.
void Tamper(Db* db, const std::string& sql) {
  BOOST_REQUIRE(
      db->Exec("DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete")
          .ok());
  BOOST_REQUIRE(db->Exec(sql).ok());
}

AuditChainReport Verify(TestStore& t, const std::string& archives = "") {
  AuditChainReport report;
  BOOST_REQUIRE(
      VerifyAuditChain(t.db.get(), archives.empty() ? t.dir.path() + "/none" : archives, &report)
          .ok());
  return report;
}

BOOST_AUTO_TEST_SUITE(audit)

BOOST_AUTO_TEST_CASE(each_row_chains_to_the_one_before) {
  TestStore t;
  for (int i = 0; i < 5; ++i)
    BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a" + std::to_string(i))).ok());
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "", 0, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 5u);
  std::string previous;
  for (const AuditRow& r : rows) {
    BOOST_CHECK_EQUAL(r.hash.size(), 64u);
    BOOST_CHECK_EQUAL(r.hash, AuditRowHash(previous, r));
    previous = r.hash;
  }
  AuditChainReport report = Verify(t);
  BOOST_CHECK(report.whole);
  BOOST_CHECK_EQUAL(report.rows, 5);
  BOOST_CHECK_EQUAL(report.last_hash, rows.back().hash);
}

BOOST_AUTO_TEST_CASE(the_hash_covers_every_field_and_the_id) {
  AuditRow r = Row("push", 1700000000000);
  r.id = 7;
  const std::string h = AuditRowHash("", r);
  AuditRow other = r;
  other.id = 8;
  BOOST_CHECK_NE(AuditRowHash("", other), h);
  for (std::string AuditRow::*f :
       {&AuditRow::actor, &AuditRow::source, &AuditRow::action, &AuditRow::sandbox, &AuditRow::repo,
        &AuditRow::branch, &AuditRow::commit, &AuditRow::status, &AuditRow::detail}) {
    other = r;
    other.*f += "x";
    BOOST_CHECK_NE(AuditRowHash("", other), h);
  }
  // Fields are length-prefixed: moving a byte from one to the next changes it.
  other = r;
  other.actor = "cli:100";
  other.source = "0cli";
  BOOST_CHECK_NE(AuditRowHash("", other), h);
  BOOST_CHECK_NE(AuditRowHash("x", r), h);
}

BOOST_AUTO_TEST_CASE(an_edited_removed_or_inserted_row_breaks_the_chain_there) {
  {
    TestStore t;
    for (int i = 0; i < 4; ++i) BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a")).ok());
    Tamper(t.db.get(), "UPDATE audit SET actor = 'slack:T1/U-admin' WHERE id = 2");
    AuditChainReport report = Verify(t);
    BOOST_CHECK(!report.whole);
    BOOST_CHECK_EQUAL(report.broken_at, 2);
  }
  {
    TestStore t;
    for (int i = 0; i < 4; ++i) BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a")).ok());
    Tamper(t.db.get(), "DELETE FROM audit WHERE id = 2");
    AuditChainReport report = Verify(t);
    BOOST_CHECK(!report.whole);
    BOOST_CHECK_EQUAL(report.broken_at, 3);
  }
  {
    TestStore t;
    for (int i = 0; i < 2; ++i) BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a")).ok());
    // A forged row with a hash computed as if it belonged: the next row no
    // longer follows it.
    BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a")).ok());
    Tamper(t.db.get(), "DELETE FROM audit WHERE id = 3");
    BOOST_REQUIRE(AppendAudit(t.db.get(), Row("b")).ok());  // id 3 again, chained to row 2
    BOOST_CHECK(Verify(t).whole);  // removing the newest is undetectable…
    Tamper(t.db.get(),
           "INSERT INTO audit(id, time, actor, source, action, hash) "
           "VALUES(0, 1, 'mallory', 'cli', 'forged', 'ff')");
    AuditChainReport report = Verify(t);
    BOOST_CHECK(!report.whole);  // …but an inserted one is found
    BOOST_CHECK_EQUAL(report.broken_at, 0);
  }
}

BOOST_AUTO_TEST_CASE(rows_from_before_the_chain_are_sealed_at_the_next_write) {
  TestStore t;
  // As an older sandbot wrote them: no hash.
  BOOST_REQUIRE(t.db->Exec("INSERT INTO audit(time, actor, source, action) VALUES(1, 'ana', 'cli', "
                           "'push'), (2, 'bob', 'git', 'deploy')")
                    .ok());
  BOOST_CHECK(Verify(t).whole);
  BOOST_REQUIRE(AppendAudit(t.db.get(), Row("sandbox.create")).ok());
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "", 0, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 3u);
  for (const AuditRow& r : rows) BOOST_CHECK_EQUAL(r.hash.size(), 64u);
  BOOST_CHECK(Verify(t).whole);
  // Sealing is the only update allowed: a sealed row stays as it is.
  BOOST_CHECK(!t.db->Exec("UPDATE audit SET hash = 'x' WHERE id = 1").ok());
  BOOST_CHECK(!t.db->Exec("UPDATE audit SET actor = 'x' WHERE id = 1").ok());
  BOOST_CHECK(!t.db->Exec("DELETE FROM audit WHERE id = 1").ok());
}

BOOST_AUTO_TEST_CASE(archiving_moves_old_rows_to_a_file_and_the_chain_goes_on) {
  TestStore t;
  const std::string dir = t.dir.path() + "/audit-archive";
  for (int i = 1; i <= 6; ++i) {
    BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a" + std::to_string(i), i * 1000)).ok());
  }
  int64_t archived = 0;
  std::string file;
  BOOST_REQUIRE(ArchiveAudit(t.db.get(), 4500, dir, &archived, &file).ok());
  BOOST_CHECK_EQUAL(archived, 4);
  BOOST_CHECK_EQUAL(file, dir + "/audit-1-4.jsonl.gz");
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "", 0, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 2u);
  BOOST_CHECK_EQUAL(rows[0].id, 5);
  // Nothing to archive: nothing happens.
  BOOST_REQUIRE(ArchiveAudit(t.db.get(), 4500, dir, &archived, &file).ok());
  BOOST_CHECK_EQUAL(archived, 0);
  // New rows continue the chain and the numbering.
  BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a7", 7000)).ok());
  AuditChainReport report = Verify(t, dir);
  BOOST_CHECK_MESSAGE(report.whole, report.problem);
  BOOST_CHECK_EQUAL(report.archives, 1);
  BOOST_CHECK_EQUAL(report.rows, 7);
  // A second archive follows the first.
  BOOST_REQUIRE(ArchiveAudit(t.db.get(), 6500, dir, &archived, &file).ok());
  BOOST_CHECK_EQUAL(archived, 2);
  report = Verify(t, dir);
  BOOST_CHECK_MESSAGE(report.whole, report.problem);
  BOOST_CHECK_EQUAL(report.archives, 2);
  BOOST_CHECK_EQUAL(report.rows, 7);
  // Emptied by archiving, the next row still gets the next id.
  BOOST_REQUIRE(ArchiveAudit(t.db.get(), 99999, dir, &archived, &file).ok());
  BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a8", 100000)).ok());
  rows.clear();
  BOOST_REQUIRE(ListAudit(t.db.get(), "", 0, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  BOOST_CHECK_EQUAL(rows[0].id, 8);
  report = Verify(t, dir);
  BOOST_CHECK_MESSAGE(report.whole, report.problem);
  BOOST_CHECK_EQUAL(report.rows, 8);
}

BOOST_AUTO_TEST_CASE(a_changed_archive_is_found) {
  TestStore t;
  const std::string dir = t.dir.path() + "/audit-archive";
  for (int i = 1; i <= 3; ++i) BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a", i)).ok());
  int64_t archived = 0;
  std::string file;
  BOOST_REQUIRE(ArchiveAudit(t.db.get(), 10, dir, &archived, &file).ok());
  // Rewrite the archive with one row's actor changed.
  std::string text;
  {
    gzFile in = gzopen(file.c_str(), "rb");
    char buffer[4096];
    int n;
    while ((n = gzread(in, buffer, sizeof buffer)) > 0) text.append(buffer, n);
    gzclose(in);
  }
  const size_t at = text.find("cli:1000");
  BOOST_REQUIRE(at != std::string::npos);
  text.replace(at, 8, "cli:0000");
  gzFile out = gzopen(file.c_str(), "wb");
  gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
  gzclose(out);
  AuditChainReport report = Verify(t, dir);
  BOOST_CHECK(!report.whole);
  BOOST_CHECK_EQUAL(report.broken_at, 1);
}

BOOST_AUTO_TEST_CASE(an_archive_that_cannot_be_written_deletes_nothing) {
  TestStore t;
  for (int i = 1; i <= 3; ++i) BOOST_REQUIRE(AppendAudit(t.db.get(), Row("a", i)).ok());
  // A file where the folder should be.
  const std::string dir = t.dir.path() + "/blocked";
  std::ofstream(dir) << "x";
  int64_t archived = 0;
  std::string file;
  Status s = ArchiveAudit(t.db.get(), 10, dir, &archived, &file);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK(s.message().find("nothing was deleted") != std::string::npos);
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(t.db.get(), "", 0, &rows).ok());
  BOOST_CHECK_EQUAL(rows.size(), 3u);
  BOOST_CHECK(Verify(t).whole);
}

BOOST_AUTO_TEST_CASE(a_page_of_the_trail_is_filtered_and_paged_newest_first) {
  TestStore t;
  for (int i = 0; i < 7; ++i) {
    AuditRow r = Row(i % 2 ? "route.set" : "deploy", 1000 + i);
    r.actor = i < 5 ? "ana (slack:T1/U1)" : "cli:1000";
    r.sandbox = i < 6 ? "qa" : "other";
    BOOST_REQUIRE(AppendAudit(t.db.get(), r).ok());
  }
  std::vector<AuditRow> rows;
  bool more = false;
  AuditQuery q;
  q.limit = 3;
  BOOST_REQUIRE(ListAuditPage(t.db.get(), q, &rows, &more).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 3u);
  BOOST_CHECK(more);
  BOOST_CHECK_EQUAL(rows[0].time, 1006);  // newest first
  q.offset = 6;
  BOOST_REQUIRE(ListAuditPage(t.db.get(), q, &rows, &more).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  BOOST_CHECK(!more);
  // Sandbox exactly, actor by substring, action by prefix, time [from, to).
  q = AuditQuery();
  q.sandbox = "qa";
  q.actor = "slack:T1";
  q.action = "route";
  q.from_ms = 1001;
  q.to_ms = 1005;
  BOOST_REQUIRE(ListAuditPage(t.db.get(), q, &rows, &more).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 2u);
  BOOST_CHECK_EQUAL(rows[0].time, 1003);
  BOOST_CHECK_EQUAL(rows[1].time, 1001);
  // '%' and '_' are characters, not wildcards.
  q = AuditQuery();
  q.action = "route%";
  BOOST_REQUIRE(ListAuditPage(t.db.get(), q, &rows, &more).ok());
  BOOST_CHECK(rows.empty());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
