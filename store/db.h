// Db: one SQLite connection of a sandbot process, plus the small helpers
// every table file uses (statements, transactions, error mapping).
//
// The store is a single file, {data}/sandbot.db, in WAL mode with foreign keys
// on and a busy timeout, so the daemon, the hook and CLI commands may all open
// it at once (the daemon itself opens one more for each HTTP event loop). Schema changes are
// numbered migrations (store/schema.cc) recorded in PRAGMA user_version.
//
// Thread-safety: every Stmt and Transaction holds the connection's recursive
// mutex for its lifetime, so a Transaction groups several statements
// atomically with respect to other threads of this process; other processes
// are kept out by BEGIN IMMEDIATE.
#ifndef SANDBOT_STORE_DB_H_
#define SANDBOT_STORE_DB_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "util/mutex.h"
#include "util/status.h"
#include "util/thread_annotations.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sandbot {

// Milliseconds since the epoch; every time column in the store uses it.
int64_t NowMillis();

class Db {
 public:
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Opens (creating if needed) the database at `path` and migrates it to the
  // newest schema.
  static Status Open(const std::string& path, std::unique_ptr<Db>* out);

  // Runs SQL without results (several statements allowed).
  Status Exec(const std::string& sql);
  int64_t LastInsertId();
  int Changes();
  int SchemaVersion();

  // Maps an SQLite result code to a Status whose message says what to do
  // (a full disk, a read-only data folder, a locked database…).
  Status Error(int rc, const std::string& what);

  sqlite3* handle() { return db_; }
  // Whether a transaction is open on this connection (SQLite ends one by
  // itself on some errors: a full disk, an I/O error).
  bool InTransaction();

  // This connection's commits no longer checkpoint the write-ahead log
  // (unless it grows past 40 MB, when nothing else did): a WalCheckpointer
  // (store/checkpointer.h) does it off the request path.
  void DeferCheckpoints();
  // A PASSIVE checkpoint: what no reader still needs goes into the database.
  Status Checkpoint();

  // Prepared statements are kept for reuse (parsing SQL costs more than
  // running most of these queries). REQUIRES: the mutex is held.
  sqlite3_stmt* TakeCached(const char* sql) REQUIRES(mu_);
  // Gives `stmt` (reset) back to the cache, or finalizes it.
  void ReturnToCache(const char* sql, sqlite3_stmt* stmt) REQUIRES(mu_);
  // Finalizes `stmt`, first taking it out of the cache if it is there.
  void Discard(const char* sql, sqlite3_stmt* stmt) REQUIRES(mu_);
  // The connection's lock: Stmt, Transaction and ReadSnapshot hold it. It is
  // recursive (a Stmt runs inside a Transaction), which clang's analysis
  // does not model: only the statement cache is checked against it.
  RecursiveMutex& mutex() RETURN_CAPABILITY(mu_) { return mu_; }
  const std::string& path() const { return path_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  Status Migrate();
  Status MigrateSteps();  // the migrations, foreign keys off

  sqlite3* db_;
  std::string path_;
  RecursiveMutex mu_;
  // Prepared statements by SQL text, kept for the connection's life. One in
  // use is marked so, and a query nested in another of the same text
  // prepares its own (finalized when it is done).
  struct CachedStatement {
    sqlite3_stmt* stmt;
    bool in_use;
  };
  std::unordered_map<std::string_view, CachedStatement> statements_ GUARDED_BY(mu_);
};

// One prepared statement. Bind with 1-based indexes, then Step() until it
// returns false; status() tells whether the loop ended by error.
class Stmt {
 public:
  Stmt(Db* db, const char* sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Stmt& Bind(int index, double value);
  Stmt& Bind(int index, const std::string& value);
  Stmt& Bind(int index, const char* value) { return Bind(index, std::string(value)); }
  Stmt& BindNull(int index);

  // True while a row is available.
  bool Step();
  // Runs a statement that returns no rows.
  Status Run();

  int64_t Int(int col);
  double Double(int col);
  std::string Text(int col);
  bool IsNull(int col);

  const Status& status() const { return status_; }

 private:
  Db* db_;
  RecursiveMutexLock lock_;
  sqlite3_stmt* stmt_ = nullptr;
  Status status_;
  bool done_ = false;
};

// BEGIN IMMEDIATE … COMMIT, rolled back unless Commit() succeeds. Nested
// inside another Transaction it is a SAVEPOINT.
class Transaction {
 public:
  explicit Transaction(Db* db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const Status& status() const { return status_; }  // of BEGIN
  Status Commit();

 private:
  Db* db_;
  RecursiveMutexLock lock_;
  bool nested_;
  Status status_;
  bool open_ = false;
};

// BEGIN … COMMIT around a group of reads: every statement sees the same
// committed state, and SQLite takes its read lock once instead of once per
// statement. Nothing may write inside it: a deferred transaction that starts
// writing fails when another process committed meanwhile. Inside another
// transaction it adds nothing.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Db* db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  Db* db_;
  RecursiveMutexLock lock_;
  bool open_ = false;
};

}  // namespace sandbot

#endif  // SANDBOT_STORE_DB_H_
