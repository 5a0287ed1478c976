#define BOOST_TEST_DYN_LINK
#include <httplib.h>
#include <sys/socket.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "bot/config.h"
#include "hooks/hook_client.h"
#include "hooks/hook_install.h"
#include "hooks/paths.h"
#include "hooks/push_wire.h"
#include "hooks/spool.h"
#include "hooks/unix_http.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(hook)

BOOST_AUTO_TEST_CASE(hook_script_quotes_everything) {
  std::string script = PostReceiveHookScript("/usr/bin/sandbot", "/var/lib/o'brien", "web");
  BOOST_CHECK_EQUAL(script,
                    "#!/bin/sh\n# installed by sandbot (sandbot repo add): hands each push to the "
                    "sandbot daemon\n"
                    "[ -x '/usr/bin/sandbot-hook' ] && exec '/usr/bin/sandbot-hook' post-receive "
                    "--data '/var/lib/o'\\''brien' --repo 'web'\n"
                    "exec '/usr/bin/sandbot' hook post-receive --data "
                    "'/var/lib/o'\\''brien' --repo 'web'\n");
  BOOST_CHECK_EQUAL(HookBinaryBeside("/opt/x y/sandbot"), "/opt/x y/sandbot-hook");
  BOOST_CHECK_EQUAL(HookBinaryBeside("sandbot"), "sandbot-hook");
}

BOOST_AUTO_TEST_CASE(spool_files_are_complete_and_ordered) {
  ScratchDir dir;
  std::string a, b;
  BOOST_REQUIRE(WriteSpoolFile(dir.path() + "/spool", "{\"n\":1}", &a).ok());
  BOOST_REQUIRE(WriteSpoolFile(dir.path() + "/spool", "{\"n\":2}", &b).ok());
  std::ofstream(dir.path() + "/spool/.tmp-half.json") << "{";  // an interrupted write
  auto names = ListSpoolFiles(dir.path() + "/spool");
  BOOST_REQUIRE_EQUAL(names.size(), 2u);
  BOOST_CHECK_EQUAL(names[0], a);
  BOOST_CHECK_EQUAL(names[1], b);
  std::ifstream in(dir.path() + "/spool/" + b);
  std::stringstream text;
  text << in.rdbuf();
  BOOST_CHECK_EQUAL(text.str(), "{\"n\":2}");
}

BOOST_AUTO_TEST_CASE(spool_reports_an_unwritable_folder) {
  std::string name;
  Status s = WriteSpoolFile("/proc/sandbot-cannot-exist", "{}", &name);
  BOOST_CHECK(s.IsUnavailable());
}

BOOST_AUTO_TEST_CASE(config_parsing) {
  int lo, hi, port;
  std::string host;
  BOOST_CHECK(ParsePortRange("9001-9999", &lo, &hi).ok());
  BOOST_CHECK_EQUAL(lo, 9001);
  BOOST_CHECK_EQUAL(hi, 9999);
  for (const std::string bad : {"9001", "9999-9001", "0-10", "a-b", "1-70000", ""}) {
    BOOST_CHECK_MESSAGE(!ParsePortRange(bad, &lo, &hi).ok(), bad);
  }
  BOOST_CHECK(ParseListen("127.0.0.1:8088", &host, &port).ok());
  BOOST_CHECK_EQUAL(host, "127.0.0.1");
  BOOST_CHECK_EQUAL(port, 8088);
  BOOST_CHECK(ParseListen("[::1]:80", &host, &port).ok());
  BOOST_CHECK_EQUAL(host, "::1");
  BOOST_CHECK(!ParseListen("8088", &host, &port).ok());
  BOOST_CHECK(!ParseListen("x:99999", &host, &port).ok());
}

namespace {

const std::string kRefLine = std::string(40, '0') + " " + std::string(40, 'a') + " refs/heads/f\n";

// The daemon's local API on {data}/sandbot.sock, answering as told.
class FakeDaemon {
 public:
  explicit FakeDaemon(const std::string& data_dir) : path_(SocketPath(data_dir)) {
    server_.set_address_family(AF_UNIX);
  }
  ~FakeDaemon() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  httplib::Server& server() { return server_; }
  void Start() {
    BOOST_REQUIRE(server_.bind_to_port(path_, 80));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }

 private:
  std::string path_;
  httplib::Server server_;
  std::thread thread_;
};

HookRequest Request(const std::string& data_dir, std::vector<std::string> options = {}) {
  HookRequest req;
  req.data_dir = data_dir;
  req.repo = "web";
  req.actor = "ana";
  req.push_options = std::move(options);
  req.stdin_text = kRefLine;
  req.wait_timeout_seconds = 10;
  return req;
}

}  // namespace

BOOST_AUTO_TEST_CASE(unix_http_reports_nobody_listening) {
  ScratchDir dir;
  UnixHttpResult r = UnixHttpRequest(dir.path() + "/none.sock", "GET", "/", "", 1, 1);
  BOOST_CHECK(r.error == UnixHttpResult::Error::kConnection);
  BOOST_CHECK_EQUAL(ErrorName(r.error), "Connection");
}

BOOST_AUTO_TEST_CASE(unix_http_round_trip) {
  ScratchDir dir;
  FakeDaemon daemon(dir.path());
  std::string seen_body, seen_type;
  daemon.server().Post("/echo", [&](const httplib::Request& req, httplib::Response& res) {
    seen_body = req.body;
    seen_type = req.get_header_value("Content-Type");
    res.status = 201;
    res.set_content(std::string(100000, 'x'), "text/plain");
  });
  daemon.server().Get("/chunks", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
      if (offset < 6) {
        sink.write("abc", 3);
      } else {
        sink.done();
      }
      return true;
    });
  });
  daemon.Start();
  UnixHttpResult r = UnixHttpRequest(SocketPath(dir.path()), "POST", "/echo", "{\"a\":1}", 2, 5);
  BOOST_REQUIRE(r.ok());
  BOOST_CHECK_EQUAL(r.status, 201);
  BOOST_CHECK_EQUAL(r.body.size(), 100000u);
  BOOST_CHECK_EQUAL(seen_body, "{\"a\":1}");
  BOOST_CHECK_EQUAL(seen_type, "application/json");
  r = UnixHttpRequest(SocketPath(dir.path()), "GET", "/chunks", "", 2, 5);
  BOOST_REQUIRE(r.ok());
  BOOST_CHECK_EQUAL(r.body, "abcabc");
  r = UnixHttpRequest(SocketPath(dir.path()), "GET", "/missing", "", 2, 5);
  BOOST_REQUIRE(r.ok());
  BOOST_CHECK_EQUAL(r.status, 404);
}

BOOST_AUTO_TEST_CASE(hook_spools_when_the_daemon_is_down) {
  ScratchDir dir;
  std::ostringstream out;
  BOOST_CHECK_EQUAL(RunPostReceive(Request(dir.path(), {"sandbot.wait"}), out), 0);
  BOOST_CHECK(out.str().find("sandbot: the daemon is not running; the push is saved (") == 0);
  auto names = ListSpoolFiles(SpoolDir(dir.path()));
  BOOST_REQUIRE_EQUAL(names.size(), 1u);
  std::ifstream in(SpoolDir(dir.path()) + "/" + names[0]);
  std::stringstream text;
  text << in.rdbuf();
  PushMessage push;
  BOOST_REQUIRE(DecodePush(text.str(), &push).ok());
  BOOST_CHECK_EQUAL(push.repo, "web");
  BOOST_CHECK_EQUAL(push.actor, "ana");
  BOOST_CHECK(!push.id.empty());
  BOOST_REQUIRE_EQUAL(push.updates.size(), 1u);
  BOOST_CHECK_EQUAL(push.updates[0].ref, "refs/heads/f");
  BOOST_CHECK_EQUAL(push.options[0], "sandbot.wait");
}

BOOST_AUTO_TEST_CASE(hook_prints_the_answer_and_follows_jobs) {
  ScratchDir dir;
  FakeDaemon daemon(dir.path());
  std::string pushed;
  bool wait = false;
  daemon.server().Post("/v1/push", [&](const httplib::Request& req, httplib::Response& res) {
    pushed = req.body;
    nlohmann::json answer = {
        {"lines", {"feature -> sandbox f (job 7)"}}, {"jobs", {7}}, {"wait", wait}};
    res.set_content(answer.dump(), "application/json");
  });
  std::vector<std::string> polls;
  daemon.server().Get("/v1/events", [&](const httplib::Request& req, httplib::Response& res) {
    polls.push_back(req.get_param_value("jobs") + "@" + req.get_param_value("after"));
    nlohmann::json events = nlohmann::json::array();
    bool done = polls.size() > 1;
    if (!done) {
      events.push_back({{"id", 3}, {"job", 7}, {"stage", "queued"}, {"message", "queued"}});
      events.push_back({{"id", 4}, {"job", 7}, {"stage", "running"}, {"message", "up at :8080"}});
    } else {
      events.push_back({{"id", 5}, {"job", 7}, {"stage", "log"}, {"message", "l1\nl2"}});
      events.push_back({{"id", 6}, {"job", 7}, {"stage", "failed"}, {"message", "it broke"}});
    }
    res.set_content(nlohmann::json{{"events", events}, {"done", done}}.dump(), "application/json");
  });
  daemon.Start();

  std::ostringstream out;
  BOOST_CHECK_EQUAL(RunPostReceive(Request(dir.path()), out), 0);
  BOOST_CHECK_EQUAL(out.str(),
                    "sandbot: feature -> sandbox f (job 7)\n"
                    "sandbot: deploying in the background; to watch it next time: git push -o "
                    "sandbot.wait\n");
  PushMessage push;
  BOOST_REQUIRE(DecodePush(pushed, &push).ok());
  BOOST_CHECK_EQUAL(push.updates.size(), 1u);
  BOOST_CHECK(polls.empty());

  wait = true;
  out.str("");
  BOOST_CHECK_EQUAL(RunPostReceive(Request(dir.path()), out), 1);  // the job failed
  BOOST_CHECK_EQUAL(out.str(),
                    "sandbot: feature -> sandbox f (job 7)\n"
                    "sandbot: up at :8080\n"
                    "sandbot: --- last log lines ---\n"
                    "sandbot: l1\n"
                    "sandbot: l2\n"
                    "sandbot: it broke\n");
  BOOST_REQUIRE_EQUAL(polls.size(), 2u);
  BOOST_CHECK_EQUAL(polls[0], "7@0");
  BOOST_CHECK_EQUAL(polls[1], "7@4");
  BOOST_CHECK(ListSpoolFiles(SpoolDir(dir.path())).empty());
}

BOOST_AUTO_TEST_CASE(hook_reports_a_refused_push) {
  ScratchDir dir;
  FakeDaemon daemon(dir.path());
  daemon.server().Post("/v1/push", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content("{\"error\":\"no repo web\"}", "application/json");
  });
  daemon.Start();
  std::ostringstream out;
  BOOST_CHECK_EQUAL(RunPostReceive(Request(dir.path()), out), 1);
  BOOST_CHECK_EQUAL(out.str(), "sandbot: push not deployed: no repo web\n");
}

BOOST_AUTO_TEST_SUITE_END()
