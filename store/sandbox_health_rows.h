// What the health roll-up (handlers/health.h) needs of every sandbox, and
// nothing else: the sandbox's state and its services' status and last
// health verdict. GET /metrics reads it at each scrape (sandbot_sandboxes),
// where ListSandboxes' whole rows would cost several times more.
#ifndef SANDBOT_STORE_SANDBOX_HEALTH_ROWS_H_
#define SANDBOT_STORE_SANDBOX_HEALTH_ROWS_H_

#include <vector>

#include "store/db.h"
#include "store/sandboxes.h"
#include "util/status.h"

namespace sandbot {

// Every sandbox, by id, with only id and state set, and its services with
// only sandbox_id, status, health, health_checked_at and updated_at set.
Status ListSandboxHealthRows(Db* db, std::vector<Sandbox>* sandboxes);

}  // namespace sandbot

#endif  // SANDBOT_STORE_SANDBOX_HEALTH_ROWS_H_
