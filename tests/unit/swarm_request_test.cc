#define BOOST_TEST_DYN_LINK
#include "bot/swarm_request.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <fstream>
#include <string>

using namespace sandbot;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(swarm_request)

namespace {

ContainerSpec WebSpec() {
  ContainerSpec spec;
  spec.name = "sandbox-demo-web";
  spec.image = "sandbot/demo:abc";
  spec.cmd = {"httpd", "-f"};
  spec.env = {"PORT=8080", "API_URL=http://api:8080"};
  spec.labels = {{"sandbot.managed", "true"}, {"sandbot.sandbox", "demo"}};
  spec.network = "sandbox-demo";
  spec.aliases = {"web.local"};
  spec.container_port = 8080;
  spec.host_port = 26150;
  spec.working_dir = "/app";
  spec.user = "65534:65534";
  spec.memory_bytes = 256 << 20;
  spec.nano_cpus = 500000000;
  return spec;
}

}  // namespace

// The service a container spec becomes: same name, labels, environment and
// limits; created stopped (0 replicas) with its port only in a label.
BOOST_AUTO_TEST_CASE(service_spec_carries_the_container_spec) {
  json body = SwarmServiceBody(WebSpec(), SwarmPublish::kIngress, "node1", {});
  BOOST_TEST(body["Name"] == "sandbox-demo-web");
  BOOST_TEST(body["Labels"]["sandbot.sandbox"] == "demo");
  BOOST_TEST(body["Labels"][kSwarmNameLabel] == "sandbox-demo-web");
  BOOST_TEST(body["Labels"][kSwarmPublishLabel] == "8080:26150");
  const json& c = body["TaskTemplate"]["ContainerSpec"];
  BOOST_TEST(c["Image"] == "sandbot/demo:abc");
  BOOST_TEST(c["Args"] == json({"httpd", "-f"}));  // Cmd, not the ENTRYPOINT
  BOOST_TEST(!c.contains("Command"));
  BOOST_TEST(c["Env"] == json({"PORT=8080", "API_URL=http://api:8080"}));
  BOOST_TEST(c["Labels"]["sandbot.managed"] == "true");
  BOOST_TEST(!c["Labels"].contains(kSwarmPublishLabel));
  BOOST_TEST(c["Dir"] == "/app");
  BOOST_TEST(c["User"] == "65534:65534");
  const json& t = body["TaskTemplate"];
  BOOST_TEST(t["Resources"]["Limits"]["MemoryBytes"] == 256 << 20);
  BOOST_TEST(t["Resources"]["Limits"]["NanoCPUs"] == 500000000);
  BOOST_TEST(t["RestartPolicy"]["Condition"] == "none");
  BOOST_TEST(t["Placement"]["Constraints"] == json({"node.id==node1"}));
  BOOST_TEST(t["Networks"][0]["Target"] == "sandbox-demo");
  BOOST_TEST(t["Networks"][0]["Aliases"] == json({"web.local"}));
  BOOST_TEST(body["Mode"]["Replicated"]["Replicas"] == 0);
  BOOST_TEST(body["EndpointSpec"]["Mode"] == "vip");
  BOOST_TEST(body["EndpointSpec"]["Ports"].empty());  // published at start only
}

// Swarm names are DNS labels: a standby's '.' cannot be in one.
BOOST_AUTO_TEST_CASE(service_names_are_dns_labels) {
  BOOST_TEST(SwarmServiceName("sandbox-a-web") == "sandbox-a-web");
  BOOST_TEST(SwarmServiceName("sandbox-a-web.old") == "sandbox-a-web--old");
  ContainerSpec spec = WebSpec();
  spec.name = "sandbox-demo-web.old";
  json body = SwarmServiceBody(spec, SwarmPublish::kHost, "", {});
  BOOST_TEST(body["Name"] == "sandbox-demo-web--old");
  BOOST_TEST(body["Labels"][kSwarmNameLabel] == "sandbox-demo-web.old");
}

BOOST_AUTO_TEST_CASE(endpoint_spec_by_publish_mode) {
  Labels labels = {{kSwarmPublishLabel, "8080:26150"}};
  json ingress = SwarmEndpointSpec(labels, SwarmPublish::kIngress, true);
  BOOST_TEST(ingress["Mode"] == "vip");
  BOOST_TEST(ingress["Ports"].size() == 1u);
  BOOST_TEST(ingress["Ports"][0]["TargetPort"] == 8080);
  BOOST_TEST(ingress["Ports"][0]["PublishedPort"] == 26150);
  BOOST_TEST(ingress["Ports"][0]["PublishMode"] == "ingress");
  // Host mode: no virtual IP (DNS round robin), the port on the node itself.
  json host = SwarmEndpointSpec(labels, SwarmPublish::kHost, true);
  BOOST_TEST(host["Mode"] == "dnsrr");
  BOOST_TEST(host["Ports"][0]["PublishMode"] == "host");
  BOOST_TEST(SwarmEndpointSpec(labels, SwarmPublish::kHost, false)["Ports"].empty());
  BOOST_TEST(SwarmEndpointSpec({}, SwarmPublish::kHost, true)["Ports"].empty());
  BOOST_TEST(
      SwarmEndpointSpec({{kSwarmPublishLabel, "x:1"}}, SwarmPublish::kHost, true)["Ports"].empty());
  SwarmPublish p;
  BOOST_TEST(ParseSwarmPublish("host", &p).ok());
  BOOST_TEST((p == SwarmPublish::kHost));
  BOOST_TEST(ParseSwarmPublish("mesh", &p).IsInvalidArgument());
}

// Read-only files become secrets; folders (and writable binds) stay mounts.
BOOST_AUTO_TEST_CASE(files_become_secrets_folders_stay_mounts) {
  char dir[] = "/tmp/sandbot-swarm-test-XXXXXX";
  BOOST_REQUIRE(mkdtemp(dir) != nullptr);
  const std::string file = std::string(dir) + "/KEY";
  std::ofstream(file) << "s3cret";
  ContainerSpec spec = WebSpec();
  spec.binds = {file + ":/run/secrets/KEY:ro", std::string(dir) + ":/etc/sandbot:ro",
                std::string(dir) + ":/run/sandbot", file + ":/etc/rw.txt"};
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> folders;
  SplitBinds(spec.binds, &files, &folders);
  BOOST_TEST(files.size() == 1u);
  BOOST_TEST(files[0].first == file);
  BOOST_TEST(files[0].second == "/run/secrets/KEY");
  BOOST_TEST(folders.size() == 3u);

  json body =
      SwarmServiceBody(spec, SwarmPublish::kHost, "", {{"sid", "sandbot-x", "/run/secrets/KEY"}});
  const json& c = body["TaskTemplate"]["ContainerSpec"];
  BOOST_TEST(c["Secrets"].size() == 1u);
  BOOST_TEST(c["Secrets"][0]["SecretID"] == "sid");
  BOOST_TEST(c["Secrets"][0]["SecretName"] == "sandbot-x");
  BOOST_TEST(c["Secrets"][0]["File"]["Name"] == "/run/secrets/KEY");
  BOOST_TEST(c["Secrets"][0]["File"]["Mode"] == 0444);
  BOOST_TEST(c["Mounts"].size() == 3u);
  BOOST_TEST(c["Mounts"][0]["Type"] == "bind");
  BOOST_TEST(c["Mounts"][0]["Source"] == dir);
  BOOST_TEST(c["Mounts"][0]["Target"] == "/etc/sandbot");
  BOOST_TEST(c["Mounts"][0]["ReadOnly"] == true);
  BOOST_TEST(c["Mounts"][1]["ReadOnly"] == false);
  BOOST_TEST(!body["TaskTemplate"].contains("Placement"));
  BOOST_TEST(body["EndpointSpec"]["Mode"] == "dnsrr");
  // The secret's JSON never carries the value in clear.
  BOOST_TEST(body.dump().find("s3cret") == std::string::npos);
  std::remove(file.c_str());
  rmdir(dir);
}

BOOST_AUTO_TEST_CASE(secret_body_and_name) {
  json b = SecretCreateBody("sandbot-1", "s3cret!", {{"sandbot.sandbox", "demo"}});
  BOOST_TEST(b["Data"] == "czNjcmV0IQ==");
  BOOST_TEST(SecretCreateBody("n", "ab", {})["Data"] == "YWI=");
  BOOST_TEST(SecretCreateBody("n", "abc", {})["Data"] == "YWJj");
  BOOST_TEST(b["Labels"]["sandbot.sandbox"] == "demo");
  const std::string a = SwarmSecretName("/run/secrets/KEY", "v1");
  BOOST_TEST(a.size() == 8 + 24);
  BOOST_TEST(a == SwarmSecretName("/run/secrets/KEY", "v1"));
  BOOST_TEST(a != SwarmSecretName("/run/secrets/KEY", "v2"));
  BOOST_TEST(a != SwarmSecretName("/run/secrets/OTHER", "v1"));
  json n = OverlayNetworkBody("sandbox-demo", {{"sandbot.managed", "true"}});
  BOOST_TEST(n["Driver"] == "overlay");
  BOOST_TEST(n["Attachable"] == true);
}

BOOST_AUTO_TEST_CASE(info_must_say_active_manager) {
  SwarmNode node;
  json manager = json::parse(
      R"({"Swarm":{"NodeID":"n1","LocalNodeState":"active","ControlAvailable":true,"Nodes":3}})");
  BOOST_TEST(ReadSwarmNode(manager, "unix:///x", &node).ok());
  BOOST_TEST(node.node_id == "n1");
  BOOST_TEST(node.nodes == 3);
  Status s =
      ReadSwarmNode(json::parse(R"({"Swarm":{"LocalNodeState":"inactive"}})"), "unix:///x", &node);
  BOOST_TEST(s.IsInvalidArgument());
  BOOST_TEST(s.message().find("docker swarm init") != std::string::npos);
  s = ReadSwarmNode(
      json::parse(R"({"Swarm":{"NodeID":"w","LocalNodeState":"active","ControlAvailable":false}})"),
      "unix:///x", &node);
  BOOST_TEST(s.message().find("worker") != std::string::npos);
  BOOST_TEST(ReadSwarmNode(json::parse("[]"), "unix:///x", &node).IsInvalidArgument());
}

// Tasks read as a container: the newest task that should run decides.
BOOST_AUTO_TEST_CASE(tasks_read_as_container_state) {
  json service = json::parse(
      R"({"Spec":{"Mode":{"Replicated":{"Replicas":1}},
          "TaskTemplate":{"ContainerSpec":{"Image":"img:1"}}}})");
  json tasks = json::parse(R"([
    {"Version":{"Index":10},"DesiredState":"shutdown","Status":{"State":"failed",
     "ContainerStatus":{"ExitCode":3}}},
    {"Version":{"Index":20},"DesiredState":"running","Status":{"State":"running"}}])");
  ContainerState st;
  ReadServiceState(service, tasks, &st);
  BOOST_TEST(st.running);
  BOOST_TEST(st.status == "running");
  BOOST_TEST(st.restart_count == 1);
  BOOST_TEST(st.image == "img:1");

  tasks[1]["Status"] = json::parse(R"({"State":"failed","ContainerStatus":{"ExitCode":7}})");
  ReadServiceState(service, tasks, &st);
  BOOST_TEST(!st.running);
  BOOST_TEST(st.status == "exited");
  BOOST_TEST(st.exit_code == 7);
  BOOST_TEST(st.restart_count == 2);

  tasks[1]["Status"] = json::parse(R"({"State":"preparing"})");
  ReadServiceState(service, tasks, &st);
  BOOST_TEST(st.status == "created");

  service["Spec"]["Mode"]["Replicated"]["Replicas"] = 0;  // suspended
  tasks[1]["Status"] = json::parse(R"({"State":"shutdown"})");
  ReadServiceState(service, tasks, &st);
  BOOST_TEST(!st.running);
  BOOST_TEST(st.status == "exited");

  ContainerState fresh;
  ReadServiceState(service, json::array(), &fresh);
  BOOST_TEST(fresh.status == "created");
}

BOOST_AUTO_TEST_SUITE_END()
