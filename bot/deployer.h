// Deployer: does the Docker work of one job, on worker threads, never on a
// request path. Each job kind lives in its own file:
//
//   deploy             deploy_job.h      build or check out, run, wait healthy
//   reroute            reroute_job.h     apply a route change: signal or recreate
//   suspend, resume,   lifecycle_jobs.h  a whole sandbox's containers
//   destroy
//   rename             rename.h          move containers, network, folders
//
// and the steps they share (events, the job log, starting one service) in
// job_steps.h.
#ifndef SANDBOT_BOT_DEPLOYER_H_
#define SANDBOT_BOT_DEPLOYER_H_

#include "bot/job_steps.h"  // DeployConfig, JobEventFn, BuildServiceSpec
#include "handlers/runtime.h"
#include "store/db.h"
#include "store/jobs.h"
#include "util/engine_names.h"  // the names of what a job creates
#include "util/status.h"

namespace sandbot {

class Deployer {
 public:
  Deployer(Db* db, ContainerRuntime* runtime, DeployConfig config, JobEventFn on_event);

  // Runs a claimed job to its end. Ok means succeeded; otherwise the Status
  // message says why it failed, for the job row and the audit trail.
  Status Run(const Job& job);
  // Running jobs stop at their next safe point (between stages, while
  // waiting for health) with an error; the WorkerPool requeues them.
  void RequestStop() { steps_.RequestStop(); }

 private:
  JobSteps steps_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_DEPLOYER_H_
