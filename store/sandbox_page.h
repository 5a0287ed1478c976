// One page of sandboxes for the dashboard and the chat list, filtered,
// counted and paged in SQL (implemented in store/sandboxes.cc beside the
// other sandbox readers).
#ifndef SANDBOT_STORE_SANDBOX_PAGE_H_
#define SANDBOT_STORE_SANDBOX_PAGE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "store/sandboxes.h"
#include "util/status.h"

namespace sandbot {

// One page of sandboxes, filtered and counted in SQL (the dashboard and the
// chat list: with 1,000 sandboxes a page reads 50 rows and their services,
// not all of them).
struct SandboxQuery {
  std::string owner;  // a substring of created_by; "": anyone
  std::string repo;   // the origin repo or any service's repo; "": any
  std::string state;  // "active", "suspended"; "": any
  // Only these sandbox ids (a filter the store cannot compute, e.g. health);
  // null: no such limit.
  const std::vector<int64_t>* ids = nullptr;
  bool newest_first = true;  // else by name
  int limit = 50;            // <= 0: all
  int offset = 0;
};
// The page (with services, ordered by name) and how many match in all.
Status ListSandboxPage(Db* db, const SandboxQuery& query, std::vector<Sandbox>* page,
                       int64_t* total);

}  // namespace sandbot

#endif  // SANDBOT_STORE_SANDBOX_PAGE_H_
