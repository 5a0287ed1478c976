// SeedWorker: makes the content of seeds waiting for it (store/seeds.h).
// `seed create` and `seed refresh` only write the seed's row; a pass here
// copies its source into a new engine volume, sandbot-seed-{name}-{gen}:
// from a sandbox's volume with a helper container, or from a tar file
// streamed through the engine's archive endpoint (bot/volume_data.h). The
// previous generation's volume goes once the new one is ready; sandboxes
// that copied it keep their copies. Volumes of deleted seeds are swept.
//
// A tar file is user data read with the daemon's rights: it is opened once,
// must be a regular file owned by the CLI caller who named it (never merely
// by the daemon's own user: those are the files an attacker wants), and is
// streamed from that open file, so a path swapped after the check is never
// read (SECURITY.md, "Seeds and volumes").
#ifndef SANDBOT_BOT_SEED_WORKER_H_
#define SANDBOT_BOT_SEED_WORKER_H_

#include <string>

#include "bot/volume_data.h"
#include "handlers/runtime.h"
#include "store/db.h"
#include "store/seeds.h"
#include "util/status.h"

namespace sandbot {

// The uid in an actor "name (cli:UID)"; false when the actor is not a CLI
// caller.
bool CliUidOf(const std::string& actor, long* uid);

class SeedWorker {
 public:
  // `stop` ends a copy when the daemon stops (the seed stays "copying" and
  // is copied afresh at the next start).
  SeedWorker(Db* db, ContainerRuntime* runtime, std::string data_label, std::string helper_image,
             StopCheck stop = nullptr);
  // Several engines: `runtime` makes seeds on `seeds_engine`, and a
  // sandbox's volume on another engine is copied across (spooled in
  // `scratch_dir`; bot/volume_data.h CopyVolumeFrom).
  void AcrossEngines(EngineLookup engines, std::string seeds_engine, std::string scratch_dir);
  // Copies every seed waiting for its copy; one failure does not stop the
  // others. *copied counts the seeds made ready.
  Status RunOnce(int* copied);
  // Removes seed volumes of this data folder that no seed names (deleted
  // seeds, generations replaced); ones in use by a copy stay until later.
  Status Sweep(int* removed);

 private:
  // *helper: a copy helper for the caller to remove (bot/volume_data.h).
  Status CopySeed(const Seed& seed, std::string* detail, std::string* helper);

  Db* db_;
  ContainerRuntime* runtime_;
  std::string data_label_;
  std::string helper_image_;
  StopCheck stop_;
  EngineLookup engines_ = nullptr;  // null: one engine
  std::string seeds_engine_;
  std::string scratch_dir_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_SEED_WORKER_H_
