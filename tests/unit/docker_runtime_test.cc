#define BOOST_TEST_DYN_LINK
#include "bot/docker_runtime.h"

#include <httplib.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/unit/podman_answers.h"

using namespace sandbot;

namespace {

// A loopback stand-in for the engine: answers /_ping and /version, and
// whatever routes the test adds, under the API version it announces.
class FakeEngine {
 public:
  // `version`: the body of GET /version, else dockerd's with `min_api`.
  explicit FakeEngine(const std::string& min_api = "1.24", const std::string& version = "") {
    server_.Get("/_ping", [](const httplib::Request&, httplib::Response& res) {
      res.set_header("Api-Version", "1.43");
      res.set_content("OK", "text/plain");
    });
    server_.Get("/version", [min_api, version](const httplib::Request&, httplib::Response& res) {
      res.set_content(version.empty()
                          ? "{\"ApiVersion\":\"1.43\",\"MinAPIVersion\":\"" + min_api + "\"}"
                          : version,
                      "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    BOOST_REQUIRE(port_ > 0);
  }
  ~FakeEngine() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Server& server() { return server_; }
  void Start() {
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::string endpoint() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

void Answer(httplib::Response& res, int status, const std::string& body) {
  res.status = status;
  res.set_content(body, "application/json");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(docker_runtime)

// No engine involved: a socket that does not exist, and endpoints that are
// not supported.
BOOST_AUTO_TEST_CASE(unreachable_engine_is_unavailable) {
  DockerRuntime runtime("unix:///nonexistent/sandbot-test/docker.sock");
  Status s = runtime.Ping();
  BOOST_TEST(s.IsUnavailable());
  BOOST_TEST(s.message().find("unix:///nonexistent/sandbot-test/docker.sock") != std::string::npos);
  BOOST_TEST(s.message().find("does not exist") != std::string::npos);
  BOOST_TEST(s.message().find("systemctl start docker") != std::string::npos);
  std::string id;
  BOOST_TEST(runtime.CreateContainer(ContainerSpec(), &id).IsUnavailable());
}

BOOST_AUTO_TEST_CASE(bad_endpoints_are_invalid) {
  for (const char* e : {"ssh://host", "unix://relative.sock", "npipe:////./pipe/docker"}) {
    DockerRuntime runtime(e);
    Status s = runtime.Ping();
    BOOST_TEST((s.code() == Status::Code::kInvalidArgument), e << ": " << s.ToString());
  }
}

BOOST_AUTO_TEST_CASE(invalid_tags_rejected_before_any_request) {
  DockerRuntime runtime("unix:///nonexistent/sandbot-test/docker.sock");
  Status s = runtime.BuildImage("", "Not Valid", nullptr);
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  s = runtime.ImportImage("/nonexistent.tar", "bad name:x", nullptr);
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
}

// The answers' status codes mapped to Status, through the one request path.
BOOST_AUTO_TEST_CASE(answers_map_to_status) {
  FakeEngine engine;
  auto& srv = engine.server();
  srv.Get(R"(/v1\.43/containers/web/json)", [](const httplib::Request&, httplib::Response& res) {
    Answer(res, 200,
           R"({"State":{"Running":true,"Status":"running","ExitCode":0,)"
           R"("Health":{"Status":"healthy"}},"RestartCount":2,"Image":"sha256:i"})");
  });
  srv.Get(R"(/v1\.43/containers/gone/json)", [](const httplib::Request&, httplib::Response& res) {
    Answer(res, 404, R"({"message":"No such container: gone"})");
  });
  srv.Post(R"(/v1\.43/containers/web/start)",
           [](const httplib::Request&, httplib::Response& res) { res.status = 304; });
  srv.Post(R"(/v1\.43/containers/busy/start)", [](const httplib::Request&, httplib::Response& res) {
    Answer(res, 409, R"({"message":"container is being removed"})");
  });
  srv.Get(R"(/v1\.43/containers/json)",
          [](const httplib::Request&, httplib::Response& res) { Answer(res, 200, "not json"); });
  srv.Delete(R"(/v1\.43/containers/(\w+))",
             [](const httplib::Request& req, httplib::Response& res) {
               if (req.matches[1] == "stuck") {
                 Answer(res, 500, R"({"message":"driver failed"})");
               } else {
                 res.status = req.matches[1] == "old" ? 404 : 204;
               }
             });
  srv.Post(R"(/v1\.43/containers/(\w+)/rename)",
           [](const httplib::Request& req, httplib::Response& res) {
             if (req.matches[1] != "web")
               return Answer(res, 404, R"({"message":"No such container"})");
             if (req.get_param_value("name") == "taken") {
               return Answer(res, 409, R"({"message":"name is already in use"})");
             }
             res.status = req.get_param_value("name") == "sandbox-qa-web.old" ? 204 : 500;
           });
  srv.Post(R"(/v1\.43/containers/create)", [](const httplib::Request& req, httplib::Response& res) {
    Answer(res, 201, "{\"Id\":\"id-" + req.get_param_value("name") + "\",\"Warnings\":[]}");
  });
  engine.Start();

  DockerRuntime runtime(engine.endpoint());
  std::string version;
  BOOST_TEST(runtime.ApiVersion(&version).ok());
  BOOST_TEST(version == "1.43");

  ContainerState state;
  BOOST_TEST(runtime.InspectContainer("web", &state).ok());
  BOOST_TEST(state.exists);
  BOOST_TEST(state.running);
  BOOST_TEST(state.status == "running");
  BOOST_TEST(state.restart_count == 2);
  BOOST_TEST(state.health == "healthy");
  BOOST_TEST(state.image == "sha256:i");
  BOOST_TEST(runtime.InspectContainer("gone", &state).ok());  // 404: absent, not an error
  BOOST_TEST(!state.exists);

  BOOST_TEST(runtime.StartContainer("web").ok());  // 304: already running
  Status s = runtime.StartContainer("busy");
  BOOST_TEST((s.code() == Status::Code::kConflict), s.ToString());
  BOOST_TEST(s.message() == "cannot start container busy: container is being removed");
  s = runtime.StartContainer("nobody");  // httplib's own 404
  BOOST_TEST(s.IsNotFound(), s.ToString());

  std::vector<ContainerInfo> list;
  s = runtime.ListContainers({}, &list);
  BOOST_TEST((s.code() == Status::Code::kInternal), s.ToString());
  BOOST_TEST(s.message().find("not a JSON array") != std::string::npos);

  BOOST_TEST(runtime.RemoveContainer("web").ok());
  BOOST_TEST(runtime.RemoveContainer("old").ok());  // 404: already gone
  s = runtime.RemoveContainer("stuck");
  BOOST_TEST((s.code() == Status::Code::kInternal), s.ToString());
  BOOST_TEST(s.message() == "cannot remove container stuck: driver failed (HTTP 500)");

  BOOST_TEST(runtime.RenameContainer("web", "sandbox-qa-web.old").ok());
  s = runtime.RenameContainer("web", "taken");
  BOOST_TEST((s.code() == Status::Code::kConflict), s.ToString());
  BOOST_TEST(s.message() == "cannot rename container web to taken: name is already in use");
  BOOST_TEST(runtime.RenameContainer("gone", "x").IsNotFound());

  ContainerSpec spec;
  spec.name = "sandbox-qa-web";
  spec.image = "busybox";
  std::string id;
  BOOST_TEST(runtime.CreateContainer(spec, &id).ok());
  BOOST_TEST(id == "id-sandbox-qa-web");
}

BOOST_AUTO_TEST_CASE(an_engine_too_new_for_us_is_refused_once_clearly) {
  FakeEngine engine("1.50");
  engine.Start();
  DockerRuntime runtime(engine.endpoint());
  Status s = runtime.Ping();
  BOOST_TEST(s.IsUnavailable());
  BOOST_TEST(s.message().find("needs API 1.50 or newer") != std::string::npos, s.message());
  std::string version;
  BOOST_TEST(runtime.ApiVersion(&version).IsUnavailable());
}

// Podman's answers (recorded from Podman 4.3.1) are read as dockerd's, and
// only when GET /version says the engine is Podman.
namespace {

// Routes answering what Podman answered: an existing network (or, for a
// network named "full", no subnet left), a name in use, a start refused its
// rlimits, a bad signal.
void AddPodmanRefusals(httplib::Server& srv) {
  srv.Get(R"(/v1\.43/networks)",
          [](const httplib::Request&, httplib::Response& res) { Answer(res, 200, "[]"); });
  srv.Post(R"(/v1\.43/networks/create)", [](const httplib::Request& req, httplib::Response& res) {
    Answer(res, 500,
           req.body.find("\"full\"") != std::string::npos ? recorded::kNoFreeSubnet
                                                          : recorded::kNetworkExists);
  });
  srv.Post(R"(/v1\.43/containers/create)", [](const httplib::Request&, httplib::Response& res) {
    Answer(res, 500, recorded::kNameInUse);
  });
  srv.Post(R"(/v1\.43/containers/web/start)", [](const httplib::Request&, httplib::Response& res) {
    Answer(res, 500, recorded::kRlimitRefused);
  });
  srv.Get(R"(/v1\.43/containers/c2/json)", [](const httplib::Request&, httplib::Response& res) {
    Answer(res, 200, recorded::kInspectWhileStopping);
  });
  srv.Get(R"(/v1\.43/containers/json)", [](const httplib::Request&, httplib::Response& res) {
    Answer(res, 200, recorded::kListWhileStopping);
  });
  srv.Post(R"(/v1\.43/containers/web/kill)", [](const httplib::Request&, httplib::Response& res) {
    Answer(res, 500, recorded::kInvalidSignal);
  });
}

}  // namespace

BOOST_AUTO_TEST_CASE(podman_is_detected_and_its_refusals_read_as_dockerds) {
  FakeEngine engine("1.24", recorded::kPodmanVersion);
  AddPodmanRefusals(engine.server());
  engine.Start();
  DockerRuntime runtime(engine.endpoint());
  bool podman = false;
  BOOST_TEST(runtime.IsPodman(&podman).ok());
  BOOST_TEST(podman);

  // Another process created the network between our look and our create:
  // Podman's 500 "network already exists" is dockerd's 409, so it is there.
  Status s = runtime.EnsureNetwork("sandbox-a", {{"sandbot.managed", "true"}});
  BOOST_TEST(s.ok(), s.ToString());
  s = runtime.EnsureNetwork("full", {});
  BOOST_TEST(s.IsConflict(), s.ToString());
  BOOST_TEST(s.message().find("no address range left") != std::string::npos, s.message());
  BOOST_TEST(s.message().find("containers.conf") != std::string::npos, s.message());

  ContainerSpec spec;
  spec.name = "sandbox-a-db";
  spec.image = "busybox";
  std::string id;
  s = runtime.CreateContainer(spec, &id);
  BOOST_TEST(s.IsConflict(), s.ToString());
  BOOST_TEST(s.message().find("already in use") != std::string::npos, s.message());

  s = runtime.SignalContainer("web", "NOPE");
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());

  s = runtime.StartContainer("web");
  BOOST_TEST((s.code() == Status::Code::kInternal), s.ToString());
  BOOST_TEST(s.message().find("default_ulimits") != std::string::npos, s.message());

  // A container Podman is stopping still runs, as dockerd would say.
  ContainerState state;
  BOOST_TEST(runtime.InspectContainer("c2", &state).ok());
  BOOST_TEST(state.running);
  BOOST_TEST(state.status == "running");
  std::vector<ContainerInfo> list;
  BOOST_TEST(runtime.ListContainers({}, &list).ok());
  BOOST_TEST(list.size() == 1u);
  BOOST_TEST(list[0].state == "running");
  // The image as it was given at create, as dockerd lists it.
  BOOST_TEST(list[0].image == "sandbot/busybox:latest");
}

BOOST_AUTO_TEST_CASE(the_same_answers_from_dockerd_are_not_reinterpreted) {
  FakeEngine engine("1.24", recorded::kDockerVersion);
  AddPodmanRefusals(engine.server());
  engine.Start();
  DockerRuntime runtime(engine.endpoint());
  bool podman = true;
  BOOST_TEST(runtime.IsPodman(&podman).ok());
  BOOST_TEST(!podman);
  Status s = runtime.EnsureNetwork("sandbox-a", {});
  BOOST_TEST((s.code() == Status::Code::kInternal), s.ToString());
  ContainerSpec spec;
  spec.name = "sandbox-a-db";
  spec.image = "busybox";
  std::string id;
  BOOST_TEST((runtime.CreateContainer(spec, &id).code() == Status::Code::kInternal));
  s = runtime.StartContainer("web");
  BOOST_TEST(s.message().find("default_ulimits") == std::string::npos, s.message());
  s = runtime.EnsureNetwork("full", {});
  BOOST_TEST(s.message().find("daemon.json") != std::string::npos, s.message());
  ContainerState state;
  BOOST_TEST(runtime.InspectContainer("c2", &state).ok());
  BOOST_TEST(!state.running);
  BOOST_TEST(state.status == "stopping");
}

BOOST_AUTO_TEST_SUITE_END()
