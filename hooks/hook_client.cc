#include "hooks/hook_client.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>

#include "hooks/event_lines.h"
#include "hooks/event_wire.h"
#include "hooks/paths.h"
#include "hooks/post_receive.h"
#include "hooks/push_wire.h"
#include "hooks/spool.h"
#include "hooks/unix_http.h"

namespace sandbot {

using nlohmann::json;

namespace {

constexpr int kConnectTimeoutSeconds = 2;
constexpr int kReadTimeoutSeconds = 40;  // above the 20 s long poll of /v1/events

void Say(std::ostream& out, const std::string& text) {
  // One `remote:` line per line of text.
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    if (nl > start || start == 0) out << "sandbot: " << text.substr(start, nl - start) << "\n";
    start = nl + 1;
  }
  out.flush();
}

UnixHttpResult Call(const std::string& data_dir, const std::string& method,
                    const std::string& target, const std::string& body) {
  return UnixHttpRequest(SocketPath(data_dir), method, target, body, kConnectTimeoutSeconds,
                         kReadTimeoutSeconds);
}

// Unique enough across hosts' hooks: microseconds, pid and a random word.
std::string NewPushId() {
  std::random_device random;
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(now).count()) + "-" +
         std::to_string(getpid()) + "-" + std::to_string(random());
}

}  // namespace

bool FollowJobs(const std::string& data_dir, const std::vector<int64_t>& jobs, int timeout_seconds,
                std::ostream& out) {
  std::string ids;
  for (int64_t id : jobs) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  int64_t after = 0;
  bool ok = true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    UnixHttpResult res =
        Call(data_dir, "GET",
             "/v1/events?jobs=" + ids + "&after=" + std::to_string(after) + "&wait_ms=20000", "");
    if (!res.ok() || res.status != 200) {
      Say(out, "lost the daemon while waiting; the deploy goes on: sandbot sandbox list");
      return false;
    }
    std::vector<JobEvent> events;
    bool done = false;
    if (!DecodeEvents(res.body, &events, &done).ok()) return false;
    for (const JobEvent& e : events) {
      after = e.id;
      if (e.stage == JobStage::kFailed) ok = false;
      const std::string line = EventLine(e);
      if (!line.empty()) Say(out, line);
    }
    if (done) return ok;
  }
  Say(out, "still deploying after " + std::to_string(timeout_seconds) +
               " s; follow with: sandbot sandbox list");
  return false;
}

std::string PushingUser(std::string* variable) {
  if (variable != nullptr) variable->clear();
  // Git servers name the authenticated user in different variables.
  for (const char* var : {"SANDBOT_PUSHER", "GITEA_PUSHER_NAME", "GL_USERNAME", "REMOTE_USER"}) {
    const char* v = std::getenv(var);
    if (v && *v) {
      if (variable != nullptr) *variable = var;
      return v;
    }
  }
  if (struct passwd* pw = getpwuid(getuid())) return pw->pw_name;
  const char* user = std::getenv("USER");
  return user ? user : "unknown";
}

int RunPostReceive(const HookRequest& req, std::ostream& out) {
  PushMessage push;
  push.repo = req.repo;
  push.actor = req.actor;
  push.actor_variable = req.actor_variable;
  push.options = req.push_options;
  push.id = NewPushId();
  Status s = ParsePostReceive(req.stdin_text, &push.updates);
  if (!s.ok()) {
    Say(out, "cannot read the push: " + s.message());
    return 2;
  }
  if (push.updates.empty()) return 0;
  const std::string body = EncodePush(push);

  UnixHttpResult res = Call(req.data_dir, "POST", "/v1/push", body);
  using Error = UnixHttpResult::Error;
  if (!res.ok() && res.error != Error::kConnection) {
    // The daemon took the request but did not answer in time: it may have
    // recorded the push. Spooling it too is safe, since pushes count once by id.
    Say(out, "the daemon did not answer in time (" + ErrorName(res.error) +
                 "); saving the push to the spool as well, it is applied at most once");
  }
  if (!res.ok()) {
    std::string name;
    s = WriteSpoolFile(SpoolDir(req.data_dir), body, &name);
    if (!s.ok()) {
      Say(out, "the daemon is not running and the push could not be saved: " + s.message());
      Say(out, "start it (sandbot serve) and push again");
      return 1;
    }
    if (res.error == Error::kConnection) {
      Say(out, "the daemon is not running; the push is saved (" + name +
                   ") and deploys when it starts (sandbot serve)");
    } else {
      Say(out, "push saved (" + name + "); follow with: sandbot sandbox list");
    }
    return 0;
  }
  json answer = json::parse(res.body, nullptr, false);
  if (res.status != 200 || !answer.is_object()) {
    std::string error = answer.is_object() ? answer.value("error", res.body) : res.body;
    Say(out, "push not deployed: " + error);
    return 1;
  }
  for (const auto& line : answer.value("lines", json::array())) {
    if (line.is_string()) Say(out, line.get<std::string>());
  }
  std::vector<int64_t> jobs;
  for (const auto& id : answer.value("jobs", json::array())) {
    if (id.is_number_integer()) jobs.push_back(id.get<int64_t>());
  }
  if (jobs.empty()) return 0;
  if (!answer.value("wait", false)) {
    Say(out, "deploying in the background; to watch it next time: git push -o sandbot.wait");
    return 0;
  }
  return FollowJobs(req.data_dir, jobs, req.wait_timeout_seconds, out) ? 0 : 1;
}

int PostReceiveMain(const std::string& data_dir, const std::string& repo, std::istream& in,
                    std::ostream& out) {
  HookRequest req;
  req.data_dir = data_dir;
  req.repo = repo;
  req.actor = PushingUser(&req.actor_variable);
  req.push_options =
      ReadPushOptions([](const char* name) -> const char* { return std::getenv(name); });
  req.stdin_text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return RunPostReceive(req, out);
}

}  // namespace sandbot
