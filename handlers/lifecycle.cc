// /sandbox clone | suspend | resume | snapshot | restore | lock | unlock, and
// the lifecycle lines shared by other answers (handlers/lifecycle.h).
//
// Suspended sandboxes: deploys and route changes for them are accepted and
// wait in the queue; resume applies them after starting the containers.
// Locked sandboxes: deploys, pushes, route changes, resume and destroy wait
// in the queue until unlock; only the newest deploy per service survives.
#include "handlers/lifecycle.h"

#include <set>

#include "store/chat.h"
#include "store/jobs.h"
#include "store/lifecycle.h"
#include "store/repos.h"
#include "store/seeds.h"
#include "store/snapshots.h"
#include "util/engine_names.h"

namespace sandbot {

std::vector<std::string> LifecycleNotes(const Sandbox& b) {
  std::vector<std::string> notes;
  if (!b.locked_by.empty()) {
    notes.push_back(LockNote(b.locked_by, b.locked_at, b.lock_reason) +
                    " — pushes and deploys wait in the queue until `/sandbox unlock " + b.name +
                    "`");
  }
  if (b.state == "suspended") {
    notes.push_back(
        "\xF0\x9F\x92\xA4 suspended: containers stopped, configuration and ports kept; "
        "`/sandbox resume " +
        b.name + "` starts it again (deploys and route changes wait until then)");
  }
  return notes;
}

std::string WaitNote(const Sandbox& b) {
  if (!b.locked_by.empty()) {
    return "queued; applied when unlocked (" + LockNote(b.locked_by, b.locked_at, b.lock_reason) +
           ")";
  }
  if (b.state == "suspended") {
    return "queued; applied when " + b.name + " is resumed (`/sandbox resume " + b.name + "`)";
  }
  return "";
}

Status CheckSandboxLimit(Db* db, int max) {
  if (max <= 0) return Status::Ok();
  int count = 0;
  Status s = CountSandboxes(db, &count);
  if (!s.ok()) return s;
  if (count < max) return Status::Ok();
  return Status::Conflict("this sandbot already has " + std::to_string(count) +
                          " sandboxes, its limit (max_sandboxes " + std::to_string(max) +
                          "; suspended sandboxes count, they keep their ports). Free one with "
                          "`/sandbox destroy NAME` (`/sandbox list` shows them), or ask an admin "
                          "to raise --max-sandboxes.");
}

Status CheckLockHolder(const Sandbox& b, const Request& req, const std::string& what) {
  if (b.locked_by.empty() || b.locked_by == ActorOf(req) || req.role == Role::kAdmin) {
    return Status::Ok();
  }
  return Status::Forbidden("cannot " + what + " " + b.name + ": it is " +
                           LockNote(b.locked_by, b.locked_at, b.lock_reason).substr(5) + ". Only " +
                           b.locked_by + " or an admin can; ask them to `/sandbox unlock " +
                           b.name + "` first.");
}

namespace {

void AddLine(std::string* text, const std::string& line) {
  if (line.empty()) return;
  *text += (text->empty() ? "" : "\n") + line;
}

}  // namespace

Status HandleSandboxLock(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Sandbox b;
  Status s = LoadActiveSandbox(ctx, req.command.sandbox, &b);
  if (s.ok()) s = LockSandbox(ctx.db, b.name, ActorOf(req), req.command.reason);
  if (!s.ok()) return s;
  s = GetSandbox(ctx.db, b.name, &b);
  if (!s.ok()) return s;
  reply->Ack(b.name, "Locked sandbox " + b.name,
             LockNote(b.locked_by, b.locked_at, b.lock_reason) + "\nPushes and deploys for " +
                 b.name + " now wait in the queue (not refused, not applied); `/sandbox unlock " +
                 b.name + "` (you or an admin) applies them, newest commit per service.");
  return Status::Ok();
}

Status HandleSandboxUnlock(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Sandbox b;
  // A locked sandbox whose branch was deleted is being destroyed, and that
  // destroy waits for this unlock: no LoadActiveSandbox here.
  Status s = GetSandbox(ctx.db, req.command.sandbox, &b);
  if (s.IsNotFound()) return LoadActiveSandbox(ctx, req.command.sandbox, &b);
  if (!s.ok()) return s;
  if (b.locked_by.empty()) {
    return Status::Conflict("sandbox " + b.name + " is not locked; lock it with `/sandbox lock " +
                            b.name + " REASON`");
  }
  s = CheckLockHolder(b, req, "unlock");
  std::vector<int64_t> queued;
  if (s.ok()) s = UnlockSandbox(ctx.db, b.name);
  if (s.ok()) s = QueuedJobsOf(ctx.db, b.name, &queued);
  if (!s.ok()) return s;
  reply->jobs = queued;
  std::string text = "unlocked " + b.name + " (was " +
                     LockNote(b.locked_by, b.locked_at, b.lock_reason).substr(5) + ")";
  if (queued.empty()) {
    AddLine(&text, "nothing was waiting in the queue");
  } else {
    AddLine(&text, "applying what waited (newest commit per service):");
    for (int64_t id : queued) {
      Job job;
      s = GetJob(ctx.db, id, &job);
      if (!s.ok()) return s;
      std::string what = job.kind == JobKind::kDeploy
                             ? job.service + "@" + job.branch + " " + Short(job.commit)
                             : JobKindName(job.kind);
      AddLine(&text, "• " + what + " (job " + std::to_string(id) + ")");
    }
  }
  if (b.state == "suspended") {
    AddLine(&text, "it is suspended: deploys wait until `/sandbox resume " + b.name + "`");
  }
  reply->Ack(b.name, "Unlocked sandbox " + b.name, text);
  return Status::Ok();
}

namespace {

Status Enqueue(Db* db, JobKind kind, const std::string& sandbox, const Request& req, int64_t* id) {
  Job job;
  job.kind = kind;
  job.sandbox = sandbox;
  job.actor = ActorOf(req);
  job.source = req.source;
  Status s = EnqueueJob(db, &job);
  if (s.ok()) *id = job.id;
  return s;
}

}  // namespace

Status HandleSandboxSuspend(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Sandbox b;
  Status s = LoadActiveSandbox(ctx, req.command.sandbox, &b);
  if (s.ok() && b.state == "suspended") {
    s = Status::Conflict("sandbox " + b.name + " is already suspended; `/sandbox resume " + b.name +
                         "` starts it again");
  }
  if (s.ok()) s = CheckLockHolder(b, req, "suspend");
  Transaction tx(ctx.db);
  if (s.ok()) s = tx.status();
  if (s.ok()) s = MarkSuspended(ctx.db, b.name);
  int64_t job = 0;
  if (s.ok()) s = Enqueue(ctx.db, JobKind::kSuspend, b.name, req, &job);
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;
  reply->jobs.push_back(job);
  reply->Ack(b.name, "Suspending sandbox " + b.name,
             "suspending " + b.name + " (job " + std::to_string(job) +
                 "): its containers stop; configuration, ports and URLs are kept. "
                 "`/sandbox resume " +
                 b.name +
                 "` starts it again; deploys and route changes for it wait in the queue "
                 "until then.");
  return Status::Ok();
}

Status HandleSandboxResume(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Sandbox b;
  Status s = LoadActiveSandbox(ctx, req.command.sandbox, &b);
  if (s.ok() && b.state != "suspended") {
    s = Status::Conflict("sandbox " + b.name + " is not suspended (it is " + b.state +
                         "); nothing to resume");
  }
  std::vector<int64_t> queued;
  if (s.ok()) s = QueuedJobsOf(ctx.db, b.name, &queued);
  for (int64_t id : queued) {
    Job job;
    if (s.ok()) s = GetJob(ctx.db, id, &job);
    if (s.ok() && job.kind == JobKind::kResume) {
      s = Status::Conflict("sandbox " + b.name + " is already being resumed (job " +
                           std::to_string(id) + ")");
    }
  }
  int64_t job = 0;
  if (s.ok()) s = Enqueue(ctx.db, JobKind::kResume, b.name, req, &job);
  if (!s.ok()) return s;
  reply->jobs.push_back(job);
  reply->Ack(b.name, "Resuming sandbox " + b.name,
             "resuming " + b.name + " (job " + std::to_string(job) +
                 "): its containers start again on the same ports and URLs");
  if (!queued.empty()) {
    AddLine(&reply->view.text, "then " + std::to_string(queued.size()) +
                                   " queued jobs that waited for it are applied");
  }
  if (!b.locked_by.empty()) AddLine(&reply->view.text, WaitNote(b));
  return Status::Ok();
}

Status HandleSandboxClone(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Sandbox src;
  Status s = LoadActiveSandbox(ctx, cmd.sandbox, &src);
  if (s.ok()) s = CheckSandboxLimit(ctx.db, ctx.max_sandboxes);
  // The copy keeps SRC's limits: an admin's may be above what a deployer
  // may ask for.
  if (s.ok()) {
    s = WithinOperatorLimits(ctx, req, {src.memory_mb, src.cpus}, src.name + "'s ");
  }
  SnapshotData data;
  if (s.ok()) s = CaptureSnapshot(ctx.db, src, &data);
  // Services that never ran have no recorded commit: their branch's head.
  for (SnapshotService& svc : data.services) {
    if (s.ok() && svc.commit.empty()) s = ResolveBranch(ctx.db, svc.name, svc.branch, &svc.commit);
  }
  if (!s.ok()) return s;
  Transaction tx(ctx.db);
  if (!tx.status().ok()) return tx.status();
  Sandbox dst;
  dst.name = cmd.target;
  dst.created_by = ActorOf(req);
  dst.template_name = src.template_name;
  dst.gateway = src.gateway;
  dst.memory_mb = src.memory_mb;
  dst.cpus = src.cpus;
  s = CreateSandbox(ctx.db, &dst);
  if (s.ok()) s = ApplySnapshotSettings(ctx.db, dst.id, data, ActorOf(req));
  // Its volumes are copied from SRC's before its services first start.
  if (s.ok()) s = PlanVolumeClones(ctx.db, src.id, src.engine, dst.id, dst.name);
  std::string lines;
  for (const SnapshotService& svc : data.services) {
    int64_t job = 0;
    if (s.ok()) {
      s = QueueDeploy(ctx.db, dst, svc.name, svc.branch, svc.commit, ActorOf(req), req.source,
                      &job);
    }
    if (!s.ok()) break;
    reply->jobs.push_back(job);
    AddLine(&lines, "• " + svc.name + "@" + svc.branch + " " + Short(svc.commit) + " (job " +
                        std::to_string(job) + ")");
  }
  if (s.ok()) s = SetUserSandbox(ctx.db, ActorOf(req), dst.name);
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;
  reply->Ack(dst.name, "Cloning " + src.name + " into " + dst.name,
             "cloning " + src.name + " into " + dst.name +
                 ": same services, commits, environments and routes" +
                 std::string(data.services.empty() ? "" : ", new ports:") + "\n" + lines);
  AddLine(&reply->view.text,
          std::to_string(data.routes.size()) + " routes and " + std::to_string(data.envs.size()) +
              " environment attachments copied" +
              (data.volumes.empty() ? std::string()
                                    : "; " + std::to_string(data.volumes.size()) +
                                          " volumes copied before its services start"));
  return Status::Ok();
}

Status HandleSandboxSnapshot(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Sandbox b;
  Status s = LoadActiveSandbox(ctx, cmd.sandbox, &b);
  SnapshotData data;
  if (s.ok()) s = CaptureSnapshot(ctx.db, b, &data);
  for (const SnapshotService& svc : data.services) {
    if (s.ok() && svc.commit.empty()) {
      s = Status::Conflict(svc.name + " has not run in " + b.name +
                           " yet, so there is no commit to record; snapshot once its deploy "
                           "finished (`/sandbox status " +
                           b.name + "`)");
    }
  }
  data.with_data = cmd.with_data;
  for (const SnapshotVolume& v : data.volumes) {
    if (s.ok() && cmd.with_data && v.origin.rfind("clone-pending:", 0) == 0) {
      s = Status::Conflict("volume " + v.volume + " of " + b.name +
                           " has not been made yet (its service has not started since the "
                           "clone); snapshot --with-data once it has");
    }
  }
  if (s.ok()) s = SaveSnapshot(ctx.db, b.id, cmd.name, SnapshotToJson(data), ActorOf(req));
  // Each volume's content: a seed of the snapshot's own, copied by the seed
  // worker as `seed create --from` would (store/seeds.h SnapshotSeedName).
  for (const SnapshotVolume& v : data.volumes) {
    if (!s.ok() || !cmd.with_data) break;
    Seed seed;
    seed.name = SnapshotSeedName(b.id, cmd.name, v.volume);
    seed.source_kind = kSeedFromVolume;
    seed.source = b.name + " *:" + v.volume;
    seed.created_by = ActorOf(req);
    seed.snapshot_of = b.id;
    s = CreateSeed(ctx.db, seed);
  }
  if (s.IsConflict() && s.message().rfind("a snapshot named", 0) == 0) {
    std::vector<std::string> names;
    ListSnapshotNames(ctx.db, b.id, &names);
    std::set<std::string> taken(names.begin(), names.end());
    std::string free_name;
    for (int i = 2; free_name.empty(); ++i) {
      std::string candidate = cmd.name + "-" + std::to_string(i);
      if (!taken.count(candidate)) free_name = candidate;
    }
    return Status::Conflict("sandbox " + b.name + " already has a snapshot named '" + cmd.name +
                            "'; pick another name, e.g. `/sandbox snapshot " + b.name + " " +
                            free_name + "` (snapshots are never overwritten)");
  }
  if (!s.ok()) return s;
  std::string text = "recorded snapshot " + cmd.name + " of " + b.name + ":";
  for (const SnapshotService& svc : data.services) {
    AddLine(&text, "• " + svc.name + "@" + svc.branch + " " + Short(svc.commit));
  }
  AddLine(&text, std::to_string(data.routes.size()) + " routes, " +
                     std::to_string(data.envs.size()) + " environment attachments" +
                     (data.gateway.empty() ? "" : ", gateway " + data.gateway));
  for (const SnapshotVolume& v : data.volumes) {
    if (cmd.with_data) {
      AddLine(&text, "volume " + v.volume + ": its content is being copied into seed " +
                         SnapshotSeedName(b.id, cmd.name, v.volume) +
                         " (`/seed list` says when it is ready; as consistent as its files are "
                         "now: suspend a database first)");
    } else {
      AddLine(&text, "volume " + v.volume + " (" + v.origin +
                         "): recorded, not its content; `--with-data` keeps a copy too");
    }
  }
  AddLine(&text, "`/sandbox restore " + b.name + " " + cmd.name + "` brings this back");
  reply->Ack(b.name, "Snapshot " + cmd.name + " of " + b.name, text);
  return Status::Ok();
}

Status HandleSandboxRestore(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Sandbox b;
  Status s = LoadActiveSandbox(ctx, cmd.sandbox, &b);
  SnapshotData data;
  if (s.ok()) s = LoadSnapshot(ctx.db, b, cmd.name, &data);
  for (const SnapshotService& svc : data.services) {
    Repo repo;
    if (s.ok()) s = GetRepo(ctx.db, svc.repo, &repo);
    if (s.IsNotFound()) {
      s = Status::NotFound("snapshot " + cmd.name + " records " + svc.name + " from repo " +
                           svc.repo +
                           ", which is no longer registered; add it back with "
                           "`sandbot repo add " +
                           svc.repo + " PATH` to restore");
    }
  }
  // Its volumes' copies must be whole before anything changes.
  for (const SnapshotVolume& v : data.volumes) {
    if (!s.ok() || !data.with_data) break;
    Seed seed;
    s = GetSeed(ctx.db, SnapshotSeedName(b.id, cmd.name, v.volume), &seed);
    if (s.IsNotFound()) {
      s = Status::NotFound("snapshot " + cmd.name + "'s copy of volume " + v.volume + " is gone");
    } else if (s.ok() && seed.state != "ready") {
      s = Status::Conflict("snapshot " + cmd.name + "'s copy of volume " + v.volume + " is " +
                           seed.state + (seed.detail.empty() ? "" : " (" + seed.detail + ")") +
                           "; restore once `/seed list` says it is ready");
    }
  }
  if (!s.ok()) return s;
  Transaction tx(ctx.db);
  if (!tx.status().ok()) return tx.status();
  s = ApplySnapshotSettings(ctx.db, b.id, data, ActorOf(req));
  // Each volume starts again from the snapshot's copy: a new engine volume
  // (the one in use stays mounted until its container is replaced, and goes
  // at destroy), filled before its service starts (bot/volume_data.h).
  int restored_volumes = 0;
  for (const SnapshotVolume& v : data.volumes) {
    if (!s.ok() || !data.with_data) break;
    s = PutSandboxVolume(
        ctx.db, b.id,
        {v.volume, SandboxVolumeName(b.name, v.volume) + ".r" + std::to_string(NowMillis()),
         "seed-pending:" + SnapshotSeedName(b.id, cmd.name, v.volume), 0});
    ++restored_volumes;
  }
  std::set<std::string> recorded;
  for (const SnapshotService& svc : data.services) recorded.insert(svc.name);
  std::string text = "restoring " + b.name + " to snapshot " + cmd.name + ":";
  std::vector<std::string> removed;
  for (const Service& svc : b.services) {
    if (recorded.count(svc.name)) continue;
    if (s.ok()) s = RemoveService(ctx.db, b.name, svc.id, svc.name);
    removed.push_back(svc.name);
  }
  for (const SnapshotService& svc : data.services) {
    int64_t job = 0;
    if (s.ok()) {
      s = QueueDeploy(ctx.db, b, svc.name, svc.branch, svc.commit, ActorOf(req), req.source, &job);
    }
    if (!s.ok()) break;
    reply->jobs.push_back(job);
    AddLine(&text, "• " + svc.name + "@" + svc.branch + " " + Short(svc.commit) + " (job " +
                       std::to_string(job) + ")");
  }
  // The reroute removes the containers of the services dropped above and
  // gives the others the restored route table.
  if (s.ok() && !removed.empty()) {
    int64_t job = 0;
    s = Enqueue(ctx.db, JobKind::kReroute, b.name, req, &job);
    if (s.ok()) {
      reply->jobs.push_back(job);
      std::string names;
      for (const std::string& n : removed) names += (names.empty() ? "" : ", ") + n;
      AddLine(&text,
              "• removing " + names + " (not in the snapshot; job " + std::to_string(job) + ")");
    }
  }
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;
  AddLine(&text, std::to_string(data.routes.size()) + " routes and " +
                     std::to_string(data.envs.size()) + " environment attachments set as recorded" +
                     (restored_volumes > 0 ? "; " + std::to_string(restored_volumes) +
                                                 " volumes filled from the snapshot's copies"
                                           : ""));
  AddLine(&text, WaitNote(b));
  reply->Ack(b.name, "Restoring " + b.name + " to " + cmd.name, text);
  return Status::Ok();
}

}  // namespace sandbot
