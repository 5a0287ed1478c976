// Sandbox commands shared by the CLI and (later) chat: the JSON shape of a
// sandbox, and asking for one to be destroyed.
#ifndef SANDBOT_HANDLERS_SANDBOX_H_
#define SANDBOT_HANDLERS_SANDBOX_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "store/audit.h"
#include "store/db.h"
#include "store/sandboxes.h"
#include "util/status.h"

namespace sandbot {

// {"name","state","created_by","origin":{"repo","branch"},"services":[{"name",
//  "repo","branch","commit","status","url","route","port","detail"}]}
//  "main_url" (the gateway's URL, "" without one), "gateway", "health"
//  (Healthy|Degraded|Unhealthy|Suspended; per service too, with
//  "health_detail" and "restarts"), "memory_mb", "cpus"
nlohmann::json SandboxJson(const Sandbox& sandbox);
// The gateway service's URL — the sandbox's main URL, the one a mobile app
// is pointed at; "" without a gateway or before it is deployed.
std::string MainUrl(const Sandbox& sandbox);
nlohmann::json AuditJson(const AuditRow& row);

// Marks the sandbox as being destroyed and queues the job that does it, in
// one transaction. Conflict when it is already going. The caller audits.
Status RequestDestroy(Db* db, const std::string& name, const std::string& actor,
                      const std::string& source, int64_t* job_id);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_SANDBOX_H_
