// Route changes for services that reload on a signal: Reroute signals their
// running containers instead of recreating them, and recreates the rest.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bot/deployer.h"
#include "store/environments.h"
#include "store/repos.h"
#include "store/routes.h"
#include "store/sandboxes.h"
#include "store/secret_keys.h"
#include "tests/unit/fake_runtime.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

const std::string kSha1 = "1111111111111111111111111111111111111111";
const std::string kSha2 = "2222222222222222222222222222222222222222";

struct RerouteFixture {
  TestStore t;
  Db* db = t.db.get();
  FakeRuntime engine;
  Sandbox sandbox;
  std::vector<std::string> events;

  RerouteFixture() {
    // web reloads on SIGHUP; api does not declare a signal.
    for (const char* name : {"web", "api"}) {
      Repo r;
      r.name = name;
      r.path = std::string("/nonexistent/") + name + ".git";
      r.health = "";  // staying up is the check: no HTTP to a fake
      if (r.name == "web") r.reload_signal = "HUP";
      BOOST_REQUIRE(AddRepo(db, r).ok());
    }
    sandbox.name = "qa";
    sandbox.created_by = "ana (U1)";
    BOOST_REQUIRE(CreateSandbox(db, &sandbox).ok());
    int port = 19100;
    for (const char* name : {"web", "api"}) {
      Service svc;
      svc.name = svc.repo = name;
      svc.branch = "main";
      BOOST_REQUIRE(UpsertService(db, sandbox.id, &svc).ok());
      BOOST_REQUIRE(
          SetServiceDeployed(db, svc.id, kSha1, std::string("sandbot/") + name + ":x", "cid", "u")
              .ok());
      BOOST_REQUIRE(SetServiceStatus(db, svc.id, ServiceStatus::kRunning, "").ok());
      int got = 0;
      BOOST_REQUIRE(AllocatePort(db, svc.id, port, port + 5, &got).ok());
      port += 10;
    }
  }

  // A running container as StartService would have created it.
  void Running(const std::string& service, const std::string& commit, bool routes_dir = true) {
    Labels labels = {{"sandbot.managed", "true"},
                     {"sandbot.data", DataLabel(t.dir.path())},
                     {"sandbot.sandbox", "qa"},
                     {"sandbot.service", service},
                     {"sandbot.commit", commit}};
    if (routes_dir) labels["sandbot.routes"] = "dir";
    engine.AddContainer(ContainerName("qa", service), "running", labels);
    engine.containers[ContainerName("qa", service)].image = "sandbot/" + service + ":x";
  }

  Status Reroute() {
    DeployConfig config;
    config.data_dir = t.dir.path();
    Deployer deployer(db, &engine, config,
                      [this](const JobEvent& e) { events.push_back(e.message); });
    Job job;
    job.id = 7;
    job.kind = JobKind::kReroute;
    job.sandbox = "qa";
    return deployer.Run(job);
  }

  std::string RoutesJson() {
    std::ifstream in(t.dir.path() + "/work/qa/etc-sandbot/routes.json");
    std::stringstream all;
    all << in.rdbuf();
    return all.str();
  }
};

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

BOOST_AUTO_TEST_CASE(reload_signal_names_are_an_allow_list) {
  BOOST_CHECK(ValidateReloadSignal("").ok());
  BOOST_CHECK(ValidateReloadSignal("HUP").ok());
  BOOST_CHECK(ValidateReloadSignal("USR1").ok());
  BOOST_CHECK(ValidateReloadSignal("USR2").ok());
  for (const char* bad : {"KILL", "TERM", "SIGHUP", "hup", "9", "HUP;"}) {
    Status s = ValidateReloadSignal(bad);
    BOOST_CHECK(s.IsInvalidArgument());
    BOOST_CHECK(s.message().find("HUP, USR1 or USR2") != std::string::npos);
  }
  TestStore t;
  Repo r;
  r.name = "web";
  r.path = "/nonexistent/web.git";
  r.reload_signal = "USR2";
  BOOST_REQUIRE(AddRepo(t.db.get(), r).ok());
  Repo back;
  BOOST_REQUIRE(GetRepo(t.db.get(), "web", &back).ok());
  BOOST_CHECK_EQUAL(back.reload_signal, "USR2");
}

BOOST_AUTO_TEST_CASE(reroute_signals_a_declared_reloader_and_recreates_the_rest) {
  RerouteFixture f;
  f.Running("web", kSha1);
  f.Running("api", kSha1);
  BOOST_REQUIRE(SetRoute(f.db, f.sandbox.id, "api", "baseline").ok());
  BOOST_REQUIRE(f.Reroute().ok());

  BOOST_CHECK_EQUAL(f.engine.signalled.size(), 1u);
  BOOST_CHECK(Contains(f.engine.signalled, ContainerName("qa", "web") + " HUP"));
  BOOST_CHECK(!Contains(f.engine.removed, ContainerName("qa", "web")));
  BOOST_CHECK(!Contains(f.engine.removed, StandbyContainerName("qa", "web")));
  BOOST_CHECK_EQUAL(f.engine.containers[ContainerName("qa", "web")].id,
                    "id-" + ContainerName("qa", "web"));
  // Replaced: the old container goes under its standby name.
  BOOST_CHECK(Contains(f.engine.removed, StandbyContainerName("qa", "api")));
  BOOST_CHECK(Contains(f.engine.started, ContainerName("qa", "api")));
  BOOST_CHECK(Contains(f.events, "web reloaded routes (SIGHUP)"));
  BOOST_CHECK(
      Contains(f.events, "routes applied to 2 containers of qa (1 signalled, 1 recreated)"));
  // The signalled container reads the rewritten table through its folder mount.
  BOOST_CHECK(f.RoutesJson().find("\"route\": \"baseline\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reroute_recreates_a_reloader_it_cannot_signal_safely) {
  // An older commit than the row says, a stopped container, a container from
  // before the folder mount: each is recreated, never signalled.
  for (int variant = 0; variant < 3; ++variant) {
    RerouteFixture f;
    if (variant == 0) f.Running("web", kSha2);
    if (variant == 1) {
      f.Running("web", kSha1);
      f.engine.containers[ContainerName("qa", "web")].state = "exited";
    }
    if (variant == 2) f.Running("web", kSha1, /*routes_dir=*/false);
    f.Running("api", kSha1);
    BOOST_REQUIRE(f.Reroute().ok());
    BOOST_CHECK(f.engine.signalled.empty());
    BOOST_CHECK(Contains(f.engine.removed, StandbyContainerName("qa", "web")));
    BOOST_CHECK(
        Contains(f.events, "routes applied to 2 containers of qa (0 signalled, 2 recreated)"));
    // What replaced it mounts the routes folder, so the next change can signal.
    BOOST_CHECK_EQUAL(f.engine.containers[ContainerName("qa", "web")].labels["sandbot.routes"],
                      "dir");
  }
}

namespace {

// Where `call` is in the engine's call log from `from` on; -1 when it never
// came.
int IndexOf(const std::vector<std::string>& log, const std::string& call, int from = 0) {
  auto it = std::find(log.begin() + from, log.end(), call);
  return it == log.end() ? -1 : static_cast<int>(it - log.begin());
}

bool AnyContains(const std::vector<std::string>& list, const std::string& part) {
  for (const std::string& item : list) {
    if (item.find(part) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

// Issue 16 item 13: the running container steps aside (renamed, still
// running) while its successor is created, stops only for it to start, and
// is removed only once it has started.
BOOST_AUTO_TEST_CASE(a_recreate_keeps_the_running_container_until_its_successor_starts) {
  RerouteFixture f;
  f.Running("web", kSha1);
  f.Running("api", kSha1);
  BOOST_REQUIRE(f.Reroute().ok());
  const std::string api = ContainerName("qa", "api"), standby = StandbyContainerName("qa", "api");
  const int aside = IndexOf(f.engine.log, "RenameContainer " + api + " " + standby);
  const int created = IndexOf(f.engine.log, "CreateContainer " + api);
  const int stopped = IndexOf(f.engine.log, "StopContainer " + standby);
  const int started = IndexOf(f.engine.log, "StartContainer id-" + api);
  const int removed = IndexOf(f.engine.log, "RemoveContainer " + standby, aside);
  BOOST_REQUIRE(aside >= 0);
  BOOST_CHECK(aside < created);
  BOOST_CHECK(created < stopped);
  BOOST_CHECK(stopped < started);
  BOOST_CHECK(started < removed);
  BOOST_CHECK_EQUAL(IndexOf(f.engine.log, "RemoveContainer " + api), -1);
  BOOST_CHECK(f.engine.containers.count(standby) == 0);
  BOOST_CHECK_EQUAL(f.engine.containers[api].state, "running");
}

// The engine refuses the new container, at create (a limit) or at start (a
// file mounted over a folder): the running one gets its name back and runs,
// the row still says running, the job fails saying so.
BOOST_AUTO_TEST_CASE(a_recreate_the_engine_refuses_keeps_the_running_container) {
  for (const char* method : {"CreateContainer", "StartContainer", "RenameContainer"}) {
    BOOST_TEST_CONTEXT(method) {
      RerouteFixture f;
      f.Running("web", kSha1);
      f.Running("api", kSha1);
      const std::string api = ContainerName("qa", "api");
      f.engine.containers[api].labels["test.marker"] = "the one that ran";
      f.engine.FailCall(method, 1,
                        Status::InvalidArgument("error mounting \"/x/files/0-www\" to rootfs at "
                                                "\"/www\": not a directory"));
      Status s = f.Reroute();
      BOOST_CHECK(!s.ok());
      BOOST_CHECK_MESSAGE(
          s.message().find("the running one (1111111) is kept") != std::string::npos, s.message());
      BOOST_REQUIRE(f.engine.containers.count(api));
      BOOST_CHECK_EQUAL(f.engine.containers[api].labels["test.marker"], "the one that ran");
      BOOST_CHECK_EQUAL(f.engine.containers[api].state, "running");
      BOOST_CHECK(f.engine.containers.count(StandbyContainerName("qa", "api")) == 0);
      BOOST_CHECK_EQUAL(f.engine.containers.size(), 2u);  // web and api
      Service svc;
      BOOST_REQUIRE(GetService(f.db, "qa", "api", &svc).ok());
      BOOST_CHECK_EQUAL(ServiceStatusName(svc.status), "running");
      BOOST_CHECK_EQUAL(svc.commit, kSha1);
      BOOST_CHECK(AnyContains(f.events, "cannot replace the container of api"));
    }
  }
}

// A stopped container (a resume) whose successor the engine refuses: back
// in its place, still stopped, and the service says failed.
BOOST_AUTO_TEST_CASE(a_stopped_container_whose_successor_is_refused_stays_stopped) {
  RerouteFixture f;
  f.Running("web", kSha1);
  f.Running("api", kSha1);
  const std::string api = ContainerName("qa", "api");
  f.engine.containers[api].state = "exited";
  f.engine.containers[api].labels["test.marker"] = "the one that ran";
  f.engine.FailCall("StartContainer", 1, Status::InvalidArgument("not a directory"));
  Status s = f.Reroute();
  BOOST_CHECK(!s.ok());
  BOOST_CHECK_MESSAGE(s.message().find("the previous one is back, stopped") != std::string::npos,
                      s.message());
  BOOST_CHECK_EQUAL(f.engine.containers[api].labels["test.marker"], "the one that ran");
  BOOST_CHECK_EQUAL(f.engine.containers[api].state, "exited");
  Service svc;
  BOOST_REQUIRE(GetService(f.db, "qa", "api", &svc).ok());
  BOOST_CHECK_EQUAL(ServiceStatusName(svc.status), "failed");
}

// A replacement cut short (the daemon killed between the steps): the next
// one brings back the container that ran, or keeps a successor that runs.
BOOST_AUTO_TEST_CASE(a_replacement_cut_short_is_settled_by_the_next) {
  for (int variant = 0; variant < 3; ++variant) {
    BOOST_TEST_CONTEXT(variant) {
      RerouteFixture f;
      f.Running("web", kSha1);
      f.Running("api", kSha1);
      const std::string api = ContainerName("qa", "api"),
                        standby = StandbyContainerName("qa", "api");
      // 0: set aside only; 1: successor created, not started; 2: successor runs.
      BOOST_REQUIRE(f.engine.RenameContainer(api, standby).ok());
      if (variant >= 1) f.engine.AddContainer(api, variant == 2 ? "running" : "created", {});
      f.engine.log.clear();
      BOOST_REQUIRE(f.Reroute().ok());
      BOOST_CHECK(f.engine.containers.count(standby) == 0);
      BOOST_CHECK_EQUAL(f.engine.containers[api].state, "running");
      if (variant < 2) {
        // The one that ran came back first, then was replaced as usual.
        BOOST_CHECK(IndexOf(f.engine.log, "RenameContainer " + standby + " " + api) >= 0);
      } else {
        BOOST_CHECK_EQUAL(IndexOf(f.engine.log, "RenameContainer " + standby + " " + api), -1);
      }
    }
  }
}

// An environment file stored under a path the rules now refuse (written
// before they tightened): nothing is created, renamed or removed.
BOOST_AUTO_TEST_CASE(an_attached_file_at_a_reserved_path_stops_the_recreate_before_any_change) {
  for (const char* path : {"/etc/.", "/.", "/var/run/secrets/TOKEN"}) {
    RerouteFixture f;
    f.Running("web", kSha1);
    f.Running("api", kSha1);
    const SecretKeys none{SecretBox()};
    BOOST_REQUIRE(CreateEnvironment(f.db, "bad", "ana").ok());
    BOOST_REQUIRE(SetEnvEntry(f.db, none, "bad", path, "file", "x=1", false).ok());
    bool already = false;
    BOOST_REQUIRE(AttachEnvironment(f.db, "bad", f.sandbox.id, "api", "ana", &already).ok());
    Status s = f.Reroute();
    BOOST_CHECK(s.IsInvalidArgument());
    BOOST_CHECK_MESSAGE(s.message().find(path) != std::string::npos, s.message());
    BOOST_CHECK(s.message().find("/env unset") != std::string::npos);
    const std::string api = ContainerName("qa", "api");
    BOOST_CHECK_EQUAL(f.engine.containers[api].state, "running");
    BOOST_CHECK(!AnyContains(f.engine.log, "CreateContainer"));
    BOOST_CHECK(!AnyContains(f.engine.log, "RenameContainer"));
    BOOST_CHECK(!AnyContains(f.engine.log, "RemoveContainer " + api));
  }
}
