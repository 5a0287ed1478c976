// `sandbot sandbox move NAME --to ENGINE`: rebuilds a sandbox on another
// engine. In one transaction the sandbox's store row names the new engine
// and every deployed service gets a deploy job of the commit it runs
// (same branch; routes, environment and limits are the store's, so they
// follow). The jobs run through the new engine (bot/engine_registry.h);
// the old engine's reconciler then removes the containers and network it
// still holds there as orphans (the sandbox's files, shared, stay).
// Its named volumes are marked to be copied from the engine it left when
// the first deploy on the new one mounts them (bot/volume_data.h: streamed
// through a tar file on disk); their old copies stay on the old engine.
#ifndef SANDBOT_BOT_SANDBOX_MOVE_H_
#define SANDBOT_BOT_SANDBOX_MOVE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct MoveRequest {
  std::string sandbox;
  std::string to;     // a configured engine (the caller checked)
  std::string actor;  // for the jobs and the audit row
  bool to_reachable = true;
  bool to_drained = false;
};

// Refuses (with what to do) a sandbox that is not active, has a job queued
// or running, or is on `to` already, and an engine that is drained or down.
// *jobs: the deploy jobs queued; *from: the engine it left;
// *volumes_copied (when given): the named volumes that follow it.
Status MoveSandbox(Db* db, const MoveRequest& request, std::string* from,
                   std::vector<int64_t>* jobs, int* volumes_copied = nullptr);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SANDBOX_MOVE_H_
