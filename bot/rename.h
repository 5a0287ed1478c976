// The engine side of `/sandbox rename OLD NEW` (handlers/sandbox_commands.cc
// renames the store and queues a "rename" job: sandbox NEW, branch OLD).
// RunRename (bot/rename.cc) runs it:
//   1. the folders move: {data}/work/OLD and {data}/secrets/OLD become …/NEW;
//   2. each container sandbox-OLD-SERVICE is removed (it holds the host
//      port) and recreated from its current image as sandbox-NEW-SERVICE,
//      labelled sandbot.sandbox=NEW, on network sandbox-NEW, on the same
//      host port. Docker cannot change a live container's labels, and the
//      reconciler knows containers by their label, so a recreate (as a
//      reroute does) rather than the engine's rename;
//   3. network sandbox-OLD is removed (Docker cannot rename networks).
// It can run again after an interruption: each step skips what is done.
// The reconciler counts OLD as busy while the job is queued or running.
#ifndef SANDBOT_BOT_RENAME_H_
#define SANDBOT_BOT_RENAME_H_

#include <string>

#include "bot/job_steps.h"
#include "store/jobs.h"
#include "util/status.h"

namespace sandbot {

// The rename job: moves a renamed sandbox's containers, network and folders.
Status RunRename(JobSteps* steps, const Job& job);

// The name a rename job moves away from (Job::branch).
inline const std::string& RenamedFrom(const Job& job) { return job.branch; }

// Moves {data}/work/FROM and {data}/secrets/FROM to TO (replacing what TO
// may hold from an interrupted run); Ok when FROM's are gone already.
Status MoveSandboxFolders(const std::string& data_dir, const std::string& from,
                          const std::string& to);

}  // namespace sandbot

#endif  // SANDBOT_BOT_RENAME_H_
