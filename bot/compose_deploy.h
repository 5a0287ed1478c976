// The deploy job of a commit with a Compose file: every enabled service of
// the file becomes a service of the sandbox (same repo and branch), images
// are built from the commit's subtrees (or must be on the engine), and the
// services start in dependency order, independent ones in parallel, each
// one through JobSteps::StartService like any other service, so URLs,
// routes, environments, limits and health work the same.
#ifndef SANDBOT_BOT_COMPOSE_DEPLOY_H_
#define SANDBOT_BOT_COMPOSE_DEPLOY_H_

#include <string>

#include "bot/compose_source.h"
#include "bot/job_steps.h"
#include "hooks/git_repo.h"
#include "store/jobs.h"
#include "util/status.h"

namespace sandbot {

// `service` is the row the job was queued for (named after the repo by a
// push, or a compose service). Builds every image before anything starts:
// a build that fails leaves the running containers as they were.
Status RunComposeDeploy(JobSteps* steps, const Job& job, const Repo& repo, const Service& service,
                        GitRepo* git, const ComposeCommit& compose);

// The job log's lines for the file's warnings (keys sandbot does not
// support, unset variables): never silently ignored.
void LogComposeWarnings(JobSteps* steps, const Job& job, const ComposeCommit& compose);

}  // namespace sandbot

#endif  // SANDBOT_BOT_COMPOSE_DEPLOY_H_
