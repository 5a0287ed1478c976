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
  if (job.kind == JobKind::kDeploy) return RunDeploy(&steps_, job);
  if (job.kind == JobKind::kDestroy) return RunDestroy(&steps_, job);
  if (job.kind == JobKind::kReroute) return RunReroute(&steps_, job);
  if (job.kind == JobKind::kSuspend) return RunSuspend(&steps_, job);
  if (job.kind == JobKind::kResume) return RunResume(&steps_, job);
  if (job.kind == JobKind::kRename) return RunRename(&steps_, job);
  return Status::InvalidArgument("unknown job kind '" + std::string(JobKindName(job.kind)) + "'");
}

}  // namespace sandbot
