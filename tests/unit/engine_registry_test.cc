// Several engines: placement, the store's engine column, drains, jobs that
// wait for their own engine only, and `sandbox move`.
#include "bot/engine_registry.h"

#include <boost/test/unit_test.hpp>
#include <set>

#include "bot/sandbox_move.h"
#include "handlers/command.h"
#include "store/engines.h"
#include "store/jobs.h"
#include "store/sandboxes.h"
#include "test_util.h"

namespace sandbot {
namespace {

EngineSpec Spec(const std::string& name) {
  EngineSpec e;
  e.name = name;
  e.url = "unix:///nonexistent/" + name + ".sock";  // never dialled by these tests
  return e;
}

Sandbox MakeSandbox(Db* db, const std::string& name, int services, const std::string& engine = "") {
  Sandbox b;
  b.name = name;
  b.created_by = "ana";
  b.engine = engine;
  BOOST_REQUIRE(CreateSandbox(db, &b).ok());
  for (int i = 0; i < services; ++i) {
    Service s;
    s.name = "svc" + std::to_string(i);
    s.repo = s.name;
    s.branch = "main";
    BOOST_REQUIRE(UpsertService(db, b.id, &s).ok());
  }
  return b;
}

MoveRequest Req(const std::string& sandbox, const std::string& to) {
  MoveRequest r;
  r.sandbox = sandbox;
  r.to = to;
  r.actor = "cli:0";
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_registry)

BOOST_AUTO_TEST_CASE(choose_engine_takes_the_least_loaded_reachable_undrained) {
  std::string chosen;
  BOOST_TEST(ChooseEngine({{"a", true, false, 3}, {"b", true, false, 1}}, &chosen).ok());
  BOOST_TEST(chosen == "b");
  // A tie goes to the first configured.
  BOOST_TEST(ChooseEngine({{"a", true, false, 2}, {"b", true, false, 2}}, &chosen).ok());
  BOOST_TEST(chosen == "a");
  // Down and drained engines are passed over, however empty.
  BOOST_TEST(
      ChooseEngine({{"a", false, false, 0}, {"b", true, true, 0}, {"c", true, false, 9}}, &chosen)
          .ok());
  BOOST_TEST(chosen == "c");
  Status s = ChooseEngine({{"a", false, false, 0}, {"b", true, true, 0}}, &chosen);
  BOOST_TEST(s.IsUnavailable());
  BOOST_TEST(s.message().find("a is down, b is drained") != std::string::npos, s.message());
}

// By memory when limits are set and every engine's memory is known; by
// container count otherwise.
BOOST_AUTO_TEST_CASE(choose_engine_by_memory_room) {
  constexpr int64_t G = 1LL << 30;
  struct Case {
    const char* what;
    std::vector<EngineRoom> rooms;
    int64_t need;
    std::string want;
  };
  const std::vector<Case> cases = {
      {"no limits anywhere: fewest containers, whatever the memory",
       {{"a", true, false, 5, 64 * G, 0}, {"b", true, false, 1, 8 * G, 0}},
       0,
       "b"},
      {"limits set: the most room, not the fewest containers",
       {{"a", true, false, 5, 64 * G, 10 * G}, {"b", true, false, 1, 8 * G, 4 * G}},
       0,
       "a"},
      {"only the new sandbox has a limit: still by room",
       {{"a", true, false, 5, 64 * G, 0}, {"b", true, false, 1, 8 * G, 0}},
       1 * G,
       "a"},
      {"a bigger engine that is fuller has less room",
       {{"a", true, false, 1, 64 * G, 60 * G}, {"b", true, false, 9, 8 * G, 1 * G}},
       1 * G,
       "b"},
      {"equal room: fewest containers",
       {{"a", true, false, 3, 16 * G, 8 * G}, {"b", true, false, 2, 12 * G, 4 * G}},
       0,
       "b"},
      {"equal room and load: the first configured",
       {{"a", true, false, 2, 16 * G, 8 * G}, {"b", true, false, 2, 12 * G, 4 * G}},
       0,
       "a"},
      {"an engine whose memory is unknown: back to counting",
       {{"a", true, false, 5, 64 * G, 1 * G}, {"b", true, false, 1, 0, 0}},
       1 * G,
       "b"},
      {"a down engine's unknown memory does not matter",
       {{"a", true, false, 5, 64 * G, 1 * G},
        {"b", false, false, 0, 0, 0},
        {"c", true, false, 0, 2 * G, 0}},
       1 * G,
       "a"},
      {"drained: passed over however roomy",
       {{"a", true, true, 0, 256 * G, 0}, {"b", true, false, 7, 4 * G, 3 * G}},
       1 * G,
       "b"},
      {"over-committed engines: the least over",
       {{"a", true, false, 1, 4 * G, 9 * G}, {"b", true, false, 1, 4 * G, 6 * G}},
       1 * G,
       "b"},
  };
  for (const Case& c : cases) {
    std::string chosen;
    Status s = ChooseEngine(c.rooms, &chosen, c.need);
    BOOST_TEST(s.ok(), c.what << ": " << s.message());
    BOOST_TEST(chosen == c.want, c.what << ": chose " << chosen);
  }
}

// A remote engine (a public host of its own that is not a loopback one)
// publishes ports beyond its loopback and is probed at that host; an engine
// on this machine keeps 127.0.0.1 for both.
BOOST_AUTO_TEST_CASE(remote_engines_publish_and_are_probed_at_their_public_host) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "localhost", "LocalHost", "::1", "[::1]"}) {
    BOOST_TEST(IsLoopbackHost(h), h);
  }
  for (const char* h : {"10.0.0.2", "build-2.example.com", "0.0.0.0", "128.0.0.1", ""}) {
    BOOST_TEST(!IsLoopbackHost(h), h);
  }
  TestStore store;
  DeployConfig base;
  base.public_host = "sandbox.example.com";  // the daemon's, behind a proxy: unchanged
  EngineSpec local = Spec("local"), far = Spec("far"), near = Spec("near");
  far.public_host = "10.0.0.2";
  near.public_host = "localhost";
  EngineRegistry registry(store.db.get(), {local, far, near}, base, nullptr, store.dir.path());
  const DeployConfig& l = registry.Find("local")->deploy;
  BOOST_TEST(l.publish_ip == "127.0.0.1");
  BOOST_TEST(ProbeHost(l) == "127.0.0.1");
  BOOST_TEST(ServiceUrl(l, 9001) == "http://sandbox.example.com:9001");
  const DeployConfig& f = registry.Find("far")->deploy;
  BOOST_TEST(f.publish_ip == "0.0.0.0");
  BOOST_TEST(ProbeHost(f) == "10.0.0.2");
  BOOST_TEST(ServiceUrl(f, 9001) == "http://10.0.0.2:9001");
  const DeployConfig& n = registry.Find("near")->deploy;
  BOOST_TEST(n.publish_ip == "127.0.0.1");
  BOOST_TEST(ProbeHost(n) == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(a_sandbox_is_placed_once_and_twenty_spread_evenly) {
  TestStore store;
  EngineRegistry registry(store.db.get(), {Spec("a"), Spec("b")}, DeployConfig(), nullptr,
                          store.dir.path());
  for (int i = 0; i < 20; ++i) MakeSandbox(store.db.get(), "s" + std::to_string(i), 2);
  std::map<std::string, int> per_engine;
  for (int i = 0; i < 20; ++i) {
    std::string engine;
    BOOST_REQUIRE(registry.Place("s" + std::to_string(i), &engine).ok());
    ++per_engine[engine];
    // Asked again, it answers where it is: never placed twice.
    std::string again;
    BOOST_REQUIRE(registry.Place("s" + std::to_string(i), &again).ok());
    BOOST_TEST(again == engine);
  }
  BOOST_TEST(per_engine["a"] == 10);
  BOOST_TEST(per_engine["b"] == 10);
  std::map<std::string, int> counts;
  BOOST_REQUIRE(CountEngineSandboxes(store.db.get(), &counts).ok());
  BOOST_TEST(counts[""] == 0);
}

BOOST_AUTO_TEST_CASE(placement_skips_a_down_or_drained_engine) {
  TestStore store;
  EngineRegistry registry(store.db.get(), {Spec("a"), Spec("b"), Spec("c")}, DeployConfig(),
                          nullptr, store.dir.path());
  registry.Find("a")->breaker->Trip("stopped");
  BOOST_REQUIRE(SetEngineDrained(store.db.get(), "b", true, "cli:0").ok());
  BOOST_TEST((registry.Waiting() == std::vector<std::string>{"a"}));
  BOOST_TEST(registry.AnyReachable());
  MakeSandbox(store.db.get(), "x", 1);
  std::string engine;
  BOOST_REQUIRE(registry.Place("x", &engine).ok());
  BOOST_TEST(engine == "c");
  // Nothing left to take it: the sandbox stays unplaced, its job waits.
  BOOST_REQUIRE(SetEngineDrained(store.db.get(), "c", true, "cli:0").ok());
  MakeSandbox(store.db.get(), "y", 1);
  BOOST_TEST(registry.Place("y", &engine).IsUnavailable());
  BOOST_REQUIRE(GetSandboxEngine(store.db.get(), "y", &engine).ok());
  BOOST_TEST(engine.empty());
  std::set<std::string> drained;
  BOOST_REQUIRE(SetEngineDrained(store.db.get(), "c", false, "cli:0").ok());
  BOOST_REQUIRE(ListDrainedEngines(store.db.get(), &drained).ok());
  BOOST_TEST((drained == std::set<std::string>{"b"}));
}

BOOST_AUTO_TEST_CASE(a_sandbox_named_for_an_engine_goes_there) {
  TestStore store;
  EngineRegistry registry(store.db.get(), {Spec("a"), Spec("b")}, DeployConfig(), nullptr,
                          store.dir.path());
  MakeSandbox(store.db.get(), "pinned", 1, "b");
  Engine* engine = nullptr;
  BOOST_REQUIRE(registry.ForSandbox("pinned", &engine).ok());
  BOOST_TEST(engine->spec.name == "b");
  // A sandbox the store no longer has (a destroy's last job): the default.
  BOOST_REQUIRE(registry.ForSandbox("gone", &engine).ok());
  BOOST_TEST(engine->spec.name == "a");
  // One on an engine no longer configured is said so, not guessed.
  MakeSandbox(store.db.get(), "lost", 1, "old");
  Status s = registry.ForSandbox("lost", &engine);
  BOOST_TEST(s.IsNotFound());
  BOOST_TEST(s.message().find("sandbox move lost --to") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_CASE(each_engine_has_its_own_ports_and_host) {
  TestStore store;
  EngineSpec b = Spec("b");
  b.ports = "9500-9599";
  b.public_host = "b.example.com";
  DeployConfig base;
  base.port_lo = 9001;
  base.port_hi = 9099;
  EngineRegistry registry(store.db.get(), {Spec("a"), b}, base, nullptr, store.dir.path());
  BOOST_TEST(registry.Find("a")->deploy.port_lo == 9001);
  BOOST_TEST(registry.Find("b")->deploy.port_lo == 9500);
  BOOST_TEST(registry.Find("b")->deploy.port_hi == 9599);
  BOOST_TEST(registry.Find("b")->deploy.public_host == "b.example.com");
  BOOST_TEST(registry.Find("a")->is_default);
  BOOST_TEST(registry.Find("a")->Owns(""));  // rows from before engines were named
  BOOST_TEST(!registry.Find("b")->Owns(""));
}

BOOST_AUTO_TEST_CASE(jobs_of_a_down_engine_wait_while_others_run) {
  TestStore store;
  Db* db = store.db.get();
  MakeSandbox(db, "on-a", 1, "a");
  MakeSandbox(db, "on-b", 1, "b");
  MakeSandbox(db, "new", 1, "");
  for (const char* name : {"on-a", "on-b", "new"}) {
    Job j = DeployJob(name, "svc0", std::string(40, 'a'));
    BOOST_REQUIRE(EnqueueJob(db, &j).ok());
  }
  std::vector<std::string> claimed;
  for (int i = 0; i < 3; ++i) {
    Job job;
    bool found = false;
    BOOST_REQUIRE(ClaimNextJob(db, {"a"}, &job, &found).ok());
    if (found) claimed.push_back(job.sandbox);
  }
  // Unplaced sandboxes wait for no engine in particular.
  BOOST_TEST((claimed == std::vector<std::string>{"on-b", "new"}));
}

BOOST_AUTO_TEST_CASE(older_deployed_rows_are_adopted_by_the_default_engine) {
  TestStore store;
  Db* db = store.db.get();
  Sandbox ran = MakeSandbox(db, "ran", 1);
  MakeSandbox(db, "never", 1);
  BOOST_REQUIRE(SetServiceDeployed(db, ran.services.empty() ? 1 : ran.services[0].id,
                                   std::string(40, 'b'), "img", "c0ffee", "http://x")
                    .ok());
  int adopted = 0;
  BOOST_REQUIRE(AdoptDeployedSandboxes(db, "local", &adopted).ok());
  BOOST_TEST(adopted == 1);
  std::string engine;
  BOOST_REQUIRE(GetSandboxEngine(db, "ran", &engine).ok());
  BOOST_TEST(engine == "local");
  BOOST_REQUIRE(GetSandboxEngine(db, "never", &engine).ok());
  BOOST_TEST(engine.empty());
}

BOOST_AUTO_TEST_CASE(move_rebuilds_what_ran_on_the_new_engine) {
  TestStore store;
  Db* db = store.db.get();
  MakeSandbox(db, "qa", 2, "a");
  Sandbox qa;
  BOOST_REQUIRE(GetSandbox(db, "qa", &qa).ok());
  BOOST_REQUIRE(
      SetServiceDeployed(db, qa.services[0].id, std::string(40, 'c'), "img", "id1", "http://x")
          .ok());
  MoveRequest r = Req("qa", "b");
  std::string from;
  std::vector<int64_t> jobs;
  // Refused: a drained or down target, the engine it is on.
  r.to_drained = true;
  BOOST_TEST(MoveSandbox(db, r, &from, &jobs).IsConflict());
  r.to_drained = false;
  r.to_reachable = false;
  BOOST_TEST(MoveSandbox(db, r, &from, &jobs).IsUnavailable());
  r.to_reachable = true;
  MoveRequest same = Req("qa", "a");
  BOOST_TEST(MoveSandbox(db, same, &from, &jobs).IsConflict());
  BOOST_REQUIRE(MoveSandbox(db, r, &from, &jobs).ok());
  BOOST_TEST(from == "a");
  BOOST_REQUIRE(jobs.size() == 1u);  // svc1 never ran: nothing to rebuild
  Job job;
  BOOST_REQUIRE(GetJob(db, jobs[0], &job).ok());
  BOOST_TEST(job.commit == std::string(40, 'c'));
  BOOST_TEST(job.service == "svc0");
  std::string engine;
  BOOST_REQUIRE(GetSandboxEngine(db, "qa", &engine).ok());
  BOOST_TEST(engine == "b");
  // Its jobs queued: a second move waits for them.
  MoveRequest back = Req("qa", "a");
  BOOST_TEST(MoveSandbox(db, back, &from, &jobs).IsConflict());
}

BOOST_AUTO_TEST_CASE(create_takes_an_engine) {
  Command cmd;
  BOOST_REQUIRE(ParseCommand("sandbox", "create qa web@main --engine far-2", &cmd).ok());
  BOOST_TEST(cmd.engine == "far-2");
  Command chat;
  BOOST_REQUIRE(ParseCommand("sandbox", "create qa engine=b web@main", &chat).ok());
  BOOST_TEST(chat.engine == "b");
  Command bad;
  BOOST_TEST(!ParseCommand("sandbox", "create qa --engine", &bad).ok());
  BOOST_TEST(!ParseCommand("sandbox", "create qa --engine Bad!", &bad).ok());
  BOOST_TEST(!ParseCommand("sandbox", "create qa --engine a --engine b", &bad).ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sandbot
