// Baselines: each known service's shared-environment URL (what the seeds
// call OCP or staging). Set from chat with `/baseline set`, or in the
// configuration file, whose entries are written here at start unless chat
// has changed that service since (a chat change survives restarts).
#ifndef SANDBOT_STORE_BASELINES_H_
#define SANDBOT_STORE_BASELINES_H_

#include <map>
#include <string>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// `set_by` is the actor, or "config" for the configuration file's entries.
Status SetBaseline(Db* db, const std::string& service, const std::string& url,
                   const std::string& set_by);
// NotFound when SERVICE has none.
Status UnsetBaseline(Db* db, const std::string& service);
// service → URL.
Status LoadBaselines(Db* db, std::map<std::string, std::string>* baselines);
// The configuration file's baselines: written unless chat set that service.
Status SeedBaselines(Db* db, const std::map<std::string, std::string>& from_config);

}  // namespace sandbot

#endif  // SANDBOT_STORE_BASELINES_H_
