// Seeds: named, immutable copies of a volume's content (`sandbot seed`),
// each generation held by an engine volume (SeedVolumeName); and the named
// volumes of each sandbox, with where their content came from. A seed row
// is written by the seed commands in state "copying"; the seed worker
// (bot/seed_worker.h) makes the generation's volume and marks it ready or
// failed. A refresh makes a new generation; sandboxes keep their copies.
#ifndef SANDBOT_STORE_SEEDS_H_
#define SANDBOT_STORE_SEEDS_H_

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

inline constexpr char kSeedFromVolume[] = "volume";  // source: "SANDBOX SERVICE:VOLUME"
inline constexpr char kSeedFromFile[] = "file";      // source: the tar file's absolute path

struct Seed {
  std::string name;
  int64_t generation = 0;  // of the ready content; the one being copied while "copying"
  std::string volume;      // engine volume of the ready generation; "" before the first
  std::string source_kind;
  std::string source;
  std::string image;  // helper image for copies; "": the configured one
  std::string state;  // copying, ready, failed
  std::string detail;
  std::string created_by;
  int64_t created_at = 0;
  int64_t refreshed_at = 0;
  int64_t refresh_every = 0;  // seconds between scheduled refreshes; 0: only when asked
  int64_t tried_at = 0;       // the last copy's start (create or refresh), ms
  // The sandbox whose snapshot holds this copy (SnapshotSeedName); 0: a
  // user's seed. Its row goes when that sandbox is destroyed.
  int64_t snapshot_of = 0;
};

// The seed holding snapshot `snapshot`'s copy of `volume` of sandbox
// `sandbox_id`: "snapshot-{id}-{snapshot}.{volume}". A snapshot name has no
// '.', so no two are alike; a user's seed name has none either, so no user
// command can name (refresh, delete) one.
std::string SnapshotSeedName(int64_t sandbox_id, const std::string& snapshot,
                             const std::string& volume);

// A scheduled refresh is due: the seed has a period, no copy under way, and
// the last copy (made or failed) began at least a period before `now_ms`. A
// failed one is so tried again a period later, not in a loop.
bool SeedRefreshDue(const Seed& seed, int64_t now_ms);

// Conflict when a seed of that name exists.
Status CreateSeed(Db* db, const Seed& seed);
// NotFound naming the seeds there are.
Status GetSeed(Db* db, const std::string& name, Seed* seed);
Status ListSeeds(Db* db, std::vector<Seed>* seeds);
Status DeleteSeed(Db* db, const std::string& name);
// Asks for a new generation (state "copying"); Conflict while one is copying.
Status RequestSeedRefresh(Db* db, const std::string& name);
// Asks for a new generation of every seed whose scheduled refresh is due
// (SeedRefreshDue); *names gets them.
Status RequestDueSeedRefreshes(Db* db, int64_t now_ms, std::vector<std::string>* names);
// The seeds waiting for their copy, oldest first.
Status ListCopyingSeeds(Db* db, std::vector<Seed>* seeds);
// The copy of generation `generation` into `volume` finished: ready.
Status FinishSeedCopy(Db* db, const std::string& name, int64_t generation,
                      const std::string& volume, const std::string& detail);
// It failed: the seed keeps its previous generation (if any).
Status FailSeedCopy(Db* db, const std::string& name, const std::string& detail);

struct SandboxVolume {
  std::string volume;         // the compose volume's name
  std::string engine_volume;  // what the engine calls it
  // Where its content came from: "seed:NAME@GEN", "sandbox:ENGINE_VOLUME"
  // (a clone's source), "empty"; "clone-pending:ENGINE_VOLUME@ENGINE"
  // before a clone's copy is made (ENGINE: the source's, "" when it had
  // none), "seed-pending:SEED" before a restore's, "move-pending:…" before
  // a moved sandbox's (bot/volume_data.h).
  std::string origin;
  int64_t created_at = 0;
};

Status ListSandboxVolumes(Db* db, int64_t sandbox_id, std::vector<SandboxVolume>* volumes);
// Ok with *found false when the sandbox has no such volume row.
Status GetSandboxVolume(Db* db, int64_t sandbox_id, const std::string& volume, SandboxVolume* out,
                        bool* found);
// Inserts or replaces the row.
Status PutSandboxVolume(Db* db, int64_t sandbox_id, const SandboxVolume& volume);
// Every engine volume a sandbox's row names (a renamed sandbox's keep the
// old name), for the reconciler's orphan sweep.
Status ListEngineVolumesInStore(Db* db, std::set<std::string>* names);
// For `/sandbox clone`: every volume of `src_id`, which lives on engine
// `src_engine`, becomes a pending copy for `dst_id` (named after
// `dst_name`), made before its service first starts, wherever that is.
Status PlanVolumeClones(Db* db, int64_t src_id, const std::string& src_engine, int64_t dst_id,
                        const std::string& dst_name);

}  // namespace sandbot

#endif  // SANDBOT_STORE_SEEDS_H_
