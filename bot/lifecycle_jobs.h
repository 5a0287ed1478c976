// Jobs that change a whole sandbox's state: suspend (stop its containers,
// keeping them and their ports), resume (start them again, recreating any
// that vanished, and wait until each is healthy) and destroy (remove its
// containers, network, work folder, secret files and store rows).
#ifndef SANDBOT_BOT_LIFECYCLE_JOBS_H_
#define SANDBOT_BOT_LIFECYCLE_JOBS_H_

#include "bot/job_steps.h"
#include "store/jobs.h"
#include "util/status.h"

namespace sandbot {

// Stops the sandbox's containers and marks its services suspended.
Status RunSuspend(JobSteps* steps, const Job& job);
// Starts them again and makes the sandbox active. A service that does not
// come back is reported in the error, after the others are started.
Status RunResume(JobSteps* steps, const Job& job);
Status RunDestroy(JobSteps* steps, const Job& job);

}  // namespace sandbot

#endif  // SANDBOT_BOT_LIFECYCLE_JOBS_H_
