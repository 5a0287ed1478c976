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

namespace {

std::string SecretOf(const ResolvedEnv& env, const std::string& key) {
  for (const auto& [k, v] : env.secrets) {
    if (k == key) return v;
  }
  return "(none)";
}

std::string FileOf(const ResolvedEnv& env, const std::string& path) {
  for (const ResolvedFile& f : env.files) {
    if (f.path == path) return f.content;
  }
  return "(none)";
}

const char kFilesYaml[] = R"(
services:
  web:
    image: busybox
    secrets:
      - db_password
      - {source: api_token, target: token}
      - {source: api_token, target: /run/secrets/token2}
      - {source: tls_key, target: /etc/app/tls.key}
      - vault
    configs:
      - nginx
      - {source: app, target: /etc/app/app.conf}
      - {source: app, target: etc/app/rel.conf}
secrets:
  db_password: {file: ./secrets/db.txt}
  api_token: {environment: API_TOKEN}
  tls_key: {file: tls.key}
  vault: {external: true, name: VAULT_TOKEN}
configs:
  nginx: {file: nginx.conf}
  app: {environment: APP_CONF}
)";

}  // namespace

// Compose secrets and configs become the same read-only files sandbot's own
// secrets are: /run/secrets/NAME, configs at their target.
BOOST_AUTO_TEST_CASE(secrets_and_configs_become_files) {
  const ComposeProject p = Parse(kFilesYaml);
  ComposeContents contents;
  contents.secrets = {{"db_password", "hunter2"}, {"api_token", "tok"}, {"tls_key", "KEY"}};
  contents.configs = {{"nginx", "server {}"}, {"app", "a=1"}};
  ResolvedEnv env;
  env.secrets.emplace_back("VAULT_TOKEN", "from-env");
  std::string note;
  Status s = AddComposeFiles(p, *p.Find("web"), contents, &env, &note);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  BOOST_CHECK_EQUAL(SecretOf(env, "db_password"), "hunter2");  // /run/secrets/NAME
  BOOST_CHECK_EQUAL(SecretOf(env, "token"), "tok");            // relative target
  BOOST_CHECK_EQUAL(SecretOf(env, "token2"), "tok");           // /run/secrets/ target
  BOOST_CHECK_EQUAL(FileOf(env, "/etc/app/tls.key"), "KEY");   // elsewhere: a file
  // external: the attached environment's secret of that name, already at
  // /run/secrets/VAULT_TOKEN; the compose name is a second file.
  BOOST_CHECK_EQUAL(SecretOf(env, "vault"), "from-env");
  BOOST_CHECK_EQUAL(SecretOf(env, "VAULT_TOKEN"), "from-env");
  BOOST_CHECK_EQUAL(FileOf(env, "/nginx"), "server {}");  // config default: /NAME
  BOOST_CHECK_EQUAL(FileOf(env, "/etc/app/app.conf"), "a=1");
  BOOST_CHECK_EQUAL(FileOf(env, "/etc/app/rel.conf"), "a=1");  // relative: under /
  BOOST_CHECK_EQUAL(env.secrets.size(), 5u);
  BOOST_CHECK_EQUAL(env.files.size(), 4u);
  BOOST_CHECK(note.empty());
}

BOOST_AUTO_TEST_CASE(an_attached_environment_wins_over_the_file) {
  const ComposeProject p = Parse(R"(
services:
  web:
    image: busybox
    secrets: [db_password]
    configs: [{source: app, target: /etc/app/app.conf}]
secrets:
  db_password: {file: db.txt}
configs:
  app: {file: app.conf}
)");
  ComposeContents contents;
  contents.secrets = {{"db_password", "committed"}};
  contents.configs = {{"app", "committed"}};
  ResolvedEnv env;
  env.secrets.emplace_back("db_password", "operator");
  env.files.push_back({"/etc/app/app.conf", "operator", false});
  std::string note;
  BOOST_REQUIRE(AddComposeFiles(p, *p.Find("web"), contents, &env, &note).ok());
  BOOST_CHECK_EQUAL(SecretOf(env, "db_password"), "operator");
  BOOST_CHECK_EQUAL(FileOf(env, "/etc/app/app.conf"), "operator");
  BOOST_CHECK_EQUAL(env.secrets.size(), 1u);
  BOOST_CHECK_EQUAL(env.files.size(), 1u);
  BOOST_CHECK(note.find("secret db_password stays") != std::string::npos);
  BOOST_CHECK(note.find("file /etc/app/app.conf stays") != std::string::npos);
  BOOST_CHECK(note.find("committed") == std::string::npos);  // never a value
  BOOST_CHECK(note.find("operator") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(refused_secret_targets_and_missing_external_secrets) {
  struct Case {
    const char* target;
    const char* says;
  };
  for (const Case& c :
       {Case{"../escape", "not a file name in /run/secrets"},
        Case{"a/b", "not a file name in /run/secrets"}, Case{"/etc/sandbot/routes.json", "target"},
        Case{"/proc/self/x", "target"}}) {
    BOOST_TEST_CONTEXT(c.target) {
      const ComposeProject p = Parse(std::string("services:\n  web:\n    image: x\n    secrets:\n"
                                                 "      - {source: s, target: \"") +
                                     c.target + "\"}\nsecrets:\n  s: {file: s.txt}\n");
      ComposeContents contents;
      contents.secrets = {{"s", "v"}};
      ResolvedEnv env;
      std::string note;
      Status s = AddComposeFiles(p, *p.Find("web"), contents, &env, &note);
      BOOST_CHECK(s.IsInvalidArgument());
      BOOST_CHECK_MESSAGE(s.message().find(c.says) != std::string::npos, s.message());
      BOOST_CHECK(s.message().find("services.web.secrets.s") != std::string::npos);
    }
  }
  const ComposeProject p = Parse(kFilesYaml);
  ComposeContents contents;
  contents.secrets = {{"db_password", "x"}, {"api_token", "x"}, {"tls_key", "x"}};
  contents.configs = {{"nginx", "x"}, {"app", "x"}};
  ResolvedEnv env;  // no environment gives VAULT_TOKEN
  std::string note;
  Status s = AddComposeFiles(p, *p.Find("web"), contents, &env, &note);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("has a secret VAULT_TOKEN") != std::string::npos);
  BOOST_CHECK(s.message().find("/env attach") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_file_names_the_gateway_when_the_sandbox_has_none) {
  const ComposeProject p = Parse(R"(
services:
  web: {image: busybox, ports: ["80"]}
  api: {image: busybox, ports: ["81"]}
  debug: {image: busybox, profiles: [debug]}
x-sandbot: {gateway: api}
)");
  BOOST_CHECK_EQUAL(ComposeGateway("", p, {"web", "api"}), "api");
  BOOST_CHECK_EQUAL(ComposeGateway("web", p, {"web", "api"}), "web");  // --gateway wins
  BOOST_CHECK_EQUAL(ComposeGateway("", p, {"web"}), "");               // the service does not run
  const ComposeProject none = Parse("services:\n  web: {image: busybox}\n");
  BOOST_CHECK_EQUAL(ComposeGateway("", none, {"web"}), "");
}

BOOST_AUTO_TEST_SUITE_END()
