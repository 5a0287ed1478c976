// The deploy job: brings one service of a sandbox to a pushed commit. The
// commit becomes an image (built from its Dockerfile, or the repo's runtime
// image with the commit checked out into the sandbox's work folder), then
// the service's container is recreated from it and waited on until healthy.
// Every attempt is a deployment row.
#ifndef SANDBOT_BOT_DEPLOY_JOB_H_
#define SANDBOT_BOT_DEPLOY_JOB_H_

#include "bot/job_steps.h"
#include "store/jobs.h"
#include "util/status.h"

namespace sandbot {

Status RunDeploy(JobSteps* steps, const Job& job);

}  // namespace sandbot

#endif  // SANDBOT_BOT_DEPLOY_JOB_H_
