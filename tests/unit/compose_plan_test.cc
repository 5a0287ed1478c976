#define BOOST_TEST_DYN_LINK
#include "handlers/compose_plan.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;

namespace {

ComposeProject Parse(const std::string& text) {
  ComposeProject p;
  std::vector<ComposeProblem> errors, warnings;
  ComposeOptions o;
  Status s = ParseCompose(text, o, &p, &errors, &warnings);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  return p;
}

bool HasEnv(const ContainerSpec& spec, const std::string& kv) {
  return std::find(spec.env.begin(), spec.env.end(), kv) != spec.env.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compose_plan)

BOOST_AUTO_TEST_CASE(durations_and_sizes) {
  int64_t ns = 0;
  BOOST_TEST(ParseComposeDuration("1m30s", &ns));
  BOOST_TEST(ns == 90000000000LL);
  BOOST_TEST(ParseComposeDuration("500ms", &ns));
  BOOST_TEST(ns == 500000000LL);
  BOOST_TEST(!ParseComposeDuration("5 s", &ns));
  BOOST_TEST(!ParseComposeDuration("", &ns));
  BOOST_TEST(ParseComposeBytes("512M") == 512LL << 20);
  BOOST_TEST(ParseComposeBytes("1g") == 1LL << 30);
  BOOST_TEST(ParseComposeBytes("100") == 100);
  BOOST_TEST(ParseComposeBytes("x") == 0);
}

BOOST_AUTO_TEST_CASE(readiness_and_main_port) {
  ComposeProject p = Parse(R"(
services:
  db:
    image: busybox
    expose: ["5432"]
    healthcheck: {test: ["CMD", "true"], interval: 1s}
  migrate:
    image: busybox
    depends_on: {db: {condition: service_healthy}}
  web:
    image: busybox
    ports: ["8080:80", "9090"]
    depends_on:
      migrate: {condition: service_completed_successfully}
  debug:
    image: busybox
    profiles: [debug]
)");
  const auto enabled = EnabledServices(p, {});
  BOOST_TEST(enabled == (std::vector<std::string>{"db", "migrate", "web"}));
  BOOST_TEST(EnabledServices(p, {"debug"}).size() == 4u);
  BOOST_TEST(static_cast<int>(ReadinessOf(p, "db", enabled)) ==
             static_cast<int>(ComposeReadiness::kHealthy));
  BOOST_TEST(static_cast<int>(ReadinessOf(p, "migrate", enabled)) ==
             static_cast<int>(ComposeReadiness::kCompleted));
  BOOST_TEST(static_cast<int>(ReadinessOf(p, "web", enabled)) ==
             static_cast<int>(ComposeReadiness::kStarted));
  BOOST_TEST(ComposeMainPort(*p.Find("web")) == 80);
  BOOST_TEST(ComposeMainPort(*p.Find("db")) == 5432);
  BOOST_TEST(ComposeMainPort(*p.Find("migrate")) == 0);
}

BOOST_AUTO_TEST_CASE(profile_service_needed_by_an_enabled_one_runs) {
  ComposeProject p = Parse(R"(
services:
  app: {image: busybox, depends_on: [tools]}
  tools: {image: busybox, profiles: [dev]}
)");
  BOOST_TEST(EnabledServices(p, {}).size() == 2u);
}

BOOST_AUTO_TEST_CASE(apply_service) {
  ComposeProject p = Parse(R"(
services:
  api:
    image: busybox
    entrypoint: ["/bin/sh", "-c"]
    command: "httpd -f -p 3000"
    environment: {PORT: "1", DB: "postgres://db", SANDBOT_SANDBOX: evil, EMPTY: ""}
    labels: {team: core, sandbot.sandbox: evil}
    working_dir: /srv
    user: "1000:1000"
    restart: unless-stopped
    expose: ["3000", "3001"]
    healthcheck: {test: "wget -q -O- localhost:3000", interval: 2s, retries: 5}
    volumes: [data:/var/data, /anon, {type: tmpfs, target: /run/x}]
    deploy: {resources: {limits: {memory: 64M, cpus: "0.5"}}}
volumes:
  data: {}
)");
  ContainerSpec spec;
  spec.env = {"SANDBOT_SANDBOX=qa", "PORT=8080"};
  spec.labels = {{"sandbot.sandbox", "qa"}, {"sandbot.data", "/d"}};
  spec.memory_bytes = 256 << 20;
  BOOST_REQUIRE(ApplyComposeService(*p.Find("api"), "qa", "", &spec).ok());
  BOOST_TEST(spec.entrypoint == (std::vector<std::string>{"/bin/sh", "-c"}));
  BOOST_TEST(spec.cmd == (std::vector<std::string>{"httpd", "-f", "-p", "3000"}));
  BOOST_TEST(HasEnv(spec, "SANDBOT_SANDBOX=qa"));
  BOOST_TEST(!HasEnv(spec, "SANDBOT_SANDBOX=evil"));
  BOOST_TEST(HasEnv(spec, "PORT=3000"));  // the main port, not the file's PORT=1
  BOOST_TEST(HasEnv(spec, "DB=postgres://db"));
  BOOST_TEST(HasEnv(spec, "EMPTY="));
  BOOST_TEST(spec.labels["team"] == "core");
  BOOST_TEST(spec.labels["sandbot.sandbox"] == "qa");
  BOOST_TEST(spec.working_dir == "/srv");
  BOOST_TEST(spec.user == "1000:1000");
  BOOST_TEST(spec.restart == "unless-stopped");
  BOOST_TEST(spec.healthcheck.test ==
             (std::vector<std::string>{"CMD-SHELL", "wget -q -O- localhost:3000"}));
  BOOST_TEST(spec.healthcheck.interval_ns == 2000000000LL);
  BOOST_TEST(spec.healthcheck.retries == 5);
  BOOST_REQUIRE(spec.extra_ports.size() == 1u);  // 3000 is the main port
  BOOST_TEST(spec.extra_ports[0].container_port == 3001);
  BOOST_REQUIRE(spec.volume_mounts.size() == 2u);
  BOOST_TEST(spec.volume_mounts[0].volume == "sandbox-qa-data");
  BOOST_TEST(spec.volume_mounts[0].target == "/var/data");
  BOOST_TEST(spec.volume_mounts[1].volume == "");  // anonymous: goes with the container
  BOOST_TEST(spec.volume_labels["sandbot.data"] == "/d");
  BOOST_TEST(spec.tmpfs == (std::vector<std::string>{"/run/x"}));
  BOOST_TEST(spec.memory_bytes == 64LL << 20);  // below the sandbox's 256M
  BOOST_TEST(spec.nano_cpus == 500000000LL);
}

BOOST_AUTO_TEST_CASE(file_limits_never_raise_sandbot_limits) {
  ComposeProject p = Parse(R"(
services:
  big: {image: busybox, deploy: {resources: {limits: {memory: 4G, cpus: "8"}}}}
)");
  ContainerSpec spec;
  spec.memory_bytes = 256 << 20;
  spec.nano_cpus = 1000000000;
  BOOST_REQUIRE(ApplyComposeService(*p.Find("big"), "qa", "", &spec).ok());
  BOOST_TEST(spec.memory_bytes == 256LL << 20);
  BOOST_TEST(spec.nano_cpus == 1000000000LL);
}

BOOST_AUTO_TEST_CASE(bind_mounts_come_read_only_from_the_checkout) {
  ComposeProject p = Parse(R"(
services:
  web: {image: busybox, volumes: ["./static:/usr/share/static"]}
)");
  ContainerSpec spec;
  BOOST_TEST(ApplyComposeService(*p.Find("web"), "qa", "", &spec).IsInvalidArgument());
  ContainerSpec with;
  BOOST_REQUIRE(ApplyComposeService(*p.Find("web"), "qa", "/data/work/qa/web-abc", &with).ok());
  BOOST_TEST(with.binds ==
             (std::vector<std::string>{"/data/work/qa/web-abc/static:/usr/share/static:ro"}));
}

BOOST_AUTO_TEST_SUITE_END()
