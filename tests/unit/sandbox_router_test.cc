#define BOOST_TEST_DYN_LINK
#include "bot/sandbox_router.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bot/router_image.h"
#include "handlers/router_table.h"
#include "tests/unit/fake_runtime.h"
#include "tests/unit/test_util.h"
#include "util/engine_names.h"

using namespace sandbot;

namespace {

// As the router does: write beside, rename into place.
void Ack(const std::string& dir, const std::string& version) {
  {
    std::ofstream out(dir + "/table-version.tmp");
    out << version << "\n";
  }
  std::rename((dir + "/table-version.tmp").c_str(), (dir + "/table-version").c_str());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sandbox_router)

BOOST_AUTO_TEST_CASE(router_spec_holds_the_names_and_mounts) {
  ContainerSpec spec = RouterContainerSpec("qa", "sandbot/router:x", {"api", "web"}, "/d/routes",
                                           "/d/state", "lbl", "65534:65534");
  BOOST_CHECK_EQUAL(spec.name, RouterContainerName("qa"));
  BOOST_CHECK_EQUAL(spec.network, NetworkName("qa"));
  BOOST_CHECK(spec.aliases == (std::vector<std::string>{"api", "web"}));
  BOOST_CHECK_EQUAL(spec.labels[kLabelRouterNames], "api,web");
  BOOST_CHECK_EQUAL(spec.labels[kLabelRole], "router");
  BOOST_CHECK_EQUAL(spec.binds.at(0), "/d/routes:/etc/sandbot:ro");
  BOOST_CHECK_EQUAL(spec.user, "65534:65534");
  BOOST_CHECK((spec.cmd == std::vector<std::string>{"--ack", kRouterAckFile}));
  BOOST_CHECK_EQUAL(spec.binds.size(), 2u);

  // The operator's CA: mounted read-only, named to the router, and in a
  // label so another file recreates the router.
  spec = RouterContainerSpec("qa", "sandbot/router:x", {"api"}, "/d/routes", "/d/state", "lbl",
                             "65534:65534", "/etc/corp/ca.pem");
  BOOST_CHECK_EQUAL(spec.binds.at(2), std::string("/etc/corp/ca.pem:") + kRouterCaFile + ":ro");
  BOOST_CHECK(
      (spec.cmd == std::vector<std::string>{"--ack", kRouterAckFile, "--ca", kRouterCaFile}));
  BOOST_CHECK_EQUAL(spec.labels[kLabelRouterCa], "/etc/corp/ca.pem");
  BOOST_CHECK_EQUAL(spec.host_port, 0);  // no main URL: nothing published

  // The main URL: the gateway's host port published to where the router
  // listens for it, and in a label so another port recreates the router.
  spec = RouterContainerSpec("qa", "sandbot/router:x", {"web"}, "/d/routes", "/d/state", "lbl",
                             "65534:65534", "", {"web", 8091, 3000});
  BOOST_CHECK_EQUAL(spec.host_port, 8091);
  BOOST_CHECK_EQUAL(spec.container_port, 3000);
  BOOST_CHECK_EQUAL(spec.labels[kLabelRouterMain], "8091:3000");
}

// With several engines each needs the image: the first one's having it
// says nothing of the next (the router then failed there: "No such image").
BOOST_AUTO_TEST_CASE(every_engine_is_asked_for_the_router_image) {
  ScratchDir data;
  std::string tag;
  BOOST_REQUIRE(RouterImageTag(&tag).ok());
  FakeRuntime near, far;
  for (FakeRuntime* engine : {&near, &far}) {
    Status s = EnsureSandboxRouter(engine, data.path(), "lbl", "qa", {"web"});
    BOOST_CHECK_MESSAGE(s.ok(), s.message());
    BOOST_CHECK(std::find(engine->log.begin(), engine->log.end(), "ImageExists " + tag) !=
                engine->log.end());
    BOOST_CHECK_EQUAL(engine->containers[RouterContainerName("qa")].image, tag);
  }
}

BOOST_AUTO_TEST_CASE(await_wakes_on_the_acknowledgement_and_times_out_without) {
  ScratchDir data;
  const std::string dir = RouterStateDir(data.path(), "qa");
  std::filesystem::create_directories(dir);
  Ack(dir, "old");
  int waited = -1;
  BOOST_CHECK(AwaitRouterTable(data.path(), "qa", "old", 1000, &waited).ok());
  BOOST_CHECK_LT(waited, 100);

  // Acknowledged 30 ms later: woken by the rename, well before the timeout.
  std::thread router([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    Ack(dir, "v2");
  });
  const auto t0 = std::chrono::steady_clock::now();
  Status s = AwaitRouterTable(data.path(), "qa", "v2", 3000, &waited);
  const auto took = std::chrono::steady_clock::now() - t0;
  router.join();
  BOOST_CHECK(s.ok());
  BOOST_CHECK_GE(waited, 25);
  BOOST_CHECK_LT(std::chrono::duration_cast<std::chrono::milliseconds>(took).count(), 1000);

  // Never acknowledged: the answer names the version in use.
  s = AwaitRouterTable(data.path(), "qa", "v3", 120, &waited);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK_GE(waited, 120);
  BOOST_CHECK(s.message().find("it uses v2") != std::string::npos);
  // No state folder at all (a router never started): polls, then says none.
  s = AwaitRouterTable(data.path(), "nosuch", "v1", 60, &waited);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK(s.message().find("it uses none") != std::string::npos);
}

// A starting service waits for the table the routes folder holds now,
// whichever thread wrote it last: rewritten while waiting, the newer one.
BOOST_AUTO_TEST_CASE(await_current_table_follows_the_routes_folder) {
  ScratchDir data;
  const std::string state = RouterStateDir(data.path(), "qa");
  const std::string routes = RoutesDir(data.path(), "qa");
  std::filesystem::create_directories(state);
  std::filesystem::create_directories(routes);
  auto write_table = [&](const std::string& text) {
    std::ofstream(routes + "/routes.json", std::ios::trunc) << text;
  };
  write_table("{\"a\": 1}\n");
  Ack(state, RouterTableVersion("{\"a\": 1}\n"));
  int waited = -1;
  BOOST_CHECK(AwaitRouterCurrentTable(data.path(), "qa", 1000, &waited).ok());
  BOOST_CHECK_LT(waited, 100);

  write_table("{\"a\": 2}\n");
  Status s = AwaitRouterCurrentTable(data.path(), "qa", 80, &waited);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK(s.message().find(RouterTableVersion("{\"a\": 2}\n")) != std::string::npos);
  std::thread router([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    Ack(state, RouterTableVersion("{\"a\": 2}\n"));
  });
  s = AwaitRouterCurrentTable(data.path(), "qa", 3000, &waited);
  router.join();
  BOOST_CHECK(s.ok());
}

BOOST_AUTO_TEST_SUITE_END()
