// Audit: the append-only record of who did what, from where, to which
// sandbox, repo, branch and commit, and how it ended.
#ifndef SANDBOT_STORE_AUDIT_H_
#define SANDBOT_STORE_AUDIT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"
#include "store/db.h"

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
};

Status AppendAudit(Db* db, const AuditRow& row);
// Newest last. An empty `sandbox` means every row; `limit` <= 0 means all.
Status ListAudit(Db* db, const std::string& sandbox, int limit, std::vector<AuditRow>* rows);

}  // namespace sandbot

#endif  // SANDBOT_STORE_AUDIT_H_
