// The Compose parser: normal forms of each key, and every refusal naming the
// file, line and key (issue 12, "Bad input").
#define BOOST_TEST_DYN_LINK
#include "compose/compose_file.h"

#include <boost/test/unit_test.hpp>
#include <map>
#include <string>

#include "compose/compose_render.h"

using namespace sandbot;

namespace {

ComposeOptions Options() {
  ComposeOptions o;
  o.file = "compose.yaml";
  o.lookup = [](const std::string& name, std::string* value) {
    static const std::map<std::string, std::string> vars = {{"TAG", "15"}, {"HOST_PORT", "9005"}};
    auto it = vars.find(name);
    if (it == vars.end()) return false;
    *value = it->second;
    return true;
  };
  o.read_file = [](const std::string& path, std::string* content) {
    static const std::map<std::string, std::string> files = {
        {"web.env", "# comment\nFROM_FILE=1\nBOTH=file\nexport QUOTED=\"a b\"\n"},
        {"app/web.env", "NESTED=1\n"}};
    auto it = files.find(path);
    if (it == files.end()) return Status::NotFound("no " + path);
    *content = it->second;
    return Status::Ok();
  };
  o.host_port_ranges = {{9001, 9999}, {8080, 8099}};
  return o;
}

Status Parse(const std::string& text, ComposeProject* p, std::vector<ComposeProblem>* errors,
             std::vector<ComposeProblem>* warnings, ComposeOptions o = Options()) {
  return ParseCompose(text, o, p, errors, warnings);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compose_file)

BOOST_AUTO_TEST_CASE(refusals_name_file_line_and_key) {
  struct Case {
    const char* name;
    const char* yaml;
    int line;
    const char* key;
    const char* says;
  } cases[] = {
      {"does not parse", "services:\n  web:\n    image: [a\n", 4, "", "does not parse"},
      {"not a mapping", "- a\n- b\n", 0, "", "a mapping with services"},
      {"no services", "volumes: {}\n", 0, "services", "no services"},
      {"duplicate service", "services:\n  web:\n    image: a\n  web:\n    image: b\n", 4,
       "services.web", "duplicate key \"web\""},
      {"duplicate key in a service", "services:\n  web:\n    image: a\n    image: b\n", 4,
       "services.web.image", "duplicate key"},
      {"cycle",
       "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on:\n"
       "      c:\n        condition: service_healthy\n  c:\n    image: x\n    depends_on: [a]\n",
       12, "services.c.depends_on", "dependency cycle: a -> b -> c -> a"},
      {"self dependency", "services:\n  a:\n    image: x\n    depends_on: [a]\n", 4,
       "services.a.depends_on", "dependency cycle: a -> a"},
      {"unknown dependency", "services:\n  a:\n    image: x\n    depends_on: [ghost]\n", 4,
       "services.a.depends_on", "\"ghost\" is not defined"},
      {"bad condition",
       "services:\n  a:\n    image: x\n    depends_on:\n      b: {condition: started}\n  b:\n"
       "    image: x\n",
       5, "services.a.depends_on.b.condition", "service_healthy"},
      {"bind mount outside (absolute)",
       "services:\n  a:\n    image: x\n    volumes:\n      - /etc:/host-etc:ro\n", 5,
       "services.a.volumes[0]", "\"/etc\" is outside the checkout"},
      {"bind mount outside (..)",
       "services:\n  a:\n    image: x\n    volumes:\n      - ./../../secret:/s:ro\n", 5,
       "services.a.volumes[0]", "outside the checkout"},
      {"bind mount outside (home)",
       "services:\n  a:\n    image: x\n    volumes:\n      - type: bind\n        source: ~/.ssh\n"
       "        target: /k\n",
       5, "services.a.volumes[0]", "outside the checkout"},
      {"host network", "services:\n  a:\n    image: x\n    network_mode: host\n", 4,
       "services.a.network_mode", "refused"},
      {"host pid", "services:\n  a:\n    image: x\n    pid: host\n", 4, "services.a.pid",
       "refused"},
      {"privileged", "services:\n  a:\n    image: x\n    privileged: true\n", 4,
       "services.a.privileged", "privileged containers are refused"},
      {"devices", "services:\n  a:\n    image: x\n    devices:\n      - /dev/sda:/dev/sda\n", 5,
       "services.a.devices", "host devices are refused"},
      {"cap_add", "services:\n  a:\n    image: x\n    cap_add: [SYS_ADMIN]\n", 4,
       "services.a.cap_add", "added capabilities are refused"},
      {"host port outside the ranges",
       "services:\n  a:\n    image: x\n    ports:\n      - \"80:8080\"\n", 5, "services.a.ports[0]",
       "host port 80 is outside sandbot's port ranges (9001-9999, 8080-8099)"},
      {"long-form host port outside",
       "services:\n  a:\n    image: x\n    ports:\n      - target: 80\n        published: 22\n", 5,
       "services.a.ports[0]", "host port 22"},
      {"host port range partly outside",
       "services:\n  a:\n    image: x\n    ports:\n      - \"9998-10001:80-83\"\n", 5,
       "services.a.ports[0]", "host port 9998-10001"},
      {"required variable", "services:\n  a:\n    image: \"pg:${NOPE:?set NOPE}\"\n", 3,
       "services.a.image", "required variable NOPE is missing a value: set NOPE"},
      {"bad interpolation", "services:\n  a:\n    image: x\n    command: echo $\n", 4,
       "services.a.command", "lone '$'"},
      {"undeclared volume", "services:\n  a:\n    image: x\n    volumes: [\"data:/d\"]\n", 4,
       "services.a.volumes[0]", "volume \"data\" is not declared"},
      {"undeclared secret", "services:\n  a:\n    image: x\n    secrets: [tok]\n", 4,
       "services.a.secrets[0]", "secret \"tok\" is not declared"},
      {"external config", "services:\n  a:\n    image: x\nconfigs:\n  c:\n    external: true\n", 6,
       "configs.c.external", "a config is file: PATH or environment: VAR"},
      {"secret driver", "services:\n  a:\n    image: x\nsecrets:\n  tok:\n    driver: vault\n", 6,
       "secrets.tok.driver", "a secret is file: PATH, environment: VAR or external: true"},
      {"secret of two sources",
       "services:\n  a:\n    image: x\nsecrets:\n  tok:\n    file: t\n    environment: T\n", 6,
       "secrets.tok", "give only one of file: PATH"},
      {"secret of no source",
       "services:\n  a:\n    image: x\nsecrets:\n  tok:\n    external: false\n", 6, "secrets.tok",
       "needs one of file: PATH"},
      {"name without external",
       "services:\n  a:\n    image: x\nsecrets:\n  tok:\n    file: t\n    name: T\n", 7,
       "secrets.tok.name", "only for external: true"},
      {"secret file outside",
       "services:\n  a:\n    image: x\nsecrets:\n  tok:\n    file: /etc/shadow\n", 6,
       "secrets.tok.file", "outside the checkout"},
      {"env_file missing", "services:\n  a:\n    image: x\n    env_file: nope.env\n", 4,
       "services.a.env_file", "cannot read nope.env"},
      {"env_file outside", "services:\n  a:\n    image: x\n    env_file: ../x.env\n", 4,
       "services.a.env_file", "outside the checkout"},
      {"neither image nor build", "services:\n  a:\n    command: [x]\n", 3, "services.a",
       "needs an image or a build"},
      {"service name", "services:\n  Web_1:\n    image: x\n", 3, "services.Web_1", "DNS labels"},
      {"healthcheck duration",
       "services:\n  a:\n    image: x\n    healthcheck:\n      test: [CMD, t]\n"
       "      interval: soon\n",
       6, "services.a.healthcheck.interval", "not a duration"},
      {"healthcheck list",
       "services:\n  a:\n    image: x\n    healthcheck:\n      test: [curl, x]\n", 5,
       "services.a.healthcheck.test", "starts with CMD"},
      {"restart", "services:\n  a:\n    image: x\n    restart: sometimes\n", 4,
       "services.a.restart", "on-failure"},
      {"memory",
       "services:\n  a:\n    image: x\n    deploy:\n      resources:\n        limits:\n"
       "          memory: lots\n",
       7, "services.a.deploy.resources.limits.memory", "512M"},
      {"gateway", "services:\n  a:\n    image: x\nx-sandbot:\n  gateway: b\n", 5,
       "x-sandbot.gateway", "\"b\" is not defined"},
      {"external volume", "services:\n  a:\n    image: x\nvolumes:\n  d:\n    external: true\n", 6,
       "volumes.d.external", "external volumes are not supported"},
      {"not UTF-8", "services:\n  a:\n    image: \"x\xff\"\n", 3, "", "is not UTF-8 text"},
      {"a surrogate", "services:\n  a:\n    image: x\n    user: \"\xed\xa0\x80\"\n", 4, "",
       "is not UTF-8 text"},
      {"NUL in a value", "services:\n  a:\n    image: x\n    user: \"a\\0b\"\n", 4,
       "services.a.user", "NUL"},
      {"a control character", "services:\n  a:\n    image: x\n    labels: {\"a\x02\": b}\n", 4, "",
       "holds a control character"},
      {"bad port", "services:\n  a:\n    image: x\n    ports: [\"9001:http\"]\n", 4,
       "services.a.ports[0]", "\"http\" is not a port"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      ComposeProject p;
      std::vector<ComposeProblem> errors, warnings;
      Status s = Parse(c.yaml, &p, &errors, &warnings);
      BOOST_REQUIRE(s.IsInvalidArgument());
      BOOST_REQUIRE(!errors.empty());
      const ComposeProblem& e = errors.front();
      BOOST_CHECK_EQUAL(e.file, "compose.yaml");
      BOOST_CHECK_EQUAL(e.line, c.line);
      BOOST_CHECK_EQUAL(e.key, c.key);
      BOOST_CHECK_MESSAGE(e.message.find(c.says) != std::string::npos, e.ToString());
      BOOST_CHECK(s.message().find(e.ToString()) != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(unsupported_keys_are_named_not_ignored) {
  ComposeProject p;
  std::vector<ComposeProblem> errors, warnings;
  Status s = Parse(
      "services:\n  a:\n    image: x\n    container_name: fixed\n    networks: [front]\n"
      "    deploy:\n      replicas: 3\nnetworks:\n  front: {}\nx-anchors: &a {}\n",
      &p, &errors, &warnings);
  BOOST_REQUIRE(s.ok());
  std::map<std::string, int> named;
  for (const ComposeProblem& w : warnings) named[w.key] = w.line;
  BOOST_CHECK_EQUAL(named["services.a.container_name"], 4);
  BOOST_CHECK_EQUAL(named["services.a.networks"], 5);
  BOOST_CHECK_EQUAL(named["services.a.deploy.replicas"], 7);
  BOOST_CHECK_EQUAL(named["networks"], 9);
  BOOST_CHECK(!named.count("x-anchors"));  // extension fields are the file's own
  BOOST_CHECK_EQUAL(warnings.size(), 4u);
}

BOOST_AUTO_TEST_CASE(every_supported_key_in_its_normal_form) {
  const char* yaml = R"(x-common: &common
  restart: unless-stopped
  labels: [team=web]
services:
  web:
    <<: *common
    build:
      context: ./app
      dockerfile: docker/Dockerfile
      args: [VERSION=1, UNSET_ARG]
      target: prod
    command: gunicorn -b "0.0.0.0:8000" 'app:make()'
    entrypoint: [/entry.sh]
    environment:
      BOTH: env
      NUM: 3
      BARE:
      TAGGED: "pg:${TAG}"
    env_file: [web.env, {path: app/web.env}]
    ports:
      - "${HOST_PORT}:8000"
      - 3000
      - "127.0.0.1:9010:9010/udp"
      - target: 5000
        published: "9011"
    expose: [4000, "5000-5001", 53/udp]
    depends_on:
      db:
        condition: service_healthy
      migrate:
        condition: service_completed_successfully
    volumes:
      - ./static:/srv/static:ro
      - ./uploads:/srv/uploads
      - cache:/cache
      - /tmp/anon
    working_dir: /srv
    user: "1000:1000"
    secrets: [api_key, {source: api_key, target: /etc/key, mode: 0400}]
    configs: [nginx]
    deploy:
      resources:
        limits: {cpus: 0.5, memory: 512M, pids: 100}
  db:
    image: postgres:${TAG:-14}
    environment: [POSTGRES_PASSWORD=pw, "PGDATA=/var/lib/postgresql/data/$$x"]
    healthcheck:
      test: pg_isready -U postgres
      interval: 5s
      timeout: 3s
      retries: 10
      start_period: 1m30s
    volumes: [pgdata:/var/lib/postgresql/data]
  migrate:
    image: app
    command: [migrate]
    depends_on: [db]
    restart: "no"
    profiles: [setup]
volumes:
  cache:
  pgdata:
    labels: {tier: data}
secrets:
  api_key: {file: ./secrets/api.key}
configs:
  nginx: {file: nginx.conf}
x-sandbot:
  gateway: web
  seeds: {pgdata: pg-weekly}
)";
  ComposeProject p;
  std::vector<ComposeProblem> errors, warnings;
  Status s = Parse(yaml, &p, &errors, &warnings);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.message());
  BOOST_REQUIRE_EQUAL(p.services.size(), 3u);
  const ComposeService& web = p.services[0];
  BOOST_CHECK_EQUAL(web.name, "web");
  BOOST_CHECK_EQUAL(web.line, 6);
  BOOST_REQUIRE(web.build);
  BOOST_CHECK_EQUAL(web.build->context, "app");
  BOOST_CHECK_EQUAL(web.build->dockerfile, "docker/Dockerfile");
  BOOST_CHECK_EQUAL(web.build->args.size(), 1u);
  BOOST_CHECK_EQUAL(web.build->args.at("VERSION"), "1");
  BOOST_CHECK_EQUAL(web.build->target, "prod");
  BOOST_REQUIRE(web.command);
  BOOST_CHECK(
      (*web.command == std::vector<std::string>{"gunicorn", "-b", "0.0.0.0:8000", "app:make()"}));
  BOOST_CHECK((*web.entrypoint == std::vector<std::string>{"/entry.sh"}));
  BOOST_CHECK_EQUAL(*web.environment.at("BOTH"), "env");  // environment wins over env_file
  BOOST_CHECK_EQUAL(*web.environment.at("NUM"), "3");
  BOOST_CHECK(!web.environment.at("BARE"));
  BOOST_CHECK_EQUAL(*web.environment.at("TAGGED"), "pg:15");
  BOOST_CHECK_EQUAL(*web.environment.at("FROM_FILE"), "1");
  BOOST_CHECK_EQUAL(*web.environment.at("QUOTED"), "a b");
  BOOST_CHECK_EQUAL(*web.environment.at("NESTED"), "1");
  BOOST_REQUIRE_EQUAL(web.ports.size(), 4u);
  BOOST_CHECK_EQUAL(web.ports[0].published_lo, 9005);
  BOOST_CHECK_EQUAL(web.ports[0].target_lo, 8000);
  BOOST_CHECK_EQUAL(web.ports[1].published_lo, 0);
  BOOST_CHECK_EQUAL(web.ports[2].host_ip, "127.0.0.1");
  BOOST_CHECK_EQUAL(web.ports[2].protocol, "udp");
  BOOST_CHECK_EQUAL(web.ports[3].published_lo, 9011);
  BOOST_CHECK((web.expose == std::vector<std::string>{"4000", "5000-5001", "53/udp"}));
  BOOST_REQUIRE_EQUAL(web.depends_on.size(), 2u);
  BOOST_CHECK_EQUAL(web.depends_on[1].condition, "service_completed_successfully");
  BOOST_REQUIRE_EQUAL(web.volumes.size(), 4u);
  BOOST_CHECK_EQUAL(web.volumes[0].source, "static");
  BOOST_CHECK(web.volumes[1].read_only);  // made read-only, with a warning
  BOOST_CHECK_EQUAL(web.volumes[2].type, "volume");
  BOOST_CHECK_EQUAL(web.volumes[3].source, "");
  BOOST_CHECK_EQUAL(web.restart, "unless-stopped");  // from the merge key
  BOOST_CHECK_EQUAL(web.labels.at("team"), "web");
  BOOST_CHECK_EQUAL(web.secrets[1].mode, 0400);
  BOOST_CHECK_EQUAL(web.cpus, "0.5");
  BOOST_CHECK_EQUAL(web.memory, "512M");
  BOOST_CHECK_EQUAL(web.pids, 100);
  const ComposeService& db = p.services[1];
  BOOST_CHECK_EQUAL(db.image, "postgres:15");
  BOOST_CHECK_EQUAL(*db.environment.at("PGDATA"), "/var/lib/postgresql/data/$x");
  BOOST_CHECK(
      (db.healthcheck.test == std::vector<std::string>{"CMD-SHELL", "pg_isready -U postgres"}));
  BOOST_CHECK_EQUAL(db.healthcheck.retries, 10);
  BOOST_CHECK_EQUAL(db.healthcheck.start_period, "1m30s");
  BOOST_CHECK(!ComposeProject::Enabled(p.services[2], {}));
  BOOST_CHECK(ComposeProject::Enabled(p.services[2], {"setup"}));
  BOOST_CHECK_EQUAL(p.secrets.at("api_key").file, "secrets/api.key");
  BOOST_CHECK_EQUAL(p.volumes.at("pgdata").at("tier"), "data");
  BOOST_CHECK_EQUAL(p.gateway, "web");
  BOOST_CHECK_EQUAL(p.seeds.at("pgdata"), "pg-weekly");
  bool warned_ro = false;
  for (const ComposeProblem& w : warnings) {
    if (w.key == "services.web.volumes[1]" && w.line == 34) warned_ro = true;
  }
  BOOST_CHECK(warned_ro);

  // The output escapes `$` back and uses the schema's long forms.
  const nlohmann::json doc = ComposeToJson(p, "/src");
  BOOST_CHECK_EQUAL(doc["services"]["db"]["environment"]["PGDATA"], "/var/lib/postgresql/data/$$x");
  BOOST_CHECK_EQUAL(doc["services"]["web"]["build"]["context"], "/src/app");
  BOOST_CHECK_EQUAL(doc["services"]["web"]["ports"][0]["published"], 9005);
  BOOST_CHECK_EQUAL(doc["services"]["web"]["ports"][2], "127.0.0.1:9010:9010/udp");
  BOOST_CHECK_EQUAL(doc["services"]["web"]["volumes"][0]["source"], "/src/static");
  BOOST_CHECK_EQUAL(doc["x-sandbot"]["seeds"]["pgdata"], "pg-weekly");
  const std::string yaml_out = JsonToYaml(doc);
  BOOST_CHECK(yaml_out.find("NUM: '3'") != std::string::npos);
  BOOST_CHECK(yaml_out.find("restart: 'no'") != std::string::npos);
  // The YAML output parses back to the same configuration.
  ComposeProject again;
  ComposeOptions o = Options();
  o.read_file = nullptr;
  BOOST_CHECK(ParseCompose(yaml_out, o, &again, &errors, &warnings).IsInvalidArgument());
  // (it names /src paths, outside any checkout: refused, as a file from elsewhere should be)
}

// Found by fuzz/compose_fuzz.cc: every printed value, paths included, has
// its `$` doubled, so `compose config` output reads back to the same file.
BOOST_AUTO_TEST_CASE(printed_output_reads_back_the_same) {
  ComposeProject p, again;
  std::vector<ComposeProblem> errors, warnings;
  BOOST_REQUIRE(Parse("services:\n  web:\n    build: \"co$$$$b\"\n    volumes: [\"./d$$:/d:ro\"]\n"
                      "    labels: {\"true\": \"~\", cr: \"a\\r\", tab: \"\\tb \"}\n",
                      &p, &errors, &warnings)
                    .ok());
  BOOST_CHECK_EQUAL(p.services[0].build->context, "co$$b");
  const nlohmann::json doc = ComposeToJson(p, ".");
  BOOST_CHECK_EQUAL(doc["services"]["web"]["build"]["context"], "./co$$$$b");
  BOOST_CHECK_EQUAL(doc["services"]["web"]["volumes"][0]["source"], "./d$$");
  BOOST_REQUIRE(Parse(JsonToYaml(doc), &again, &errors, &warnings).ok());
  BOOST_CHECK_EQUAL(ComposeToJson(again, "."), doc);
}

BOOST_AUTO_TEST_CASE(helpers) {
  std::string out;
  BOOST_CHECK(NormalRelativePath("./a/../b/./c", &out) && out == "b/c");
  BOOST_CHECK(NormalRelativePath(".", &out) && out == ".");
  BOOST_CHECK(!NormalRelativePath("a/../../b", &out));
  BOOST_CHECK(!NormalRelativePath("/a", &out));
  std::vector<std::string> argv;
  BOOST_CHECK(SplitCommand("sh -c 'echo \"$x\"' \"a\\\"b\" c\\ d", &argv).ok());
  BOOST_CHECK((argv == std::vector<std::string>{"sh", "-c", "echo \"$x\"", "a\"b", "c d"}));
  BOOST_CHECK(SplitCommand("echo ''", &argv).ok());
  BOOST_CHECK((argv == std::vector<std::string>{"echo", ""}));
  BOOST_CHECK(SplitCommand("echo 'open", &argv).IsInvalidArgument());
  BOOST_CHECK_EQUAL(ComposeFileNames().front(), "compose.yaml");
}

BOOST_AUTO_TEST_SUITE_END()
