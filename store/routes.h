// Routes: per sandbox and service, an explicit choice of where {SERVICE}_URL
// points — "sandbox", "baseline" or a URL. Without a row the default applies:
// the sandbox's own container when the service is deployed there, else the
// baseline.
#ifndef SANDBOT_STORE_ROUTES_H_
#define SANDBOT_STORE_ROUTES_H_

#include <cstdint>
#include <map>
#include <string>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

Status SetRoute(Db* db, int64_t sandbox_id, const std::string& service, const std::string& target);
// service → target for the explicit routes of a sandbox.
Status GetRoutes(Db* db, int64_t sandbox_id, std::map<std::string, std::string>* routes);
// Every sandbox's explicit routes, by sandbox id, in one query.
Status GetAllRoutes(Db* db, std::map<int64_t, std::map<std::string, std::string>>* routes);

}  // namespace sandbot

#endif  // SANDBOT_STORE_ROUTES_H_
