#include "bot/sandbox_move.h"

#include "bot/volume_data.h"
#include "handlers/dispatch.h"
#include "store/audit.h"
#include "store/engines.h"
#include "store/jobs.h"
#include "store/sandboxes.h"
#include "store/seeds.h"

namespace sandbot {

Status MoveSandbox(Db* db, const MoveRequest& r, std::string* from, std::vector<int64_t>* jobs,
                   int* volumes_copied) {
  if (r.to_drained) {
    return Status::Conflict("engine '" + r.to +
                            "' is drained: it takes no new sandboxes (sandbot engine undrain " +
                            r.to + ")");
  }
  if (!r.to_reachable) {
    return Status::Unavailable("engine '" + r.to + "' does not answer (sandbot engine status " +
                               r.to + "); move when it does");
  }
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Sandbox sandbox;
  Status s = GetSandbox(db, r.sandbox, &sandbox);
  if (!s.ok()) return s;
  *from = sandbox.engine;
  if (sandbox.engine == r.to) {
    return Status::Conflict("sandbox " + r.sandbox + " already lives on engine '" + r.to + "'");
  }
  if (sandbox.state != "active") {
    return Status::Conflict("sandbox " + r.sandbox + " is " + sandbox.state +
                            "; move an active one (sandbot sandbox resume " + r.sandbox + ")");
  }
  for (JobState state : {JobState::kQueued, JobState::kRunning}) {
    std::vector<Job> active;
    s = ListJobs(db, state, &active);
    if (!s.ok()) return s;
    for (const Job& j : active) {
      if (j.sandbox == r.sandbox) {
        return Status::Conflict("sandbox " + r.sandbox + " has job " + std::to_string(j.id) + " " +
                                JobStateName(state) + "; move it once its jobs are done");
      }
    }
  }
  s = SetSandboxEngine(db, r.sandbox, r.to);
  if (!s.ok()) return s;
  // Its named volumes are copied from the engine it leaves when the first
  // deploy there mounts them (bot/volume_data.h).
  std::vector<SandboxVolume> volumes;
  s = ListSandboxVolumes(db, sandbox.id, &volumes);
  if (!s.ok()) return s;
  int copied = 0;
  for (SandboxVolume v : volumes) {
    if (sandbox.engine.empty() || v.origin.rfind("clone-pending:", 0) == 0) continue;
    if (v.origin.rfind(kMovePending, 0) == 0) continue;  // never filled: still where it was
    v.origin = std::string(kMovePending) + sandbox.engine + ":" + v.engine_volume;
    s = PutSandboxVolume(db, sandbox.id, v);
    if (!s.ok()) return s;
    ++copied;
  }
  if (volumes_copied != nullptr) *volumes_copied = copied;
  for (const Service& svc : sandbox.services) {
    // Only what ran: a service that never deployed has no commit to rebuild.
    if (svc.commit.empty()) continue;
    int64_t job = 0;
    s = QueueDeploy(db, sandbox, svc.name, svc.branch, svc.commit, r.actor, "cli", &job);
    if (!s.ok()) return s;
    jobs->push_back(job);
  }
  AuditRow row;
  row.actor = r.actor;
  row.source = "cli";
  row.action = "sandbox.move";
  row.sandbox = r.sandbox;
  row.status = "accepted";
  row.detail = "from engine '" + (from->empty() ? std::string("(unplaced)") : *from) + "' to '" +
               r.to + "': " + std::to_string(jobs->size()) + " services rebuilt; " +
               std::to_string(copied) + " named volumes copied";
  s = AppendAudit(db, row);
  if (!s.ok()) return s;
  return tx.Commit();
}

}  // namespace sandbot
