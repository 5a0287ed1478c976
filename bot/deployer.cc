#include "bot/deployer.h"

#include <utility>

#include "bot/deploy_job.h"
#include "bot/lifecycle_jobs.h"
#include "bot/rename.h"
#include "bot/reroute_job.h"

namespace sandbot {

Deployer::Deployer(Db* db, ContainerRuntime* runtime, DeployConfig config, JobEventFn on_event)
    : steps_(db, runtime, std::move(config), std::move(on_event)) {}

Status Deployer::Run(const Job& job) {
  if (job.kind == "deploy") return RunDeploy(&steps_, job);
  if (job.kind == "destroy") return RunDestroy(&steps_, job);
  if (job.kind == "reroute") return RunReroute(&steps_, job);
  if (job.kind == "suspend") return RunSuspend(&steps_, job);
  if (job.kind == "resume") return RunResume(&steps_, job);
  if (job.kind == "rename") return RunRename(&steps_, job);
  return Status::InvalidArgument("unknown job kind '" + job.kind + "'");
}

}  // namespace sandbot
