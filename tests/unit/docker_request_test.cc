#define BOOST_TEST_DYN_LINK
#include "bot/docker_request.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(docker_request)

BOOST_AUTO_TEST_CASE(create_body_full) {
  ContainerSpec spec;
  spec.name = "sandbox-qa-web";
  spec.image = "sandbot/qa-web:abc";
  spec.cmd = {"httpd", "-f"};
  spec.env = {"A=1", "B=two words"};
  spec.labels = {{"sandbot.sandbox", "qa"}, {"sandbot.service", "web"}};
  spec.network = "sandbot-qa";
  spec.aliases = {"web", "www"};
  spec.container_port = 8080;
  spec.host_port = 19555;
  spec.binds = {"/srv/data:/data:ro"};
  spec.working_dir = "/app";
  spec.memory_bytes = 64 << 20;
  spec.nano_cpus = 500000000;

  json want = json::parse(R"({
    "Image": "sandbot/qa-web:abc",
    "Cmd": ["httpd", "-f"],
    "Env": ["A=1", "B=two words"],
    "Labels": {"sandbot.sandbox": "qa", "sandbot.service": "web"},
    "WorkingDir": "/app",
    "Tty": false,
    "ExposedPorts": {"8080/tcp": {}},
    "HostConfig": {
      "PortBindings": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "19555"}]},
      "Binds": ["/srv/data:/data:ro"],
      "Memory": 67108864,
      "NanoCpus": 500000000,
      "RestartPolicy": {"Name": "no"},
      "NetworkMode": "sandbot-qa"
    },
    "NetworkingConfig": {"EndpointsConfig": {"sandbot-qa": {"Aliases": ["web", "www"]}}}
  })");
  json got = BuildCreateBody(spec);
  BOOST_TEST(got == want, got.dump(2));
  BOOST_TEST(got["HostConfig"]["PortBindings"]["8080/tcp"][0]["HostPort"].is_string());
}

BOOST_AUTO_TEST_CASE(create_body_minimal) {
  ContainerSpec spec;
  spec.image = "busybox";
  spec.container_port = 8080;  // not published: host_port is 0
  json got = BuildCreateBody(spec);
  BOOST_TEST(got["Image"] == "busybox");
  BOOST_TEST(!got.contains("Cmd"));
  BOOST_TEST(!got.contains("WorkingDir"));
  BOOST_TEST(!got.contains("ExposedPorts"));
  BOOST_TEST(!got.contains("NetworkingConfig"));
  BOOST_TEST(got["Env"].is_array());
  BOOST_TEST(got["Labels"].is_object());
  const json& host = got["HostConfig"];
  BOOST_TEST(!host.contains("PortBindings"));
  BOOST_TEST(!host.contains("NetworkMode"));
  BOOST_TEST(!host.contains("Memory"));
  BOOST_TEST(!host.contains("NanoCpus"));
  BOOST_TEST(host["RestartPolicy"]["Name"] == "no");
}

BOOST_AUTO_TEST_CASE(create_body_survives_invalid_utf8) {
  ContainerSpec spec;
  spec.image = "busybox";
  spec.env = {std::string("X=\xff\xfe")};
  json got = BuildCreateBody(spec);
  // Must not throw when serialised the way DockerRuntime does.
  BOOST_CHECK_NO_THROW(got.dump(-1, ' ', false, json::error_handler_t::replace));
}

BOOST_AUTO_TEST_CASE(url_encoding) {
  BOOST_TEST(UrlEncode("abc-._~XYZ09") == "abc-._~XYZ09");
  BOOST_TEST(UrlEncode("a b&c=d/e:f?g#h+%") == "a%20b%26c%3Dd%2Fe%3Af%3Fg%23h%2B%25");
  BOOST_TEST(UrlEncode("\xc3\xa9") == "%C3%A9");
  BOOST_TEST(PathEscape("sandbot/busybox:latest") == "sandbot/busybox:latest");
  BOOST_TEST(PathEscape("img@sha256:ab") == "img@sha256:ab");
  BOOST_TEST(PathEscape("a b?c") == "a%20b%3Fc");
}

BOOST_AUTO_TEST_CASE(label_filter) {
  BOOST_TEST(LabelFilter({}) == "");
  BOOST_TEST(LabelFilter({{"sandbot.sandbox", "qa"}, {"k", "v w"}}) ==
             UrlEncode(R"({"label":["k=v w","sandbot.sandbox=qa"]})"));
}

BOOST_AUTO_TEST_CASE(network_create_body) {
  json got = NetworkCreateBody("sandbot-qa", {{"sandbot.sandbox", "qa"}});
  BOOST_TEST(got == json::parse(R"({"Name": "sandbot-qa", "Driver": "bridge",
      "CheckDuplicate": true, "Labels": {"sandbot.sandbox": "qa"}})"),
             got.dump(2));
  BOOST_TEST(NetworkCreateBody("n", {})["Labels"].is_object());
}

BOOST_AUTO_TEST_CASE(request_paths) {
  // The classic builder is asked for by name only where the API knows it.
  BOOST_TEST(BuildImagePath("sandbot/qa-web:abc", "1.41") ==
             "/build?t=sandbot%2Fqa-web%3Aabc&rm=1&forcerm=1&version=1");
  BOOST_TEST(BuildImagePath("app", "1.37") == "/build?t=app&rm=1&forcerm=1");
  BOOST_TEST(ImportImagePath("sandbot/busybox") ==
             "/images/create?fromSrc=-&repo=sandbot%2Fbusybox&tag=latest");
  BOOST_TEST(ImportImagePath("localhost:5000/app:v2") ==
             "/images/create?fromSrc=-&repo=localhost%3A5000%2Fapp&tag=v2");
  BOOST_TEST(NetworksNamedPath("sandbot-qa") ==
             "/networks?filters=" + UrlEncode(R"({"name":["sandbot-qa"]})"));
}

BOOST_AUTO_TEST_CASE(create_body_compose_fields) {
  ContainerSpec spec;
  spec.image = "busybox";
  spec.entrypoint = {"/bin/sh", "-c"};
  spec.cmd = {"echo hi"};
  spec.healthcheck.test = {"CMD-SHELL", "true"};
  spec.healthcheck.interval_ns = 1000000000;
  spec.healthcheck.retries = 3;
  spec.restart = "on-failure:2";
  spec.container_port = 80;
  spec.host_port = 9001;
  spec.extra_ports = {{9090, "tcp", 0, "127.0.0.1"}, {53, "udp", 0, "127.0.0.1"}};
  spec.volume_mounts = {{"sandbox-qa-pgdata", "/var/lib/pg", false}};
  spec.volume_labels = {{"sandbot.sandbox", "qa"}};
  spec.tmpfs = {"/tmp"};
  spec.pids_limit = 100;
  json body = BuildCreateBody(spec);
  BOOST_TEST(body["Entrypoint"] == json({"/bin/sh", "-c"}));
  BOOST_TEST(body["Cmd"] == json({"echo hi"}));
  BOOST_TEST(body["Healthcheck"] ==
             json::parse(R"({"Test":["CMD-SHELL","true"],"Interval":1000000000,"Retries":3})"));
  BOOST_TEST(body["HostConfig"]["RestartPolicy"] ==
             json::parse(R"({"Name":"on-failure","MaximumRetryCount":2})"));
  BOOST_TEST(body["ExposedPorts"] == json::parse(R"({"80/tcp":{},"9090/tcp":{},"53/udp":{}})"));
  // Only the main port is published.
  BOOST_TEST(body["HostConfig"]["PortBindings"].size() == 1u);
  BOOST_TEST(body["HostConfig"]["Mounts"] == json::parse(R"([{"Type":"volume",
      "Source":"sandbox-qa-pgdata","Target":"/var/lib/pg","ReadOnly":false,
      "VolumeOptions":{"Labels":{"sandbot.sandbox":"qa"}}}])"));
  BOOST_TEST(body["HostConfig"]["Tmpfs"] == json::parse(R"({"/tmp":""})"));
  BOOST_TEST(body["HostConfig"]["PidsLimit"] == 100);
}

BOOST_AUTO_TEST_CASE(create_body_clears_entrypoint_and_keeps_defaults) {
  ContainerSpec spec;
  spec.image = "busybox";
  spec.entrypoint_set = true;  // entrypoint: []
  json body = BuildCreateBody(spec);
  BOOST_TEST(body["Entrypoint"] == json({""}));
  BOOST_TEST(!body.contains("Cmd"));
  BOOST_TEST(!body.contains("Healthcheck"));
  BOOST_TEST(body["HostConfig"]["RestartPolicy"] == json::parse(R"({"Name":"no"})"));
  BOOST_TEST(!body["HostConfig"].contains("Mounts"));
}

BOOST_AUTO_TEST_CASE(build_path_with_options) {
  BuildOptions o;
  o.dockerfile = "docker/Dockerfile.dev";
  o.target = "dev";
  o.args = {{"A", "1 2"}};
  const std::string path = BuildImagePath("sandbot/x:1", "1.41", o);
  BOOST_TEST(path.find("&dockerfile=docker%2FDockerfile.dev") != std::string::npos);
  BOOST_TEST(path.find("&target=dev") != std::string::npos);
  BOOST_TEST(path.find("&buildargs=%7B%22A%22%3A%221%202%22%7D") != std::string::npos);
  BOOST_TEST(BuildImagePath("sandbot/x:1", "1.41") ==
             "/build?t=sandbot%2Fx%3A1&rm=1&forcerm=1&version=1");
}

BOOST_AUTO_TEST_SUITE_END()
