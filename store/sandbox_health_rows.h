// What the health roll-up (handlers/health.h) needs of every sandbox, and
// nothing else: the sandbox's state and its services' status and last
// health verdict, and the router's. GET /metrics reads it when the store
// changed since its last scrape (sandbot_sandboxes), where ListSandboxes'
// whole rows, sorted and gathered, cost several times more: each table is
// read once in its own order, one row at a time.
#ifndef SANDBOT_STORE_SANDBOX_HEALTH_ROWS_H_
#define SANDBOT_STORE_SANDBOX_HEALTH_ROWS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "store/db.h"
#include "store/sandboxes.h"
#include "util/status.h"

namespace sandbot {

// Calls `on_sandbox(row)` for every sandbox, row having only id, state and
// router_health set, then `on_service(row)` for every service, row having
// only sandbox_id, status, health, health_checked_at and updated_at set
// (the same objects each time).
Status ScanSandboxHealthRows(Db* db, const std::function<void(const Sandbox&)>& on_sandbox,
                             const std::function<void(const Service&)>& on_service);

}  // namespace sandbot

#endif  // SANDBOT_STORE_SANDBOX_HEALTH_ROWS_H_
