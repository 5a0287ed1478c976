// The reroute job: applies a sandbox's changed route table without a
// rebuild. Containers of services that left the sandbox are removed; a
// running container whose repo declares a reload signal (and that mounts
// the routes folder) gets the signal and re-reads routes.json; every other
// deployed service's container is recreated from its current image, all at
// once, with the new {SERVICE}_URL variables.
#ifndef SANDBOT_BOT_REROUTE_JOB_H_
#define SANDBOT_BOT_REROUTE_JOB_H_

#include "bot/job_steps.h"
#include "store/jobs.h"
#include "util/status.h"

namespace sandbot {

Status RunReroute(JobSteps* steps, const Job& job);

}  // namespace sandbot

#endif  // SANDBOT_BOT_REROUTE_JOB_H_
