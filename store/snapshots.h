// Snapshots: a sandbox's services (repo, branch, commit), explicit routes,
// environment attachments and gateway, recorded under a name as JSON in the
// snapshots table, for `/sandbox restore`. The same capture and apply copy a
// sandbox's settings for `/sandbox clone`.
//
// Body: {"services":[{"name","repo","branch","commit"}],
//        "routes":{"SERVICE":"sandbox|baseline|URL"},
//        "envs":[{"env":"NAME","service":""}], "gateway":"SERVICE",
//        "volumes":[{"volume","engine_volume","origin"}], "with_data":true}
// With "with_data" each volume's content was copied too, into the seed
// SnapshotSeedName(sandbox id, snapshot, volume) (store/seeds.h).
#ifndef SANDBOT_STORE_SNAPSHOTS_H_
#define SANDBOT_STORE_SNAPSHOTS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "store/db.h"
#include "store/sandboxes.h"
#include "util/status.h"

namespace sandbot {

struct SnapshotService {
  std::string name;
  std::string repo;
  std::string branch;
  std::string commit;
};

struct SnapshotEnv {
  std::string env;      // environment name
  std::string service;  // "" = every service of the sandbox
};

// A named volume the sandbox had, recorded; its content too with
// `--with-data` (SnapshotData::with_data).
struct SnapshotVolume {
  std::string volume;
  std::string engine_volume;
  std::string origin;  // store/seeds.h: "seed:NAME@GEN", "sandbox:…", "empty"
};

struct SnapshotData {
  std::vector<SnapshotService> services;
  std::map<std::string, std::string> routes;  // explicit routes only
  std::vector<SnapshotEnv> envs;              // in attachment order (the last one wins)
  std::string gateway;
  std::vector<SnapshotVolume> volumes;
  bool with_data = false;  // each volume's content copied into a seed of the snapshot's
};

std::string SnapshotToJson(const SnapshotData& data);
// InvalidArgument when `json` is not a snapshot body.
Status SnapshotFromJson(const std::string& json, SnapshotData* data);

// What `sandbox` is now (services as recorded in the store, with routes and
// environment attachments read from it).
Status CaptureSnapshot(Db* db, const Sandbox& sandbox, SnapshotData* data);
// Conflict when the sandbox already has a snapshot of that name.
Status SaveSnapshot(Db* db, int64_t sandbox_id, const std::string& name, const std::string& body,
                    const std::string& by);
// NotFound listing the sandbox's snapshots when there is no such one.
Status LoadSnapshot(Db* db, const Sandbox& sandbox, const std::string& name, SnapshotData* data);
Status ListSnapshotNames(Db* db, int64_t sandbox_id, std::vector<std::string>* names);
// Replaces the sandbox's explicit routes, environment attachments and gateway
// with `data`'s. NotFound when a recorded environment no longer exists.
Status ApplySnapshotSettings(Db* db, int64_t sandbox_id, const SnapshotData& data,
                             const std::string& actor);

}  // namespace sandbot

#endif  // SANDBOT_STORE_SNAPSHOTS_H_
