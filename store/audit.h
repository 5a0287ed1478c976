// Audit: the append-only record of who did what, from where, to which
// sandbox, repo, branch and commit, and how it ended.
//
// Tamper-evident: each row carries `hash`, the SHA-256 (hex) of the previous
// row's hash and this row's id and fields, so an edited, inserted or deleted
// row breaks the chain from there on (VerifyAuditChain). Old rows leave the
// store only through ArchiveAudit, which writes them to a compressed file
// (with the chain's hashes) before deleting them, and records the last
// archived hash where the chain goes on.
#ifndef SANDBOT_STORE_AUDIT_H_
#define SANDBOT_STORE_AUDIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct AuditRow {
  int64_t id = 0;
  int64_t time = 0;    // ms since epoch; set by AppendAudit when 0
  std::string actor;   // pushing user, chat user, or OS user
  std::string source;  // git, cli, chat, daemon
  std::string action;  // push, deploy, destroy, repo.add, …
  std::string sandbox;
  std::string repo;
  std::string branch;
  std::string commit;
  std::string status;  // accepted, succeeded, failed, refused, …
  std::string detail;
  std::string hash;  // set by AppendAudit
};

Status AppendAudit(Db* db, const AuditRow& row);
// Newest last. An empty `sandbox` means every row; `limit` <= 0 means all.
Status ListAudit(Db* db, const std::string& sandbox, int limit, std::vector<AuditRow>* rows);

// The chain hash of `row` (its id and fields) after `previous_hash`.
std::string AuditRowHash(const std::string& previous_hash, const AuditRow& row);

struct AuditChainReport {
  int64_t rows = 0;       // rows checked (archives and store)
  int64_t archives = 0;   // archive files checked
  std::string last_hash;  // where the chain ends now
  bool whole = true;
  int64_t broken_at = 0;  // the first row id that does not follow
  std::string problem;    // what is wrong there, for a person
};

// Recomputes the chain: through each archive file named in `archive_dir`
// (oldest first), then the store's rows from where the last archive ended.
Status VerifyAuditChain(Db* db, const std::string& archive_dir, AuditChainReport* report);

// Moves the rows older than `before_ms` (a run from the oldest) to
// {archive_dir}/audit-{first id}-{last id}.jsonl.gz: one JSON object a row,
// then a trailer {"sandbot_audit_archive":1,"first_id","last_id",
// "previous_hash","last_hash"}. The file is written and synced before the
// rows are deleted, in one transaction with the chain's new start; a
// failure deletes nothing. *archived: how many rows moved; *file: the path.
Status ArchiveAudit(Db* db, int64_t before_ms, const std::string& archive_dir, int64_t* archived,
                    std::string* file);

}  // namespace sandbot

#endif  // SANDBOT_STORE_AUDIT_H_
