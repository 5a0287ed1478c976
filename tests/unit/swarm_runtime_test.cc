#define BOOST_TEST_DYN_LINK
#include "bot/swarm_runtime.h"

#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using namespace sandbot;
using nlohmann::json;

namespace {

// A loopback Swarm manager that records what it is sent: one service,
// sandbox-demo-web, whose task runs once it has a replica.
class FakeManager {
 public:
  explicit FakeManager(const std::string& state = "active") {
    server_.Get("/_ping", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Api-Version", "1.41");
      res.set_content("OK", "text/plain");
    });
    server_.Get("/version", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(R"({"ApiVersion":"1.41","MinAPIVersion":"1.12"})", "application/json");
    });
    server_.Get(R"(/v1\.41/info)", [state](const httplib::Request&, httplib::Response& res) {
      res.set_content(json{{"Swarm",
                            {{"NodeID", "node1"},
                             {"LocalNodeState", state},
                             {"ControlAvailable", state == "active"},
                             {"Nodes", 1}}}}
                          .dump(),
                      "application/json");
    });
    server_.Post(
        R"(/v1\.41/services/create)", [this](const httplib::Request& req, httplib::Response& res) {
          Record("create", req.body);
          std::lock_guard<std::mutex> lock(mu_);
          service_ = {{"ID", "svc1"}, {"Version", {{"Index", 7}}}, {"Spec", json::parse(req.body)}};
          res.status = 201;
          res.set_content(R"({"ID":"svc1"})", "application/json");
        });
    server_.Get(R"(/v1\.41/services)", [this](const httplib::Request& req, httplib::Response& res) {
      Record("list", req.get_param_value("filters"));
      std::lock_guard<std::mutex> lock(mu_);
      json list = json::array();
      const std::string wanted =
          json::parse(req.get_param_value("filters"))["label"][0].get<std::string>();
      if (!service_.is_null() &&
          wanted == std::string(kSwarmNameLabel) + "=" +
                        service_["Spec"]["Labels"][kSwarmNameLabel].get<std::string>()) {
        list.push_back(service_);
      }
      res.set_content(list.dump(), "application/json");
    });
    server_.Post(R"(/v1\.41/services/svc1/update)",
                 [this](const httplib::Request& req, httplib::Response& res) {
                   Record("update?version=" + req.get_param_value("version"), req.body);
                   std::lock_guard<std::mutex> lock(mu_);
                   service_["Spec"] = json::parse(req.body);
                   res.set_content("{}", "application/json");
                 });
    server_.Get(R"(/v1\.41/tasks)", [this](const httplib::Request& req, httplib::Response& res) {
      Record("tasks", req.get_param_value("filters"));
      std::lock_guard<std::mutex> lock(mu_);
      json tasks = json::array();
      const bool up =
          !service_.is_null() && service_["Spec"]["Mode"]["Replicated"]["Replicas"].get<int>() > 0;
      if (up) {
        tasks.push_back({{"ServiceID", "svc1"},
                         {"NodeID", "node1"},
                         {"DesiredState", "running"},
                         {"Version", {{"Index", 9}}},
                         {"Status", {{"State", "running"}}}});
      }
      res.set_content(tasks.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    BOOST_REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeManager() {
    server_.stop();
    thread_.join();
  }
  std::string endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  // The bodies sent for `what` ("create", "update?version=7", "tasks").
  std::vector<std::string> Sent(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [w, body] : calls_) {
      if (w == what) out.push_back(body);
    }
    return out;
  }

 private:
  void Record(const std::string& what, const std::string& body) {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back({what, body});
  }
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  json service_;
  std::vector<std::pair<std::string, std::string>> calls_;
};

ContainerSpec Web() {
  ContainerSpec spec;
  spec.name = "sandbox-demo-web";
  spec.image = "sandbot/demo:1";
  spec.labels = {{"sandbot.managed", "true"}, {"sandbot.sandbox", "demo"}};
  spec.network = "sandbox-demo";
  spec.container_port = 8080;
  spec.host_port = 26150;
  return spec;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(swarm_runtime)

BOOST_AUTO_TEST_CASE(not_a_manager_is_refused) {
  FakeManager manager("inactive");
  SwarmRuntime runtime(manager.endpoint(), EngineTls(), SwarmPublish::kIngress);
  Status s = runtime.CheckManager();
  BOOST_TEST(s.IsInvalidArgument());
  BOOST_TEST(s.message().find("docker swarm init") != std::string::npos, s.message());
  std::string id;
  BOOST_TEST(runtime.CreateContainer(Web(), &id).IsInvalidArgument());
  BOOST_TEST(manager.Sent("create").empty());
}

// Create sends a stopped service placed on the manager; start scales it to
// one replica with its port published; stop scales it back, port closed.
BOOST_AUTO_TEST_CASE(create_start_stop_send_these_specs) {
  FakeManager manager;
  SwarmRuntime runtime(manager.endpoint(), EngineTls(), SwarmPublish::kHost);
  std::string id;
  Status s = runtime.CreateContainer(Web(), &id);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_TEST(id == "sandbox-demo-web");
  auto created = manager.Sent("create");
  BOOST_REQUIRE(created.size() == 1u);
  json body = json::parse(created[0]);
  BOOST_TEST(body["Name"] == "sandbox-demo-web");
  BOOST_TEST(body["Mode"]["Replicated"]["Replicas"] == 0);
  BOOST_TEST(body["EndpointSpec"]["Ports"].empty());
  BOOST_TEST(body["TaskTemplate"]["Placement"]["Constraints"][0] == "node.id==node1");

  ContainerState state;
  BOOST_TEST(runtime.InspectContainer(id, &state).ok());
  BOOST_TEST(state.exists);
  BOOST_TEST(!state.running);

  s = runtime.StartContainer(id);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  auto updates = manager.Sent("update?version=7");
  BOOST_REQUIRE(updates.size() == 1u);
  json started = json::parse(updates[0]);
  BOOST_TEST(started["Mode"]["Replicated"]["Replicas"] == 1);
  BOOST_TEST(started["EndpointSpec"]["Mode"] == "dnsrr");
  BOOST_TEST(started["EndpointSpec"]["Ports"][0]["PublishedPort"] == 26150);
  BOOST_TEST(started["EndpointSpec"]["Ports"][0]["PublishMode"] == "host");
  // Tasks are asked for by the service's id, not a name prefix.
  BOOST_TEST(json::parse(manager.Sent("tasks").back())["service"][0] == "svc1");
  BOOST_TEST(runtime.InspectContainer(id, &state).ok());
  BOOST_TEST(state.running);
  BOOST_TEST(runtime.StartContainer(id).ok());  // already running: nothing sent
  BOOST_TEST(manager.Sent("update?version=7").size() == 2u - 1u);

  s = runtime.StopContainer(id, 3);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  json stopped = json::parse(manager.Sent("update?version=7").back());
  BOOST_TEST(stopped["Mode"]["Replicated"]["Replicas"] == 0);
  BOOST_TEST(stopped["EndpointSpec"]["Ports"].empty());
  BOOST_TEST(stopped["TaskTemplate"]["ContainerSpec"]["StopGracePeriod"] == 3000000000LL);

  BOOST_TEST(runtime.InspectContainer("sandbox-demo-gone", &state).ok());
  BOOST_TEST(!state.exists);
  BOOST_TEST(runtime.StartContainer("sandbox-demo-gone").IsNotFound());

  // A rename is a label: the task is not touched, the Swarm name stays.
  s = runtime.RenameContainer(id, "sandbox-demo-web.old");
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  json renamed = json::parse(manager.Sent("update?version=7").back());
  BOOST_TEST(renamed["Name"] == "sandbox-demo-web");
  BOOST_TEST(renamed["Labels"][kSwarmNameLabel] == "sandbox-demo-web.old");
  BOOST_TEST(renamed["Mode"] == stopped["Mode"]);
  BOOST_TEST(runtime.InspectContainer("sandbox-demo-web.old", &state).ok());
  BOOST_TEST(state.exists);
  BOOST_TEST(runtime.InspectContainer(id, &state).ok());
  BOOST_TEST(!state.exists);
  BOOST_TEST(runtime.RenameContainer("sandbox-demo-nope", "x").IsNotFound());
}

BOOST_AUTO_TEST_SUITE_END()
