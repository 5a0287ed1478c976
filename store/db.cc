#include "store/db.h"

#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <mutex>

namespace sandbot {

int64_t NowMillis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Defined in store/schema.cc: the ordered list of migrations.
int MigrationCount();
const char* MigrationSql(int version);

Db::~Db() {
  for (auto& [sql, cached] : statements_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

sqlite3_stmt* Db::TakeCached(const char* sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end() || it->second.in_use) return nullptr;
  it->second.in_use = true;
  return it->second.stmt;
}

void Db::ReturnToCache(const char* sql, sqlite3_stmt* stmt) {
  // A bound on the cache: SQL built at run time could otherwise grow it.
  constexpr size_t kMaxCached = 128;
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    if (it->second.stmt == stmt) {
      it->second.in_use = false;
    } else {
      sqlite3_finalize(stmt);  // prepared for a nested use of the same SQL
    }
    return;
  }
  // The key is the statement's own copy of its SQL, which lives as long as
  // the entry: no string is built for a lookup.
  const std::string_view own = sqlite3_sql(stmt);
  if (statements_.size() >= kMaxCached || own != sql) {
    sqlite3_finalize(stmt);
    return;
  }
  statements_.emplace(own, CachedStatement{stmt, false});
}

void Db::Discard(const char* sql, sqlite3_stmt* stmt) {
  auto it = statements_.find(sql);
  if (it != statements_.end() && it->second.stmt == stmt) statements_.erase(it);
  sqlite3_finalize(stmt);  // after the erase: the key views its SQL
}

Status Db::Open(const std::string& path, std::unique_ptr<Db>* out) {
  // Allocation statistics cost a process-wide mutex on every SQLite malloc;
  // nothing reads them. Only possible before SQLite initializes.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  sqlite3* raw = nullptr;
  // NOMUTEX: every use of the connection holds mu_ (Stmt, Transaction, Exec),
  // so SQLite's own per-call mutex would only be taken twice.
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  std::unique_ptr<Db> db(new Db(raw, path));
  if (rc != SQLITE_OK) return db->Error(rc, "cannot open the store " + path);
  sqlite3_extended_result_codes(raw, 1);
  // Several processes share the file: wait for a writer rather than failing.
  sqlite3_busy_timeout(raw, 10000);
  Status s =
      db->Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
  if (!s.ok()) return s;
  s = db->Migrate();
  if (!s.ok()) return s;
  *out = std::move(db);
  return Status::Ok();
}

void Db::DeferCheckpoints() {
  RecursiveMutexLock lock(&mu_);
  sqlite3_wal_autocheckpoint(db_, 10000);  // pages of 4 KB
}

Status Db::Checkpoint() {
  RecursiveMutexLock lock(&mu_);
  const int rc =
      sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : Error(rc, "checkpoint");
}

Status Db::Error(int rc, const std::string& what) {
  std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Status::Unavailable(what + ": the disk holding " + path_ +
                                 " is full; free some space and retry (nothing was recorded)");
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return Status::Unavailable(what + ": " + detail + " — check that the data folder of " +
                                 path_ + " exists and is writable by this user");
    case SQLITE_IOERR:
      return Status::Unavailable(what + ": I/O error on " + path_ + " (" + detail +
                                 "); the disk may be full or failing");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(what + ": the store is busy (" + detail + "); retry");
    case SQLITE_CONSTRAINT: return Status::Conflict(what + ": " + detail);
    default: return Status::Internal(what + ": " + detail);
  }
}

Status Db::Exec(const std::string& sql) {
  RecursiveMutexLock lock(&mu_);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) return Error(rc, "store");
  return Status::Ok();
}

int64_t Db::LastInsertId() { return sqlite3_last_insert_rowid(db_); }
int Db::Changes() { return sqlite3_changes(db_); }

int Db::SchemaVersion() {
  Stmt st(this, "PRAGMA user_version");
  return st.Step() ? static_cast<int>(st.Int(0)) : -1;
}

Status Db::Migrate() {
  RecursiveMutexLock lock(&mu_);
  // A migration that rebuilds a table (SQLite cannot alter a CHECK) drops
  // the old one; with foreign keys on, that would cascade into its children.
  // Checked by hand before each commit instead. The pragma is a no-op inside
  // a transaction, so it is set here.
  Status off = Exec("PRAGMA foreign_keys=OFF");
  if (!off.ok()) return off;
  Status s = MigrateSteps();
  Status on = Exec("PRAGMA foreign_keys=ON");
  return s.ok() ? on : s;
}

Status Db::MigrateSteps() {
  for (;;) {
    Transaction tx(this);
    if (!tx.status().ok()) return tx.status();
    // Read the version inside the transaction: another process may have
    // migrated between our open and our BEGIN.
    int version = SchemaVersion();
    if (version < 0) return Status::Internal("cannot read the store's schema version");
    if (version > MigrationCount()) {
      return Status::Unavailable("the store " + path_ + " has schema version " +
                                 std::to_string(version) +
                                 ", newer than this sandbot knows; upgrade sandbot");
    }
    if (version == MigrationCount()) return Status::Ok();
    Status s = Exec(MigrationSql(version + 1));
    if (!s.ok()) return s;
    {
      Stmt check(this, "PRAGMA foreign_key_check");
      if (check.Step()) {
        return Status::Internal("store migration " + std::to_string(version + 1) +
                                " would break a reference in table " + check.Text(0) +
                                "; nothing was changed");
      }
    }
    s = Exec("PRAGMA user_version=" + std::to_string(version + 1));
    if (!s.ok()) return s;
    s = tx.Commit();
    if (!s.ok()) return s;
  }
}

Stmt::Stmt(Db* db, const char* sql) : db_(db), lock_(&db->mutex()) {
  stmt_ = db->TakeCached(sql);
  if (stmt_) return;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db->handle(), sql, -1, &stmt_, &tail);
  if (rc != SQLITE_OK) {
    status_ = db->Error(rc, "store: prepare");
  } else if (tail && tail[std::strspn(tail, " \t\n;")] != '\0') {
    // The rest would be silently ignored, and the cache keys on the first.
    status_ = Status::Internal("store: one SQL statement per Stmt");
  }
}

// The statement's own copy of its SQL is the cache key: the caller's text
// may be gone by now (it need not outlive the Stmt).
Stmt::~Stmt() {
  if (stmt_ && status_.ok()) {
    db_->ReturnToCache(sqlite3_sql(stmt_), stmt_);
  } else if (stmt_) {
    db_->Discard(sqlite3_sql(stmt_), stmt_);  // after an error, start afresh next time
  }
}

Stmt& Stmt::Bind(int index, int64_t value) {
  if (stmt_) sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Stmt& Stmt::Bind(int index, double value) {
  if (stmt_) sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Stmt& Stmt::Bind(int index, const std::string& value) {
  if (stmt_)
    sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  if (stmt_) sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Stmt::Step() {
  if (!stmt_ || done_ || !status_.ok()) return false;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  done_ = true;
  if (rc != SQLITE_DONE) status_ = db_->Error(rc, "store");
  return false;
}

Status Stmt::Run() {
  while (Step()) {
  }
  return status_;
}

int64_t Stmt::Int(int col) { return sqlite3_column_int64(stmt_, col); }

double Stmt::Double(int col) { return sqlite3_column_double(stmt_, col); }

std::string Stmt::Text(int col) {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}

bool Stmt::IsNull(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

// Inside another transaction a Transaction becomes a savepoint, so store
// functions that need atomicity compose: the outermost one decides.
bool Db::InTransaction() { return sqlite3_get_autocommit(db_) == 0; }

// Transaction control runs as cached statements (store/db.h's cache), not
// through Exec: a delivery of the forge door opens and releases two
// savepoints, and parsing their SQL each time cost more than running it.
Transaction::Transaction(Db* db)
    : db_(db), lock_(&db->mutex()), nested_(sqlite3_get_autocommit(db->handle()) == 0) {
  status_ = Stmt(db_, nested_ ? "SAVEPOINT nested" : "BEGIN IMMEDIATE").Run();
  open_ = status_.ok();
}

Transaction::~Transaction() {
  if (!open_) return;
  // Ignored: a destructor has no one to tell, and this is already the error
  // path (the caller returned the failure that skipped Commit). A rollback
  // fails only on a broken connection, which the next statement reports.
  if (nested_) {
    Status s = Stmt(db_, "ROLLBACK TO nested").Run();
    if (s.ok()) s = Stmt(db_, "RELEASE nested").Run();
    (void)s;
  } else {
    Status s = Stmt(db_, "ROLLBACK").Run();
    (void)s;
  }
}

Status Transaction::Commit() {
  if (!open_) return status_.ok() ? Status::Internal("transaction already ended") : status_;
  Status s = Stmt(db_, nested_ ? "RELEASE nested" : "COMMIT").Run();
  if (s.ok()) open_ = false;
  return s;
}

ReadSnapshot::ReadSnapshot(Db* db) : db_(db), lock_(&db->mutex()) {
  if (sqlite3_get_autocommit(db->handle()) == 0) return;  // already in one
  // A failed BEGIN leaves each statement its own transaction, as before.
  open_ = Stmt(db, "BEGIN").Run().ok();
}

ReadSnapshot::~ReadSnapshot() {
  if (!open_) return;
  // Ignored: only reads ran, so a COMMIT has nothing to lose, and a
  // destructor has no one to tell.
  Status s = Stmt(db_, "COMMIT").Run();
  (void)s;
}

}  // namespace sandbot
