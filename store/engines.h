// Where sandboxes live when sandbot drives several engines: the engine
// column of each sandbox ("": not placed yet; its first job places it, see
// bot/engine_registry.h) and the engines drained of new sandboxes.
#ifndef SANDBOT_STORE_ENGINES_H_
#define SANDBOT_STORE_ENGINES_H_

#include <map>
#include <set>
#include <string>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// Puts sandbox `name` on `engine` unless it is already placed: *placed says
// whether this call did it (a sandbox is placed once, whoever asks first).
// NotFound when there is no such sandbox.
Status PlaceSandbox(Db* db, const std::string& name, const std::string& engine, bool* placed);
// Moves a placed sandbox to `engine` (sandbox move). NotFound.
Status SetSandboxEngine(Db* db, const std::string& name, const std::string& engine);
// The engine of sandbox `name` ("": not placed). NotFound.
Status GetSandboxEngine(Db* db, const std::string& name, std::string* engine);
// Every sandbox's engine, by sandbox name.
Status ListSandboxEngines(Db* db, std::map<std::string, std::string>* out);
// Per engine: how many service rows its sandboxes hold that are not being
// destroyed (the containers it runs or is about to). Unplaced sandboxes
// count under "".
Status CountEngineServices(Db* db, std::map<std::string, int>* out);
// Per engine: how many sandboxes live there.
Status CountEngineSandboxes(Db* db, std::map<std::string, int>* out);
// Rows from before several engines (engine "") whose services ever had a
// container live on the one engine there was: `engine`. Unplaced sandboxes
// that never ran anything are left for placement. *adopted counts them.
Status AdoptDeployedSandboxes(Db* db, const std::string& engine, int* adopted);

// `sandbot engine drain NAME` / `undrain NAME`.
Status SetEngineDrained(Db* db, const std::string& engine, bool drained, const std::string& by);
Status ListDrainedEngines(Db* db, std::set<std::string>* out);

}  // namespace sandbot

#endif  // SANDBOT_STORE_ENGINES_H_
