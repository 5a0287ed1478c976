// One page of the audit trail for the dashboard, filtered and paged in SQL
// (implemented in store/audit.cc beside the other audit readers).
#ifndef SANDBOT_STORE_AUDIT_PAGE_H_
#define SANDBOT_STORE_AUDIT_PAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/audit.h"
#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// One page of the trail, newest first, filtered in SQL (the dashboard).
struct AuditQuery {
  std::string sandbox;  // exactly; "": any
  std::string actor;    // a substring; "": any
  std::string action;   // a prefix ("route" matches route.set); "": any
  int64_t from_ms = 0;  // time >= from_ms; 0: no bound
  int64_t to_ms = 0;    // time < to_ms; 0: no bound
  int limit = 100;
  int offset = 0;
};
// *more: whether rows match past this page.
Status ListAuditPage(Db* db, const AuditQuery& query, std::vector<AuditRow>* rows, bool* more);

}  // namespace sandbot

#endif  // SANDBOT_STORE_AUDIT_PAGE_H_
