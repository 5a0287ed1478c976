// Seeds and sandbox volumes: the store rows, the names, the grammar, and the
// copies (bot/volume_data.h, bot/seed_worker.h) against the fake engine,
// which copies a volume's recorded content when a `cp -a` helper runs.
#define BOOST_TEST_DYN_LINK
#include "store/seeds.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "bot/reconciler.h"
#include "bot/sandbox_move.h"
#include "bot/seed_worker.h"
#include "bot/volume_data.h"
#include "handlers/command.h"
#include "handlers/command_args.h"
#include "handlers/dispatch.h"
#include "store/engines.h"
#include "store/sandboxes.h"
#include "tests/unit/fake_runtime.h"
#include "tests/unit/test_util.h"
#include "util/engine_names.h"

using namespace sandbot;

namespace {

Sandbox NewSandbox(Db* db, const std::string& name) {
  Sandbox b;
  b.name = name;
  b.created_by = "ana (U1)";
  BOOST_REQUIRE(CreateSandbox(db, &b).ok());
  return b;
}

// Seed `name` of volume pgdata of sandbox a (service db).
Seed VolumeSeed(const std::string& name) {
  Seed s;
  s.name = name;
  s.source_kind = kSeedFromVolume;
  s.source = "a db:pgdata";
  s.created_by = "ana (U1)";
  return s;
}

Seed FileSeed(const std::string& name, const std::string& path) {
  Seed s;
  s.name = name;
  s.source_kind = kSeedFromFile;
  s.source = path;
  s.created_by = "ana (cli:" + std::to_string(geteuid()) + ")";
  return s;
}

struct Fixture {
  TestStore t;
  Db* db = t.db.get();
  FakeRuntime rt;
  SeedWorker worker{db, &rt, "data1", kDefaultHelperImage};

  // A ready seed whose content is the file at `path` (as the fake records it).
  void ReadySeed(const std::string& name, const std::string& path) {
    std::ofstream(path) << "tar";
    BOOST_REQUIRE(CreateSeed(db, FileSeed(name, path)).ok());
    int copied = 0;
    BOOST_REQUIRE(worker.RunOnce(&copied).ok());
    BOOST_REQUIRE_EQUAL(copied, 1);
  }
  std::string Prepare(const Sandbox& b, const std::string& volume, const std::string& seed) {
    std::string engine_volume;
    VolumeRequest req{volume, seed, "", "data1", nullptr};
    Status s = PrepareSandboxVolume(db, &rt, b, req, &engine_volume);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
    return engine_volume;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(seeds)

BOOST_AUTO_TEST_CASE(names) {
  BOOST_CHECK_EQUAL(SandboxVolumeName("qa", "pgdata"), "sandbox-qa-pgdata");
  BOOST_CHECK_EQUAL(SeedVolumeName("pg-weekly", 3), "sandbot-seed-pg-weekly-3");
  BOOST_CHECK(ValidateSeedName("pg-weekly").ok());
  BOOST_CHECK(!ValidateSeedName("PG").ok());
  BOOST_CHECK(!ValidateSeedName("../x").ok());
  BOOST_CHECK(ValidateVolumeName("pg_data.1").ok());
  BOOST_CHECK(!ValidateVolumeName("-x").ok());
  BOOST_CHECK(!ValidateVolumeName("a/b").ok());
  BOOST_CHECK(!ValidateVolumeName(std::string(65, 'a')).ok());
  long uid = 0;
  BOOST_CHECK(CliUidOf("ana (cli:1000)", &uid));
  BOOST_CHECK_EQUAL(uid, 1000);
  BOOST_CHECK(!CliUidOf("ana (slack:T1/U1)", &uid));
  BOOST_CHECK(!CliUidOf("(cli:10x)", &uid));
  BOOST_CHECK(!CliUidOf("(cli:)", &uid));
}

BOOST_AUTO_TEST_CASE(grammar) {
  Command c;
  BOOST_REQUIRE(ParseCommand("seed", "create pg-weekly --from qa db:pgdata", &c).ok());
  BOOST_CHECK_EQUAL(c.verb, "create");
  BOOST_CHECK_EQUAL(c.name, "pg-weekly");
  BOOST_CHECK_EQUAL(c.sandbox, "qa");
  BOOST_CHECK_EQUAL(c.service, "db");
  BOOST_CHECK_EQUAL(c.volume, "pgdata");
  c = Command();
  BOOST_REQUIRE(
      ParseCommand("seed", "create s1 --from-file /tmp/d.tar --image sandbot/busybox:latest", &c)
          .ok());
  BOOST_CHECK_EQUAL(c.file, "/tmp/d.tar");
  BOOST_CHECK_EQUAL(c.image, "sandbot/busybox:latest");
  for (const char* bad :
       {"create s1", "create s1 --from-file d.tar", "create s1 --from qa db",
        "create s1 --from qa db:pgdata --from-file /x", "create s1 --from-file /x --image -rm",
        "create S1 --from-file /x", "show", "refresh a b"}) {
    c = Command();
    BOOST_CHECK_MESSAGE(!ParseCommand("seed", bad, &c).ok(), bad);
  }
  c = Command();
  BOOST_REQUIRE(ParseCommand("seed", "create pg --from qa db:pgdata --refresh-every 7D", &c).ok());
  BOOST_CHECK_EQUAL(c.refresh_every, 7 * 86400);
  for (const char* bad : {"create pg --from qa db:pgdata --refresh-every 30s",
                          "create pg --from qa db:pgdata --refresh-every 0m",
                          "create pg --from qa db:pgdata --refresh-every 7",
                          "create pg --from qa db:pgdata --refresh-every 400d",
                          "create pg --from qa db:pgdata --refresh-every",
                          "create pg --from qa db:pgdata --refresh-every 1h --refresh-every 2h"}) {
    c = Command();
    BOOST_CHECK_MESSAGE(!ParseCommand("seed", bad, &c).ok(), bad);
  }
  int64_t secs = 0;
  BOOST_CHECK(ParseRefreshEvery("1m", &secs) && secs == 60);
  BOOST_CHECK(ParseRefreshEvery("12h", &secs) && secs == 12 * 3600);
  BOOST_CHECK(ParseRefreshEvery("2w", &secs) && secs == 14 * 86400);
  BOOST_CHECK(!ParseRefreshEvery("h", &secs));
  BOOST_CHECK(!ParseRefreshEvery("-1h", &secs));
  const CommandSpec* del = FindCommand("seed", "delete");
  BOOST_REQUIRE(del != nullptr);
  BOOST_CHECK(del->required == Role::kAdmin);
}

BOOST_FIXTURE_TEST_CASE(store_rows, Fixture) {
  BOOST_REQUIRE(CreateSeed(db, FileSeed("s1", "/tmp/x.tar")).ok());
  BOOST_CHECK(CreateSeed(db, FileSeed("s1", "/tmp/y.tar")).IsConflict());
  Seed s;
  BOOST_REQUIRE(GetSeed(db, "s1", &s).ok());
  BOOST_CHECK_EQUAL(s.state, "copying");
  BOOST_CHECK_EQUAL(s.generation, 1);
  BOOST_CHECK(RequestSeedRefresh(db, "s1").IsConflict());  // still copying
  BOOST_REQUIRE(FailSeedCopy(db, "s1", "boom").ok());
  BOOST_REQUIRE(GetSeed(db, "s1", &s).ok());
  BOOST_CHECK_EQUAL(s.state, "failed");  // nothing ready before it
  BOOST_REQUIRE(RequestSeedRefresh(db, "s1").ok());
  BOOST_REQUIRE(GetSeed(db, "s1", &s).ok());
  BOOST_CHECK_EQUAL(s.generation, 2);
  BOOST_REQUIRE(FinishSeedCopy(db, "s1", 2, "v2", "ok").ok());
  BOOST_CHECK(FinishSeedCopy(db, "s1", 9, "v9", "ok").IsNotFound());
  BOOST_REQUIRE(RequestSeedRefresh(db, "s1").ok());
  BOOST_REQUIRE(FailSeedCopy(db, "s1", "boom").ok());
  BOOST_REQUIRE(GetSeed(db, "s1", &s).ok());
  BOOST_CHECK_EQUAL(s.state, "ready");  // the ready generation stays usable
  BOOST_CHECK_EQUAL(s.volume, "v2");
  Status missing = GetSeed(db, "nope", &s);
  BOOST_CHECK(missing.IsNotFound());
  BOOST_CHECK(missing.message().find("s1") != std::string::npos);
  BOOST_REQUIRE(DeleteSeed(db, "s1").ok());
  BOOST_CHECK(DeleteSeed(db, "s1").IsNotFound());
}

BOOST_FIXTURE_TEST_CASE(each_sandbox_gets_its_own_copy_and_refresh_leaves_it, Fixture) {
  ScratchDir dir;
  ReadySeed("pg", dir.path() + "/dump.tar");
  // Streamed from the file the worker opened (and checked), not its path.
  BOOST_CHECK_EQUAL(rt.volume_content[SeedVolumeName("pg", 1)].rfind("tar:/proc/self/fd/", 0), 0u);
  Sandbox a = NewSandbox(db, "a"), b = NewSandbox(db, "b");
  std::string va = Prepare(a, "pgdata", "pg"), vb = Prepare(b, "pgdata", "pg");
  BOOST_CHECK_EQUAL(va, "sandbox-a-pgdata");
  BOOST_CHECK_EQUAL(vb, "sandbox-b-pgdata");
  const std::string first = rt.volume_content[SeedVolumeName("pg", 1)];
  BOOST_CHECK_EQUAL(rt.volume_content[va], first);
  BOOST_CHECK_EQUAL(rt.volume_content[vb], first);
  BOOST_CHECK_EQUAL(rt.volumes[va].at(kLabelSandbox), "a");
  // A write in one stays there; a redeploy keeps it.
  rt.volume_content[va] = "changed";
  Prepare(a, "pgdata", "pg");
  BOOST_CHECK_EQUAL(rt.volume_content[va], "changed");
  BOOST_CHECK_EQUAL(rt.volume_content[vb], first);
  // A refresh is a new generation; existing copies do not move.
  std::ofstream(dir.path() + "/dump.tar") << "newer";
  BOOST_REQUIRE(RequestSeedRefresh(db, "pg").ok());
  int copied = 0;
  BOOST_REQUIRE(worker.RunOnce(&copied).ok());
  BOOST_CHECK_EQUAL(copied, 1);
  BOOST_CHECK(rt.volumes.count(SeedVolumeName("pg", 2)));
  BOOST_CHECK(!rt.volumes.count(SeedVolumeName("pg", 1)));  // swept once replaced
  BOOST_CHECK_EQUAL(rt.volume_content[va], "changed");
  BOOST_CHECK_EQUAL(rt.volume_content[vb], first);
  SandboxVolume row;
  bool found = false;
  BOOST_REQUIRE(GetSandboxVolume(db, b.id, "pgdata", &row, &found).ok());
  BOOST_CHECK(found);
  BOOST_CHECK_EQUAL(row.origin, "seed:pg@1");
  Sandbox c = NewSandbox(db, "c");
  Prepare(c, "pgdata", "pg");
  BOOST_REQUIRE(GetSandboxVolume(db, c.id, "pgdata", &row, &found).ok());
  BOOST_CHECK_EQUAL(row.origin, "seed:pg@2");
  // No helper container is left behind.
  for (const auto& [name, info] : rt.containers) BOOST_CHECK_MESSAGE(false, name + " left");
}

BOOST_FIXTURE_TEST_CASE(clone_copies_and_destroy_removes, Fixture) {
  Sandbox a = NewSandbox(db, "a");
  std::string va = Prepare(a, "data", "");
  rt.volume_content[va] = "rows";
  Sandbox b = NewSandbox(db, "b");
  BOOST_REQUIRE(PlanVolumeClones(db, a.id, a.engine, b.id, "b").ok());
  std::string vb = Prepare(b, "data", "");
  BOOST_CHECK_EQUAL(vb, "sandbox-b-data");
  BOOST_CHECK_EQUAL(rt.volume_content[vb], "rows");
  rt.volume_content[vb] = "mine";
  Prepare(b, "data", "");
  BOOST_CHECK_EQUAL(rt.volume_content[vb], "mine");
  BOOST_CHECK_EQUAL(rt.volume_content[va], "rows");
  int removed = 0;
  BOOST_REQUIRE(RemoveSandboxVolumes(db, &rt, b, "data1", &removed).ok());
  BOOST_CHECK_EQUAL(removed, 1);
  BOOST_CHECK(!rt.volumes.count(vb));
  BOOST_CHECK(rt.volumes.count(va));
}

BOOST_FIXTURE_TEST_CASE(refuses_another_sandboxs_volume, Fixture) {
  // "a-b" + "c" and "a" + "b-c" name one engine volume.
  Sandbox ab = NewSandbox(db, "a-b");
  Prepare(ab, "c", "");
  Sandbox a = NewSandbox(db, "a");
  std::string out;
  Status s = PrepareSandboxVolume(db, &rt, a, {"b-c", "", "", "data1", nullptr}, &out);
  BOOST_CHECK(s.IsConflict());
}

BOOST_FIXTURE_TEST_CASE(failed_fill_leaves_no_volume, Fixture) {
  ScratchDir dir;
  ReadySeed("pg", dir.path() + "/dump.tar");
  Sandbox a = NewSandbox(db, "a");
  rt.FailCall("StartContainer", 1, Status::Internal("no such image"));
  std::string out;
  Status s = PrepareSandboxVolume(db, &rt, a, {"pgdata", "pg", "", "data1", nullptr}, &out);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK(!rt.volumes.count("sandbox-a-pgdata"));
  // The next deploy fills it.
  Prepare(a, "pgdata", "pg");
  BOOST_CHECK_EQUAL(rt.volume_content["sandbox-a-pgdata"],
                    rt.volume_content[SeedVolumeName("pg", 1)]);
}

BOOST_FIXTURE_TEST_CASE(seed_not_ready_is_refused, Fixture) {
  BOOST_REQUIRE(CreateSeed(db, FileSeed("pg", "/nonexistent.tar")).ok());
  Sandbox a = NewSandbox(db, "a");
  std::string out;
  Status s = PrepareSandboxVolume(db, &rt, a, {"pgdata", "pg", "", "data1", nullptr}, &out);
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(!rt.volumes.count("sandbox-a-pgdata"));
  int copied = 0;
  BOOST_REQUIRE(worker.RunOnce(&copied).ok());
  Seed seed;
  BOOST_REQUIRE(GetSeed(db, "pg", &seed).ok());
  BOOST_CHECK_EQUAL(seed.state, "failed");
  BOOST_CHECK(!rt.volumes.count(SeedVolumeName("pg", 1)));
}

BOOST_FIXTURE_TEST_CASE(file_seed_checks_owner_and_kind, Fixture) {
  ScratchDir dir;
  Seed chat = FileSeed("a", dir.path());  // a folder
  BOOST_REQUIRE(CreateSeed(db, chat).ok());
  Seed other = FileSeed("b", "/etc/hostname");
  other.created_by = "eve (cli:4242)";  // not the file's owner (root)
  BOOST_REQUIRE(CreateSeed(db, other).ok());
  Seed link = FileSeed("c", dir.path() + "/link");
  symlink("/etc/hostname", link.source.c_str());
  BOOST_REQUIRE(CreateSeed(db, link).ok());
  int copied = 0;
  BOOST_REQUIRE(worker.RunOnce(&copied).ok());
  BOOST_CHECK_EQUAL(copied, 0);
  for (const char* name : {"a", "b", "c"}) {
    Seed s;
    BOOST_REQUIRE(GetSeed(db, name, &s).ok());
    BOOST_CHECK_EQUAL(s.state, "failed");
  }
  BOOST_CHECK_EQUAL(rt.CallsOf("PutArchive"), 0);
}

BOOST_FIXTURE_TEST_CASE(seed_from_a_sandbox_volume, Fixture) {
  Sandbox a = NewSandbox(db, "a");
  std::string va = Prepare(a, "pgdata", "");
  rt.volume_content[va] = "prod-like";
  BOOST_REQUIRE(CreateSeed(db, VolumeSeed("weekly")).ok());
  int copied = 0;
  BOOST_REQUIRE(worker.RunOnce(&copied).ok());
  BOOST_CHECK_EQUAL(copied, 1);
  BOOST_CHECK_EQUAL(rt.volume_content[SeedVolumeName("weekly", 1)], "prod-like");
  BOOST_CHECK_EQUAL(rt.volumes[SeedVolumeName("weekly", 1)].at(kLabelSeed), "weekly");
  // A deleted seed's volume goes on the next sweep.
  BOOST_REQUIRE(DeleteSeed(db, "weekly").ok());
  int removed = 0;
  BOOST_REQUIRE(worker.Sweep(&removed).ok());
  BOOST_CHECK_EQUAL(removed, 1);
  BOOST_CHECK(!rt.volumes.count(SeedVolumeName("weekly", 1)));
}

BOOST_AUTO_TEST_CASE(refresh_due_decision) {
  Seed seed;
  seed.state = "ready";
  seed.tried_at = 1000000;
  BOOST_CHECK(!SeedRefreshDue(seed, 1000000 + 999999999));  // no period: only when asked
  seed.refresh_every = 3600;
  BOOST_CHECK(!SeedRefreshDue(seed, 1000000 + 3599999));
  BOOST_CHECK(SeedRefreshDue(seed, 1000000 + 3600000));
  seed.state = "copying";  // one copy at a time
  BOOST_CHECK(!SeedRefreshDue(seed, 1000000 + 7200000));
  seed.state = "failed";  // tried again a period after the failed try, not at once
  BOOST_CHECK(SeedRefreshDue(seed, 1000000 + 3600000));
  BOOST_CHECK(!SeedRefreshDue(seed, 1000000 + 60000));
}

BOOST_FIXTURE_TEST_CASE(scheduled_refresh_makes_a_new_generation, Fixture) {
  Sandbox a = NewSandbox(db, "a");
  std::string va = Prepare(a, "pgdata", "");
  rt.volume_content[va] = "monday";
  Seed s = VolumeSeed("weekly");
  s.refresh_every = 7 * 86400;
  BOOST_REQUIRE(CreateSeed(db, s).ok());
  int copied = 0;
  BOOST_REQUIRE(worker.RunOnce(&copied).ok());
  BOOST_CHECK_EQUAL(copied, 1);
  Sandbox b = NewSandbox(db, "b");
  std::string vb = Prepare(b, "pgdata", "weekly");
  BOOST_CHECK_EQUAL(rt.volume_content[vb], "monday");
  BOOST_REQUIRE(GetSeed(db, "weekly", &s).ok());
  const int64_t tried = s.tried_at;
  std::vector<std::string> due;
  BOOST_REQUIRE(RequestDueSeedRefreshes(db, tried + 7 * 86400 * 1000LL - 1, &due).ok());
  BOOST_CHECK(due.empty());
  // A week on: the next pass copies the source again.
  rt.volume_content[va] = "next monday";
  BOOST_REQUIRE(RequestDueSeedRefreshes(db, tried + 7 * 86400 * 1000LL, &due).ok());
  BOOST_REQUIRE_EQUAL(due.size(), 1u);
  BOOST_CHECK_EQUAL(due[0], "weekly");
  BOOST_REQUIRE(RequestDueSeedRefreshes(db, tried + 8 * 86400 * 1000LL, &due).ok());
  BOOST_CHECK(due.empty());  // copying already
  BOOST_REQUIRE(worker.RunOnce(&copied).ok());
  BOOST_CHECK_EQUAL(copied, 1);
  BOOST_REQUIRE(GetSeed(db, "weekly", &s).ok());
  BOOST_CHECK_EQUAL(s.generation, 2);
  BOOST_CHECK_EQUAL(s.refresh_every, 7 * 86400);
  BOOST_CHECK_EQUAL(rt.volume_content[SeedVolumeName("weekly", 2)], "next monday");
  BOOST_CHECK_EQUAL(rt.volume_content[vb], "monday");  // b's copy never moves
  // Not due again until a period after this refresh began.
  BOOST_CHECK(!SeedRefreshDue(s, s.tried_at + 1000));
}

BOOST_AUTO_TEST_CASE(template_seed_wins_over_the_compose_files) {
  const std::map<std::string, std::string> tpl = {{"pgdata", "tpl-pg"}, {"blank", ""}};
  const std::map<std::string, std::string> file = {
      {"pgdata", "file-pg"}, {"cache", "file-cache"}, {"blank", "file-blank"}};
  std::string from;
  BOOST_CHECK_EQUAL(ChooseVolumeSeed("pgdata", tpl, file, &from), "tpl-pg");
  BOOST_CHECK_EQUAL(from, "template");
  BOOST_CHECK_EQUAL(ChooseVolumeSeed("cache", tpl, file, &from), "file-cache");
  BOOST_CHECK_EQUAL(from, "compose file");
  BOOST_CHECK_EQUAL(ChooseVolumeSeed("blank", tpl, file, &from), "file-blank");
  BOOST_CHECK_EQUAL(ChooseVolumeSeed("other", tpl, file, &from), "");
  BOOST_CHECK_EQUAL(from, "");
}

BOOST_FIXTURE_TEST_CASE(copy_helper_is_left_to_the_caller_only_when_asked, Fixture) {
  rt.volumes["from"] = {};
  rt.volumes["to"] = {};
  rt.volume_content["from"] = "rows";
  std::string helper;
  BOOST_REQUIRE(CopyVolume(&rt, "", "from", "to", {}, nullptr, &helper).ok());
  BOOST_CHECK_EQUAL(rt.volume_content["to"], "rows");
  BOOST_CHECK(!helper.empty());
  BOOST_CHECK_EQUAL(rt.containers.size(), 1u);  // the caller's to remove
  RemoveHelper(&rt, helper, "to");
  BOOST_CHECK(rt.containers.empty());
  BOOST_REQUIRE(CopyVolume(&rt, "", "from", "to", {}).ok());
  BOOST_CHECK(rt.containers.empty());
  // The default wait (engines without one) answers at its timeout while the
  // process runs.
  rt.AddContainer("busy", "running", {});
  ContainerState state;
  BOOST_REQUIRE(static_cast<ContainerRuntime&>(rt).WaitContainer("busy", 0, &state).ok());
  BOOST_CHECK(state.exists && state.running);
}

BOOST_FIXTURE_TEST_CASE(commands, Fixture) {
  HandlerContext ctx;
  ctx.db = db;
  auto run = [&](const std::string& text, const std::string& source, Role role, Reply* reply) {
    Request req;
    req.user_id = source == "cli" ? "cli:1000" : "U1";
    req.user_name = "ana";
    req.source = source;
    req.role = role;
    Status s = ParseCommand("seed", text, &req.command);
    return s.ok() ? HandleCommand(ctx, req, reply) : s;
  };
  Reply reply;
  // From chat a path would be read with the daemon's rights for nobody known.
  Status s = run("create s1 --from-file /etc/shadow", "slack", Role::kAdmin, &reply);
  BOOST_CHECK(s.IsForbidden());
  BOOST_CHECK(s.message().find("from the CLI") != std::string::npos);
  reply = Reply();
  BOOST_REQUIRE(run("create s1 --from-file /tmp/d.tar", "cli", Role::kDeployer, &reply).ok());
  BOOST_CHECK(reply.view.text.find("copying file /tmp/d.tar into seed s1") != std::string::npos);
  Seed seed;
  BOOST_REQUIRE(GetSeed(db, "s1", &seed).ok());
  BOOST_CHECK_EQUAL(seed.created_by, "ana (cli:1000)");
  reply = Reply();
  s = run("create s2 --from qa db:pgdata", "slack", Role::kDeployer, &reply);
  BOOST_CHECK(s.IsNotFound());  // no sandbox qa
  Sandbox qa = NewSandbox(db, "qa");
  reply = Reply();
  s = run("create s2 --from qa db:pgdata", "slack", Role::kDeployer, &reply);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("has no volume pgdata") != std::string::npos);
  Prepare(qa, "pgdata", "");
  reply = Reply();
  BOOST_REQUIRE(run("create s2 --from qa db:pgdata", "slack", Role::kDeployer, &reply).ok());
  BOOST_REQUIRE(GetSeed(db, "s2", &seed).ok());
  BOOST_CHECK_EQUAL(seed.source, "qa db:pgdata");
  reply = Reply();
  BOOST_CHECK(run("delete s2", "slack", Role::kDeployer, &reply).IsForbidden());
  reply = Reply();
  BOOST_REQUIRE(run("list", "slack", Role::kViewer, &reply).ok());
  BOOST_CHECK(reply.view.text.find("• s2: copying generation 1") != std::string::npos);
  reply = Reply();
  BOOST_REQUIRE(run("delete s2", "slack", Role::kAdmin, &reply).ok());
  BOOST_CHECK(GetSeed(db, "s2", &seed).IsNotFound());
}

BOOST_FIXTURE_TEST_CASE(snapshot_with_data_copies_volumes_and_restore_refills_them, Fixture) {
  HandlerContext ctx;
  ctx.db = db;
  auto run = [&](const std::string& text, Reply* reply) {
    Request req;
    req.user_id = "U1";
    req.user_name = "ana";
    req.source = "slack";
    req.role = Role::kDeployer;
    Status s = ParseCommand("sandbox", text, &req.command);
    return s.ok() ? HandleCommand(ctx, req, reply) : s;
  };
  Sandbox qa = NewSandbox(db, "qa");
  std::string v = Prepare(qa, "pgdata", "");
  rt.volume_content[v] = "before";
  Reply reply;
  BOOST_REQUIRE(run("snapshot qa plain", &reply).ok());  // without: no copies
  std::vector<Seed> seeds;
  BOOST_REQUIRE(ListSeeds(db, &seeds).ok());
  BOOST_CHECK(seeds.empty());
  reply = Reply();
  BOOST_REQUIRE(run("snapshot qa before --with-data", &reply).ok());
  const std::string copy = SnapshotSeedName(qa.id, "before", "pgdata");
  BOOST_CHECK(reply.view.text.find(copy) != std::string::npos);
  Seed seed;
  BOOST_REQUIRE(GetSeed(db, copy, &seed).ok());
  BOOST_CHECK_EQUAL(seed.snapshot_of, qa.id);
  BOOST_CHECK(!ValidateSeedName(copy).ok());  // no user command can name it
  // Not restorable until the copy is whole.
  reply = Reply();
  Status s = run("restore qa before", &reply);
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(s.message().find("copying") != std::string::npos);
  int copied = 0;
  BOOST_REQUIRE(worker.RunOnce(&copied).ok());
  BOOST_CHECK_EQUAL(copied, 1);
  BOOST_CHECK_EQUAL(rt.volume_content[SeedVolumeName(copy, 1)], "before");
  // A destructive test later; then the restore.
  rt.volume_content[v] = "after";
  reply = Reply();
  BOOST_REQUIRE(run("restore qa before", &reply).ok());
  BOOST_CHECK(reply.view.text.find("1 volumes filled") != std::string::npos);
  std::string restored = Prepare(qa, "pgdata", "");
  BOOST_CHECK(restored != v);  // the old one stays mounted until its container goes
  BOOST_CHECK_EQUAL(restored.rfind("sandbox-qa-pgdata.r", 0), 0u);
  BOOST_CHECK_EQUAL(rt.volume_content[restored], "before");
  SandboxVolume row;
  bool found = false;
  BOOST_REQUIRE(GetSandboxVolume(db, qa.id, "pgdata", &row, &found).ok());
  BOOST_CHECK_EQUAL(row.origin, "seed:" + copy + "@1");
  rt.volume_content[restored] = "again";
  BOOST_CHECK_EQUAL(Prepare(qa, "pgdata", ""), restored);  // redeploys keep it
  BOOST_CHECK_EQUAL(rt.volume_content[restored], "again");
  // Destroy: every volume of the sandbox, and the snapshot's copies with it.
  int removed = 0;
  BOOST_REQUIRE(RemoveSandboxVolumes(db, &rt, qa, "data1", &removed).ok());
  BOOST_REQUIRE(DeleteSandbox(db, "qa").ok());
  BOOST_CHECK(GetSeed(db, copy, &seed).IsNotFound());
  BOOST_REQUIRE(worker.Sweep(&removed).ok());
  BOOST_CHECK(!rt.volumes.count(SeedVolumeName(copy, 1)));
}

BOOST_FIXTURE_TEST_CASE(reconciler_sweeps_orphan_volumes, Fixture) {
  ScratchDir data;
  const std::string label = DataLabel(data.path());
  Sandbox a = NewSandbox(db, "a");
  std::string out;
  BOOST_REQUIRE(PrepareSandboxVolume(db, &rt, a, {"data", "", "", label, nullptr}, &out).ok());
  // Left by a destroy cut short: the sandbox is gone from the store.
  rt.volumes["sandbox-gone-data"] = {
      {kLabelManaged, "true"}, {kLabelSandbox, "gone"}, {kLabelData, label}};
  // A seed's copy at work: no sandbox, running.
  rt.AddContainer("sandbot-seed-x-1.copy", "running",
                  {{kLabelManaged, "true"}, {kLabelRole, "copy"}, {kLabelData, label}});
  Reconciler reconciler(db, &rt, data.path(), 0);
  ReconcileReport report;
  BOOST_REQUIRE(reconciler.RunOnce(&report).ok());
  BOOST_CHECK_EQUAL(report.volumes_removed, 1);
  BOOST_CHECK(!rt.volumes.count("sandbox-gone-data"));
  BOOST_CHECK(rt.volumes.count("sandbox-a-data"));
  BOOST_CHECK(rt.containers.count("sandbot-seed-x-1.copy"));
}

// `sandbox move`: the sandbox's volume rows are marked for a copy from the
// engine it leaves; the first deploy on the new engine copies each across
// (GET /archive there, PUT /archive here), replacing a copy an earlier stay
// left, and an engine no longer configured is said, not guessed.
BOOST_FIXTURE_TEST_CASE(a_moved_sandboxs_volume_is_copied_across_engines, Fixture) {
  Sandbox b = NewSandbox(db, "qa");
  BOOST_REQUIRE(SetSandboxEngine(db, "qa", "far").ok());
  FakeRuntime far;  // where it lived: rt is the engine it moves to
  BOOST_REQUIRE(PutSandboxVolume(db, b.id, {"pgdata", "sandbox-qa-pgdata", "empty", 0}).ok());
  far.volumes["sandbox-qa-pgdata"] = {};
  far.volume_content["sandbox-qa-pgdata"] = "rows of far";
  MoveRequest move;
  move.sandbox = "qa";
  move.to = "local";
  move.actor = "cli:0";
  std::string from;
  std::vector<int64_t> jobs;
  int volumes = 0;
  BOOST_REQUIRE(MoveSandbox(db, move, &from, &jobs, &volumes).ok());
  BOOST_CHECK_EQUAL(volumes, 1);
  SandboxVolume row;
  bool found = false;
  BOOST_REQUIRE(GetSandboxVolume(db, b.id, "pgdata", &row, &found).ok());
  BOOST_CHECK_EQUAL(row.origin, "move-pending:far:sandbox-qa-pgdata");
  // A copy left here by an earlier stay is replaced.
  rt.volumes["sandbox-qa-pgdata"] = {{kLabelSandbox, "qa"}, {kLabelVolume, "pgdata"}};
  rt.volume_content["sandbox-qa-pgdata"] = "stale";
  ScratchDir spool;
  VolumeRequest req{"pgdata", "", "", "data1", nullptr};
  req.scratch_dir = spool.path();
  std::string engine_volume;
  // No engine of that name any more: said.
  req.engines = [](const std::string&) -> ContainerRuntime* { return nullptr; };
  BOOST_REQUIRE(GetSandbox(db, "qa", &b).ok());
  Status s = PrepareSandboxVolume(db, &rt, b, req, &engine_volume);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("engine 'far'") != std::string::npos);
  req.engines = [&far](const std::string& name) -> ContainerRuntime* {
    return name == "far" ? &far : nullptr;
  };
  s = PrepareSandboxVolume(db, &rt, b, req, &engine_volume);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_CHECK_EQUAL(engine_volume, "sandbox-qa-pgdata");
  BOOST_CHECK_EQUAL(far.CallsOf("GetArchive"), 1);
  BOOST_CHECK_EQUAL(rt.CallsOf("PutArchive"), 1);
  // The stale copy, then the volume the failed fill above had made.
  BOOST_CHECK_EQUAL(rt.CallsOf("RemoveVolume"), 2);
  BOOST_CHECK(rt.volume_content["sandbox-qa-pgdata"].rfind("tar:" + spool.path(), 0) == 0);
  BOOST_CHECK(far.volumes.count("sandbox-qa-pgdata"));  // the old copy stays there
  // Helpers gone on both engines, the spool file removed.
  BOOST_CHECK(far.containers.empty());
  BOOST_CHECK(rt.containers.empty());
  BOOST_CHECK(std::filesystem::is_empty(spool.path()));
  BOOST_REQUIRE(GetSandboxVolume(db, b.id, "pgdata", &row, &found).ok());
  BOOST_CHECK_EQUAL(row.origin, "engine:far:sandbox-qa-pgdata");
  // Once copied, a redeploy keeps it.
  s = PrepareSandboxVolume(db, &rt, b, req, &engine_volume);
  BOOST_CHECK(s.ok());
  BOOST_CHECK_EQUAL(far.CallsOf("GetArchive"), 1);
}

// Seeds live on the default engine; a clone's source on its sandbox's. A
// sandbox on another engine gets its copy across (GET /archive there, PUT
// /archive here), never a helper mounting a volume its engine lacks (the
// engine would make it, empty); and a seed of a volume on another engine is
// copied across to where seeds live.
BOOST_FIXTURE_TEST_CASE(seeds_and_clone_sources_are_copied_across_engines, Fixture) {
  FakeRuntime far;  // another engine; rt is "local", the default
  ScratchDir spool;
  EngineLookup engines = [&](const std::string& name) -> ContainerRuntime* {
    return name == "far" ? &far : name == "local" ? &rt : nullptr;
  };
  ReadySeed("pg", spool.path() + "/dump.tar");
  Seed seed;
  BOOST_REQUIRE(GetSeed(db, "pg", &seed).ok());
  Sandbox qa = NewSandbox(db, "qa");
  BOOST_REQUIRE(SetSandboxEngine(db, "qa", "far").ok());
  BOOST_REQUIRE(GetSandbox(db, "qa", &qa).ok());
  VolumeRequest req{"pgdata", "pg", "", "data1", nullptr};
  req.engines = engines;
  req.seeds_engine = "local";
  req.scratch_dir = spool.path();
  std::string engine_volume;
  Status s = PrepareSandboxVolume(db, &far, qa, req, &engine_volume);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  // (The fake records a PUT /archive as the spooled file's name.)
  BOOST_CHECK(
      far.volume_content[engine_volume].rfind("tar:" + spool.path() + "/sandbot-move-", 0) == 0);
  BOOST_CHECK(!far.volumes.count(seed.volume));  // no empty stand-in made there
  BOOST_CHECK_EQUAL(rt.CallsOf("GetArchive"), 1);
  BOOST_CHECK_EQUAL(far.CallsOf("PutArchive"), 1);
  // A clone of qa placed on local copies qa's volume from far.
  far.volume_content[engine_volume] = "rows of qa";
  Sandbox copy = NewSandbox(db, "copy");
  BOOST_REQUIRE(PlanVolumeClones(db, qa.id, qa.engine, copy.id, "copy").ok());
  SandboxVolume row;
  bool found = false;
  BOOST_REQUIRE(GetSandboxVolume(db, copy.id, "pgdata", &row, &found).ok());
  BOOST_CHECK_EQUAL(row.origin, "clone-pending:sandbox-qa-pgdata@far");
  BOOST_REQUIRE(SetSandboxEngine(db, "copy", "local").ok());
  BOOST_REQUIRE(GetSandbox(db, "copy", &copy).ok());
  req.seed = "";
  s = PrepareSandboxVolume(db, &rt, copy, req, &engine_volume);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_CHECK(rt.volume_content[engine_volume].rfind("tar:", 0) == 0);
  BOOST_CHECK(!rt.volumes.count("sandbox-qa-pgdata"));
  BOOST_REQUIRE(GetSandboxVolume(db, copy.id, "pgdata", &row, &found).ok());
  BOOST_CHECK_EQUAL(row.origin, "sandbox:sandbox-qa-pgdata");
  // An engine no longer configured is said, and nothing is made empty.
  Sandbox lost = NewSandbox(db, "lost");
  BOOST_REQUIRE(
      PutSandboxVolume(db, lost.id,
                       {"pgdata", "sandbox-lost-pgdata", "clone-pending:sandbox-qa-pgdata@gone", 0})
          .ok());
  BOOST_REQUIRE(SetSandboxEngine(db, "lost", "local").ok());
  BOOST_REQUIRE(GetSandbox(db, "lost", &lost).ok());
  s = PrepareSandboxVolume(db, &rt, lost, req, &engine_volume);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("engine 'gone'") != std::string::npos);
  BOOST_CHECK(!rt.volumes.count("sandbox-lost-pgdata"));
  // A seed from qa's volume (on far) is made where seeds live.
  worker.AcrossEngines(engines, "local", spool.path());
  Seed from_far = VolumeSeed("from-far");
  from_far.source = "qa db:pgdata";
  BOOST_REQUIRE(CreateSeed(db, from_far).ok());
  int copied = 0;
  BOOST_REQUIRE(worker.RunOnce(&copied).ok());
  BOOST_CHECK_EQUAL(copied, 1);
  BOOST_REQUIRE(GetSeed(db, "from-far", &seed).ok());
  BOOST_CHECK_EQUAL(seed.state, "ready");
  BOOST_CHECK(rt.volume_content[seed.volume].rfind("tar:", 0) == 0);
  BOOST_CHECK_EQUAL(far.CallsOf("GetArchive"), 2);  // the clone's copy, then the seed's
  BOOST_CHECK(far.containers.empty());
  BOOST_CHECK(rt.containers.empty());
}

BOOST_AUTO_TEST_SUITE_END()
