#include "store/seeds.h"

#include "util/engine_names.h"

namespace sandbot {

namespace {

constexpr char kSeedColumns[] =
    "SELECT name, generation, volume, source_kind, source, image, state, detail, created_by, "
    "created_at, refreshed_at, refresh_every, tried_at, snapshot_of FROM seeds ";

void ReadSeed(Stmt* st, Seed* s) {
  s->name = st->Text(0);
  s->generation = st->Int(1);
  s->volume = st->Text(2);
  s->source_kind = st->Text(3);
  s->source = st->Text(4);
  s->image = st->Text(5);
  s->state = st->Text(6);
  s->detail = st->Text(7);
  s->created_by = st->Text(8);
  s->created_at = st->Int(9);
  s->refreshed_at = st->Int(10);
  s->refresh_every = st->Int(11);
  s->tried_at = st->Int(12);
  s->snapshot_of = st->Int(13);
}

Status SelectSeeds(Db* db, const std::string& where, std::vector<Seed>* seeds) {
  std::string sql = kSeedColumns + where;
  Stmt st(db, sql.c_str());
  while (st.Step()) {
    Seed s;
    ReadSeed(&st, &s);
    seeds->push_back(std::move(s));
  }
  return st.status();
}

}  // namespace

Status CreateSeed(Db* db, const Seed& seed) {
  Stmt st(db,
          "INSERT INTO seeds(name, generation, source_kind, source, image, state, created_by, "
          "created_at, refresh_every, tried_at, snapshot_of) "
          "VALUES(?,1,?,?,?,'copying',?,?,?,?,NULLIF(?,0))");
  const int64_t now = NowMillis();
  st.Bind(1, seed.name).Bind(2, seed.source_kind).Bind(3, seed.source).Bind(4, seed.image);
  st.Bind(5, seed.created_by).Bind(6, now).Bind(7, seed.refresh_every).Bind(8, now);
  st.Bind(9, seed.snapshot_of);
  Status s = st.Run();
  if (s.IsConflict()) {
    return Status::Conflict("a seed named '" + seed.name + "' exists already; `/seed refresh " +
                            seed.name + "` makes a new generation of it, or pick another name");
  }
  return s;
}

Status GetSeed(Db* db, const std::string& name, Seed* seed) {
  {
    Stmt st(db, (std::string(kSeedColumns) + "WHERE name = ?").c_str());
    st.Bind(1, name);
    if (st.Step()) {
      ReadSeed(&st, seed);
      return Status::Ok();
    }
    if (!st.status().ok()) return st.status();
  }
  std::vector<Seed> all;
  Status s = ListSeeds(db, &all);
  if (!s.ok()) return s;
  std::string list;
  for (const Seed& x : all) list += (list.empty() ? "" : ", ") + x.name;
  return Status::NotFound("there is no seed named '" + name + "'. " +
                          (list.empty() ? "There are none yet: `sandbot seed create NAME --from "
                                          "SANDBOX SERVICE:VOLUME` makes one."
                                        : "Seeds: " + list + "."));
}

Status ListSeeds(Db* db, std::vector<Seed>* seeds) {
  seeds->clear();
  return SelectSeeds(db, "ORDER BY name", seeds);
}

Status DeleteSeed(Db* db, const std::string& name) {
  Stmt st(db, "DELETE FROM seeds WHERE name = ?");
  st.Bind(1, name);
  Status s = st.Run();
  if (s.ok() && db->Changes() == 0)
    return Status::NotFound("there is no seed named '" + name + "'");
  return s;
}

Status RequestSeedRefresh(Db* db, const std::string& name) {
  Seed seed;
  Status s = GetSeed(db, name, &seed);
  if (!s.ok()) return s;
  if (seed.state == "copying") {
    return Status::Conflict("seed " + name + " is being copied already (generation " +
                            std::to_string(seed.generation) + "); wait for `/seed show " + name +
                            "` to say ready");
  }
  // The next generation number: past the ready one and any that failed.
  Stmt st(db,
          "UPDATE seeds SET state = 'copying', detail = '', generation = generation + 1, "
          "tried_at = ? WHERE name = ?");
  st.Bind(1, NowMillis()).Bind(2, name);
  return st.Run();
}

std::string SnapshotSeedName(int64_t sandbox_id, const std::string& snapshot,
                             const std::string& volume) {
  return "snapshot-" + std::to_string(sandbox_id) + "-" + snapshot + "." + volume;
}

bool SeedRefreshDue(const Seed& seed, int64_t now_ms) {
  return seed.refresh_every > 0 && seed.state != "copying" &&
         now_ms - seed.tried_at >= seed.refresh_every * 1000;
}

Status RequestDueSeedRefreshes(Db* db, int64_t now_ms, std::vector<std::string>* names) {
  names->clear();
  std::vector<Seed> seeds;
  Status s =
      SelectSeeds(db, "WHERE refresh_every > 0 AND state != 'copying' ORDER BY name", &seeds);
  for (const Seed& seed : seeds) {
    if (!s.ok()) break;
    if (!SeedRefreshDue(seed, now_ms)) continue;
    s = RequestSeedRefresh(db, seed.name);
    if (s.ok()) names->push_back(seed.name);
  }
  return s;
}

Status ListCopyingSeeds(Db* db, std::vector<Seed>* seeds) {
  seeds->clear();
  return SelectSeeds(db, "WHERE state = 'copying' ORDER BY created_at, name", seeds);
}

Status FinishSeedCopy(Db* db, const std::string& name, int64_t generation,
                      const std::string& volume, const std::string& detail) {
  Stmt st(db,
          "UPDATE seeds SET state = 'ready', volume = ?, detail = ?, refreshed_at = ? "
          "WHERE name = ? AND generation = ?");
  st.Bind(1, volume).Bind(2, detail).Bind(3, NowMillis()).Bind(4, name).Bind(5, generation);
  Status s = st.Run();
  if (s.ok() && db->Changes() == 0) {
    return Status::NotFound("seed " + name + " generation " + std::to_string(generation) +
                            " is gone (deleted while it was copied)");
  }
  return s;
}

Status FailSeedCopy(Db* db, const std::string& name, const std::string& detail) {
  // With a ready generation before it the seed stays usable: the ready
  // volume is still named in `volume`.
  Stmt st(db,
          "UPDATE seeds SET state = CASE WHEN volume = '' THEN 'failed' ELSE 'ready' END, "
          "detail = ? WHERE name = ?");
  st.Bind(1, "the last copy failed: " + detail).Bind(2, name);
  return st.Run();
}

Status ListSandboxVolumes(Db* db, int64_t sandbox_id, std::vector<SandboxVolume>* volumes) {
  volumes->clear();
  Stmt st(db,
          "SELECT volume, engine_volume, origin, created_at FROM sandbox_volumes "
          "WHERE sandbox_id = ? ORDER BY volume");
  st.Bind(1, sandbox_id);
  while (st.Step()) volumes->push_back({st.Text(0), st.Text(1), st.Text(2), st.Int(3)});
  return st.status();
}

Status GetSandboxVolume(Db* db, int64_t sandbox_id, const std::string& volume, SandboxVolume* out,
                        bool* found) {
  *found = false;
  Stmt st(db,
          "SELECT volume, engine_volume, origin, created_at FROM sandbox_volumes "
          "WHERE sandbox_id = ? AND volume = ?");
  st.Bind(1, sandbox_id).Bind(2, volume);
  if (st.Step()) {
    *out = {st.Text(0), st.Text(1), st.Text(2), st.Int(3)};
    *found = true;
  }
  return st.status();
}

Status PutSandboxVolume(Db* db, int64_t sandbox_id, const SandboxVolume& v) {
  Stmt st(db,
          "INSERT OR REPLACE INTO sandbox_volumes(sandbox_id, volume, engine_volume, origin, "
          "created_at) VALUES(?,?,?,?,?)");
  st.Bind(1, sandbox_id).Bind(2, v.volume).Bind(3, v.engine_volume).Bind(4, v.origin);
  st.Bind(5, v.created_at != 0 ? v.created_at : NowMillis());
  return st.Run();
}

Status ListEngineVolumesInStore(Db* db, std::set<std::string>* names) {
  names->clear();
  Stmt st(db, "SELECT engine_volume FROM sandbox_volumes");
  while (st.Step()) names->insert(st.Text(0));
  return st.status();
}

Status PlanVolumeClones(Db* db, int64_t src_id, const std::string& src_engine, int64_t dst_id,
                        const std::string& dst_name) {
  std::vector<SandboxVolume> volumes;
  Status s = ListSandboxVolumes(db, src_id, &volumes);
  for (const SandboxVolume& v : volumes) {
    if (!s.ok()) break;
    s = PutSandboxVolume(db, dst_id,
                         {v.volume, SandboxVolumeName(dst_name, v.volume),
                          "clone-pending:" + v.engine_volume + "@" + src_engine, 0});
  }
  return s;
}

}  // namespace sandbot
