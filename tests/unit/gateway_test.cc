// Gateway, Traefik labels, container limits and the health roll-up: the pure
// rules, the gateway port range in the store, and the health monitor over a
// fake engine and a real loopback health endpoint.
#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <thread>

#include "bot/health_monitor.h"
#include "handlers/health.h"
#include "handlers/limits.h"
#include "handlers/sandbox.h"
#include "handlers/traefik.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "tests/unit/fake_runtime.h"
#include "tests/unit/test_util.h"
#include "util/engine_names.h"

using namespace sandbot;

namespace {

int64_t AddService(Db* db, const std::string& sandbox, const std::string& service,
                   const std::string& gateway = "") {
  Sandbox b;
  if (GetSandbox(db, sandbox, &b).IsNotFound()) {
    b.name = sandbox;
    b.created_by = "ana";
    b.gateway = gateway;
    BOOST_REQUIRE(CreateSandbox(db, &b).ok());
  }
  Service s;
  s.name = service;
  s.repo = service;
  s.branch = "main";
  BOOST_REQUIRE(UpsertService(db, b.id, &s).ok());
  return s.id;
}

Service Running(const std::string& health = "", int64_t checked_at = 0) {
  Service s;
  s.name = "web";
  s.status = ServiceStatus::kRunning;
  s.updated_at = 1000;
  s.health = health;
  s.health_checked_at = checked_at;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gateway)

BOOST_AUTO_TEST_CASE(traefik_labels) {
  Labels l = TraefikLabels("gw-a", "web", "sandbox.test", 8080, "sandbox-gw-a");
  BOOST_CHECK_EQUAL(l.size(), 4u);
  BOOST_CHECK_EQUAL(l["traefik.enable"], "true");
  BOOST_CHECK_EQUAL(l["traefik.http.routers.gw-a-web.rule"], "Host(`web.gw-a.sandbox.test`)");
  BOOST_CHECK_EQUAL(l["traefik.http.services.gw-a-web.loadbalancer.server.port"], "8080");
  BOOST_CHECK_EQUAL(l["traefik.docker.network"], "sandbox-gw-a");
  BOOST_CHECK(TraefikLabels("gw-a", "web", "", 8080, "sandbox-gw-a").empty());
  BOOST_CHECK_EQUAL(TraefikHost("qa", "api", "dev.example.com"), "api.qa.dev.example.com");

  BOOST_CHECK(ValidateDomain("sandbox.test").ok());
  BOOST_CHECK(ValidateDomain("a-1.example.com").ok());
  for (const char* bad : {"", ".x.com", "x.com.", "a..b", "Host.com", "x`) || Host(`y", "a b"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_CHECK(!ValidateDomain(bad).ok()); }
  }
}

BOOST_AUTO_TEST_CASE(limits_precedence) {
  const int64_t mb = 1024 * 1024;
  // Each limit from the first place that sets it: service, sandbox, configured service, global.
  ContainerLimits l = ResolveLimits({128, 0.25}, {256, 0.5}, {512, 1}, {1024, 2});
  BOOST_CHECK_EQUAL(l.memory_bytes, 128 * mb);
  BOOST_CHECK_EQUAL(l.nano_cpus, 250000000);
  l = ResolveLimits({}, {256, 0.5}, {512, 1}, {1024, 2});
  BOOST_CHECK_EQUAL(l.memory_bytes, 256 * mb);
  BOOST_CHECK_EQUAL(l.nano_cpus, 500000000);
  l = ResolveLimits({}, {}, {512, 1}, {1024, 2});
  BOOST_CHECK_EQUAL(l.memory_bytes, 512 * mb);
  BOOST_CHECK_EQUAL(l.nano_cpus, 1000000000);
  l = ResolveLimits({}, {}, {}, {1024, 2});
  BOOST_CHECK_EQUAL(l.memory_bytes, 1024 * mb);
  BOOST_CHECK_EQUAL(l.nano_cpus, 2000000000);
  // Independently: memory from the sandbox, CPUs from the configuration.
  l = ResolveLimits({}, {64, 0}, {0, 1.5}, {1024, 2});
  BOOST_CHECK_EQUAL(l.memory_bytes, 64 * mb);
  BOOST_CHECK_EQUAL(l.nano_cpus, 1500000000);
  l = ResolveLimits({}, {}, {}, {});
  BOOST_CHECK_EQUAL(l.memory_bytes, 0);
  BOOST_CHECK_EQUAL(l.nano_cpus, 0);
}

BOOST_AUTO_TEST_CASE(gateway_port_comes_from_its_range) {
  TestStore t;
  Db* db = t.db.get();
  int64_t web = AddService(db, "gw-a", "web", "web");
  int64_t api = AddService(db, "gw-a", "api");
  int port = 0;
  // Deployed before it became the gateway: it holds a port in the normal range.
  BOOST_REQUIRE(AllocatePort(db, web, 9001, 9999, &port).ok());
  BOOST_CHECK_EQUAL(port, 9001);
  BOOST_REQUIRE(AllocatePort(db, web, 8080, 8081, &port).ok());
  BOOST_CHECK_EQUAL(port, 8080);
  std::vector<int> ports;
  BOOST_REQUIRE(ListPorts(db, &ports).ok());
  BOOST_CHECK(ports == std::vector<int>{8080});  // 9001 was given back
  BOOST_REQUIRE(AllocatePort(db, web, 8080, 8081, &port).ok());
  BOOST_CHECK_EQUAL(port, 8080);  // kept
  BOOST_REQUIRE(AllocatePort(db, api, 9001, 9999, &port).ok());
  BOOST_CHECK_EQUAL(port, 9001);
  BOOST_REQUIRE(AllocatePort(db, AddService(db, "gw-b", "web", "web"), 8080, 8081, &port).ok());
  BOOST_CHECK_EQUAL(port, 8081);
  Status full = AllocatePort(db, AddService(db, "gw-c", "web", "web"), 8080, 8081, &port);
  BOOST_CHECK(full.IsUnavailable());
  BOOST_CHECK(full.message().find("8080-8081") != std::string::npos);

  // The main URL is the gateway's URL.
  BOOST_REQUIRE(SetServiceDeployed(db, web, "abc", "img", "cid", "http://h:8080").ok());
  Sandbox b;
  BOOST_REQUIRE(GetSandbox(db, "gw-a", &b).ok());
  BOOST_CHECK_EQUAL(MainUrl(b), "http://h:8080");
  nlohmann::json j = SandboxJson(b);
  BOOST_CHECK_EQUAL(j["main_url"], "http://h:8080");
  BOOST_CHECK_EQUAL(j["gateway"], "web");
  b.gateway = "";
  BOOST_CHECK_EQUAL(MainUrl(b), "");
}

BOOST_AUTO_TEST_CASE(probe_verdicts) {
  ProbeFacts f;
  BOOST_CHECK_EQUAL(ProbeVerdict(f), "healthy");
  f.health_path = "/health";
  f.endpoint_status = 200;
  BOOST_CHECK_EQUAL(ProbeVerdict(f), "healthy");
  f.endpoint_status = 503;
  BOOST_CHECK_EQUAL(ProbeVerdict(f), "degraded: /health answered 503");
  f.endpoint_status = 0;
  BOOST_CHECK_EQUAL(ProbeVerdict(f), "degraded: /health did not answer");
  f.endpoint_status = 200;
  f.restarted_recently = true;
  f.restarts = 3;
  BOOST_CHECK_EQUAL(ProbeVerdict(f), "degraded: restarted recently (3 restarts)");
  f.restarted_recently = false;
  f.engine_health = "unhealthy";
  BOOST_CHECK(ProbeVerdict(f).rfind("degraded: ", 0) == 0);
  f.running = false;
  f.state = "exited";
  f.exit_code = 137;
  BOOST_CHECK_EQUAL(ProbeVerdict(f), "unhealthy: its container is exited (exit code 137)");
  f.exists = false;
  BOOST_CHECK_EQUAL(ProbeVerdict(f), "unhealthy: its container is gone");
}

BOOST_AUTO_TEST_CASE(roll_up) {
  // Running and never checked (the deploy's own health wait passed): Healthy.
  BOOST_CHECK(ServiceHealthOf(Running()).health == Health::kHealthy);
  BOOST_CHECK(ServiceHealthOf(Running("healthy", 2000)).health == Health::kHealthy);
  ServiceHealth h = ServiceHealthOf(Running("unhealthy: its container is gone", 2000));
  BOOST_CHECK(h.health == Health::kUnhealthy);
  BOOST_CHECK_EQUAL(h.reason, "its container is gone");
  h = ServiceHealthOf(Running("degraded: / answered 500", 2000));
  BOOST_CHECK(h.health == Health::kDegraded);
  BOOST_CHECK_EQUAL(h.reason, "/ answered 500");
  // A verdict older than the row is about a previous container.
  BOOST_CHECK(ServiceHealthOf(Running("unhealthy: gone", 999)).health == Health::kHealthy);
  Service s = Running();
  s.status = ServiceStatus::kFailed;
  s.detail = "no healthy answer";
  h = ServiceHealthOf(s);
  BOOST_CHECK(h.health == Health::kUnhealthy);
  BOOST_CHECK_EQUAL(h.reason, "deploy failed: no healthy answer");
  s.status = ServiceStatus::kBuilding;
  BOOST_CHECK(ServiceHealthOf(s).health == Health::kDegraded);
  s.status = ServiceStatus::kStopped;
  BOOST_CHECK(ServiceHealthOf(s).health == Health::kUnhealthy);

  Sandbox b;
  b.state = "active";
  BOOST_CHECK(SandboxHealthOf(b) == Health::kHealthy);  // nothing wrong in an empty one
  b.services = {Running(), Running("healthy", 2000)};
  BOOST_CHECK(SandboxHealthOf(b) == Health::kHealthy);
  b.services.push_back(Running("degraded: / did not answer", 2000));
  BOOST_CHECK(SandboxHealthOf(b) == Health::kDegraded);
  b.services.push_back(Running("unhealthy: its container is gone", 2000));
  BOOST_CHECK(SandboxHealthOf(b) == Health::kUnhealthy);
  BOOST_CHECK_EQUAL(HealthName(SandboxHealthOf(b)), "Unhealthy");
  // Suspended is its own answer, not Unhealthy.
  b.state = "suspended";
  for (Service& svc : b.services) svc.status = ServiceStatus::kSuspended;
  BOOST_CHECK(SandboxHealthOf(b) == Health::kSuspended);
  BOOST_CHECK_EQUAL(SandboxJson(b)["health"], "Suspended");
  // One suspended service in an active sandbox is not the whole story.
  b.state = "active";
  b.services = {Running(), Running()};
  b.services[1].status = ServiceStatus::kSuspended;
  BOOST_CHECK(SandboxHealthOf(b) == Health::kDegraded);
}

BOOST_AUTO_TEST_CASE(monitor_records_what_it_sees) {
  TestStore t;
  Db* db = t.db.get();
  // A real loopback health endpoint, failing until told otherwise.
  httplib::Server server;
  std::atomic<int> answer{500};
  server.Get("/health", [&](const httplib::Request&, httplib::Response& res) {
    res.status = answer;
    res.set_content("x", "text/plain");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  BOOST_REQUIRE(port > 0);
  std::thread listener([&] { server.listen_after_bind(); });

  Repo web;
  web.name = "web";
  web.path = t.dir.path() + "/web.git";
  web.health = "/health";
  BOOST_REQUIRE(AddRepo(db, web).ok());
  Repo api = web;
  api.name = "api";
  api.path = t.dir.path() + "/api.git";
  api.health = "";
  BOOST_REQUIRE(AddRepo(db, api).ok());
  int64_t web_id = AddService(db, "gw-m", "web", "web");
  int64_t api_id = AddService(db, "gw-m", "api");
  // The store's port for web is the test server's.
  BOOST_REQUIRE(db->Exec("INSERT INTO ports(port, service_id) VALUES(" + std::to_string(port) +
                         ", " + std::to_string(web_id) + ")")
                    .ok());
  for (auto [id, name] : {std::pair<int64_t, const char*>{web_id, "sandbox-gw-m-web"},
                          {api_id, "sandbox-gw-m-api"}}) {
    BOOST_REQUIRE(SetServiceDeployed(db, id, "abc", "img", name, "http://h").ok());
    BOOST_REQUIRE(SetServiceStatus(db, id, ServiceStatus::kRunning, "").ok());
  }
  FakeRuntime runtime;
  runtime.AddContainer("sandbox-gw-m-web", "running", {});
  runtime.AddContainer("sandbox-gw-m-api", "exited", {});
  HealthMonitor monitor(db, &runtime, std::chrono::milliseconds(500));
  HealthReport report;
  BOOST_REQUIRE(monitor.RunOnce(&report).ok());
  BOOST_CHECK_EQUAL(report.checked, 2);
  BOOST_CHECK_EQUAL(report.unhealthy, 1);
  BOOST_CHECK_EQUAL(report.degraded, 1);
  Sandbox b;
  BOOST_REQUIRE(GetSandbox(db, "gw-m", &b).ok());
  BOOST_CHECK_EQUAL(b.services[0].name, "api");
  BOOST_CHECK_EQUAL(b.services[0].health, "unhealthy: its container is exited (exit code 0)");
  BOOST_CHECK_EQUAL(b.services[1].health, "degraded: /health answered 500");
  BOOST_CHECK(b.services[1].health_checked_at > 0);
  BOOST_CHECK(SandboxHealthOf(b) == Health::kUnhealthy);

  answer = 200;
  runtime.containers["sandbox-gw-m-api"].state = "running";
  report = {};
  BOOST_REQUIRE(monitor.RunOnce(&report).ok());
  BOOST_CHECK_EQUAL(report.checked, 2);
  BOOST_CHECK_EQUAL(report.unhealthy + report.degraded, 0);
  b = {};
  BOOST_REQUIRE(GetSandbox(db, "gw-m", &b).ok());
  BOOST_CHECK(SandboxHealthOf(b) == Health::kHealthy);

  // A redeploy after the monitor read the row: its verdict is dropped.
  Service stale = b.services[1];
  BOOST_REQUIRE(SetServiceStatus(db, web_id, ServiceStatus::kStarting, "").ok());
  BOOST_REQUIRE(SetServiceHealth(db, stale, "unhealthy: its container is gone", 0).ok());
  Service now;
  BOOST_REQUIRE(GetService(db, "gw-m", "web", &now).ok());
  BOOST_CHECK_EQUAL(now.health, "healthy");
  server.stop();
  listener.join();
}

// serve --router: the router's state is part of the sandbox's roll-up.
BOOST_AUTO_TEST_CASE(a_router_that_is_not_running_degrades_its_sandbox) {
  Sandbox b;
  b.name = "rt-h";
  b.state = "active";
  b.services = {Running("healthy", 2000)};
  BOOST_CHECK(RouterHealthOf(b).health == Health::kHealthy);  // none, or never looked
  b.router_health = "healthy";
  BOOST_CHECK(SandboxHealthOf(b) == Health::kHealthy);
  b.router_health = "unhealthy: its container is exited (exit code 137)";
  BOOST_CHECK(SandboxHealthOf(b) == Health::kDegraded);
  BOOST_CHECK_EQUAL(RouterHealthOf(b).reason,
                    "router sandbox-rt-h.router: its container is exited (exit code 137)");
  BOOST_CHECK_EQUAL(SandboxJson(b)["router_health"], RouterHealthOf(b).reason);
  // A worse service still wins.
  b.services.push_back(Running("unhealthy: its container is gone", 2000));
  BOOST_CHECK(SandboxHealthOf(b) == Health::kUnhealthy);

  TestStore t;
  Db* db = t.db.get();
  int64_t web = AddService(db, "rt-m", "web", "web");
  BOOST_REQUIRE(SetServiceDeployed(db, web, "abc", "img", "sandbox-rt-m-web", "http://h").ok());
  BOOST_REQUIRE(SetServiceStatus(db, web, ServiceStatus::kRunning, "").ok());
  AddService(db, "rt-none", "web");  // never had a router: no verdict
  FakeRuntime runtime;
  runtime.AddContainer("sandbox-rt-m-web", "running", {});
  const Labels router_labels = {
      {kLabelManaged, "true"}, {kLabelData, "d1"}, {kLabelRole, "router"}};
  runtime.AddContainer("sandbox-rt-m.router", "exited", router_labels);
  // Another daemon's router of the same name is not ours to judge.
  HealthMonitor other(db, &runtime, std::chrono::milliseconds(500), "d2");
  HealthReport report;
  BOOST_REQUIRE(other.RunOnce(&report).ok());
  BOOST_CHECK_EQUAL(report.degraded, 0);
  HealthMonitor monitor(db, &runtime, std::chrono::milliseconds(500), "d1");
  report = {};
  BOOST_REQUIRE(monitor.RunOnce(&report).ok());
  BOOST_CHECK_EQUAL(report.degraded, 1);
  Sandbox got;
  BOOST_REQUIRE(GetSandbox(db, "rt-m", &got).ok());
  BOOST_CHECK(got.router_health.rfind("unhealthy: its container is exited", 0) == 0);
  BOOST_CHECK(got.router_checked_at > 0);
  BOOST_CHECK(SandboxHealthOf(got) == Health::kDegraded);
  Sandbox none;
  BOOST_REQUIRE(GetSandbox(db, "rt-none", &none).ok());
  BOOST_CHECK_EQUAL(none.router_health, "");
  // Created and not yet started (a deploy making it): not judged.
  runtime.containers["sandbox-rt-m.router"].state = "created";
  BOOST_REQUIRE(SetRouterHealth(db, got.id, "healthy").ok());
  BOOST_REQUIRE(monitor.RunOnce(&report).ok());
  BOOST_REQUIRE(GetSandbox(db, "rt-m", &got).ok());
  BOOST_CHECK_EQUAL(got.router_health, "healthy");
  // Started again (the reconciler's work): healthy at the next pass.
  runtime.containers["sandbox-rt-m.router"].state = "running";
  BOOST_REQUIRE(monitor.RunOnce(&report).ok());
  BOOST_REQUIRE(GetSandbox(db, "rt-m", &got).ok());
  BOOST_CHECK_EQUAL(got.router_health, "healthy");
  BOOST_CHECK(SandboxHealthOf(got) == Health::kHealthy);
  // Removed after having been seen: gone.
  runtime.containers.erase("sandbox-rt-m.router");
  BOOST_REQUIRE(monitor.RunOnce(&report).ok());
  BOOST_REQUIRE(GetSandbox(db, "rt-m", &got).ok());
  BOOST_CHECK_EQUAL(got.router_health, "unhealthy: its container is gone");
}

BOOST_AUTO_TEST_SUITE_END()
