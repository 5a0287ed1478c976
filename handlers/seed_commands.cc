#include "handlers/seed_commands.h"

#include <string>
#include <vector>

#include "store/seeds.h"

namespace sandbot {

namespace {

std::string SourceText(const Seed& seed) {
  return seed.source_kind == kSeedFromFile ? "file " + seed.source : "volume " + seed.source;
}

// 604800 → "7d", 5400 → "90m".
std::string PeriodText(int64_t seconds) {
  if (seconds % (7 * 86400) == 0) return std::to_string(seconds / (7 * 86400)) + "w";
  if (seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 60) + "m";
}

std::string ScheduleText(const Seed& seed) {
  return seed.refresh_every > 0
             ? "refreshed from its source every " + PeriodText(seed.refresh_every)
             : "";
}

std::string StateText(const Seed& seed) {
  if (seed.state == "copying") {
    return "copying generation " + std::to_string(seed.generation) +
           (seed.volume.empty() ? "" : " (the previous one is used meanwhile)");
  }
  return seed.state + (seed.volume.empty() ? "" : ", " + seed.volume);
}

}  // namespace

Status HandleSeedCreate(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Seed seed;
  seed.name = cmd.name;
  seed.image = cmd.image;
  seed.refresh_every = cmd.refresh_every;
  seed.created_by = ActorOf(req);
  if (!cmd.file.empty()) {
    // The daemon reads the file with its own rights: only for a caller
    // whose uid the kernel told us (bot/seed_worker.h checks the owner).
    if (req.source != "cli" || req.user_id.rfind("cli:", 0) != 0) {
      return Status::Forbidden(
          "a seed from a file is made from the CLI on the daemon's machine (`sandbot seed create " +
          cmd.name + " --from-file PATH`); from chat use --from SANDBOX SERVICE:VOLUME");
    }
    seed.source_kind = kSeedFromFile;
    seed.source = cmd.file;
  } else {
    Sandbox sandbox;
    Status s = LoadActiveSandbox(ctx, cmd.sandbox, &sandbox);
    if (!s.ok()) return s;
    SandboxVolume volume;
    bool found = false;
    s = GetSandboxVolume(ctx.db, sandbox.id, cmd.volume, &volume, &found);
    if (!s.ok()) return s;
    if (!found) {
      std::vector<SandboxVolume> all;
      ListSandboxVolumes(ctx.db, sandbox.id, &all);
      std::string list;
      for (const SandboxVolume& v : all) list += (list.empty() ? "" : ", ") + v.volume;
      return Status::NotFound("sandbox " + sandbox.name + " has no volume " + cmd.volume + ". " +
                              (list.empty() ? "It has none yet (a volume exists once a service "
                                              "that mounts it was deployed)."
                                            : "Its volumes: " + list + "."));
    }
    seed.source_kind = kSeedFromVolume;
    seed.source = sandbox.name + " " + cmd.service + ":" + cmd.volume;
  }
  Status s = CreateSeed(ctx.db, seed);
  if (!s.ok()) return s;
  reply->audit_detail = SourceText(seed);
  reply->Ack("", "Seed " + seed.name,
             "copying " + SourceText(seed) + " into seed " + seed.name +
                 " (generation 1); `/seed show " + seed.name + "` says when it is ready" +
                 (seed.refresh_every > 0 ? "; then " + ScheduleText(seed) : ""));
  return Status::Ok();
}

Status HandleSeedList(const HandlerContext& ctx, const Request&, Reply* reply) {
  std::vector<Seed> seeds;
  Status s = ListSeeds(ctx.db, &seeds);
  if (!s.ok()) return s;
  reply->view.kind = "ack";
  reply->view.title = std::to_string(seeds.size()) + (seeds.size() == 1 ? " seed" : " seeds");
  if (seeds.empty()) {
    reply->view.text =
        "no seeds yet: `/seed create NAME --from SANDBOX SERVICE:VOLUME` (or `sandbot seed "
        "create NAME --from-file dump.tar`)";
  }
  for (const Seed& seed : seeds) {
    reply->view.text += (reply->view.text.empty() ? "" : "\n") + std::string("• ") + seed.name +
                        ": " + StateText(seed) + ", from " + SourceText(seed) +
                        (seed.refresh_every > 0 ? ", " + ScheduleText(seed) : "");
  }
  return Status::Ok();
}

Status HandleSeedShow(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Seed seed;
  Status s = GetSeed(ctx.db, req.command.name, &seed);
  if (!s.ok()) return s;
  reply->view.kind = "ack";
  reply->view.title = "seed " + seed.name;
  std::string& t = reply->view.text;
  t = "state: " + StateText(seed) + "\nfrom: " + SourceText(seed) +
      "\ngeneration: " + std::to_string(seed.generation) + "\ncreated by: " + seed.created_by;
  if (!seed.image.empty()) t += "\nhelper image: " + seed.image;
  if (seed.refresh_every > 0) t += "\nschedule: " + ScheduleText(seed);
  if (!seed.detail.empty()) t += "\ndetail: " + seed.detail;
  return Status::Ok();
}

Status HandleSeedDelete(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Seed seed;
  Status s = GetSeed(ctx.db, req.command.name, &seed);
  if (s.ok()) s = DeleteSeed(ctx.db, seed.name);
  if (!s.ok()) return s;
  reply->Ack("", "Seed " + seed.name + " deleted",
             "seed " + seed.name +
                 " deleted; its volumes go on the seed worker's next pass. Sandboxes keep the "
                 "copies they have; a new sandbox whose compose file names it fails until it "
                 "exists again");
  return Status::Ok();
}

Status HandleSeedRefresh(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Status s = RequestSeedRefresh(ctx.db, req.command.name);
  Seed seed;
  if (s.ok()) s = GetSeed(ctx.db, req.command.name, &seed);
  if (!s.ok()) return s;
  reply->Ack("", "Refreshing seed " + seed.name,
             "copying " + SourceText(seed) + " into generation " + std::to_string(seed.generation) +
                 " of seed " + seed.name +
                 "; sandboxes that have their copy keep it, new ones get the new generation");
  return Status::Ok();
}

}  // namespace sandbot
