#include "bot/swarm_runtime.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "bot/docker_json.h"
#include "bot/docker_request.h"
#include "bot/docker_stream.h"
#include "util/engine_names.h"

namespace sandbot {

using nlohmann::json;

namespace {

constexpr int kAny2xx = DockerRuntime::kAny2xx;
constexpr size_t kMaxSecretBytes = 500 * 1024;  // the manager's limit
constexpr int kStartSeconds = 60;
constexpr int kGoneSeconds = 30;
constexpr char kLabelSwarmService[] = "sandbot.swarm.service";

std::string Filter(const json& filters) { return UrlEncode(filters.dump()); }

// POST `path` with `body` as JSON.
DockerCall PostJson(std::string path, const std::string* body) {
  DockerCall call;
  call.method = "POST";
  call.path = std::move(path);
  call.body = body;
  call.content_type = "application/json";
  return call;
}

bool Running(const json& task) {
  return JsonString(JsonMember(task, "Status"), "State") == "running";
}

// Polls `done` every 100 ms for up to `seconds`; Ok as soon as it says so.
template <typename Check>
Status Poll(int seconds, Check done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (;;) {
    bool finished = false;
    Status s = done(&finished);
    if (!s.ok() || finished) return s;
    if (std::chrono::steady_clock::now() > deadline) return Status::Unavailable("timed out");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

SwarmRuntime::SwarmRuntime(std::string endpoint, EngineTls tls, SwarmPublish publish)
    : ForwardingRuntime(&docker_),
      docker_(std::move(endpoint), std::move(tls)),
      publish_(publish) {}

Status SwarmRuntime::CheckManager(SwarmNode* node) {
  DockerCall call;
  call.path = "/info";
  json info;
  Status s = docker_.GetJson(std::move(call), "cannot read the engine's /info", {200}, &info);
  if (!s.ok()) return s;
  SwarmNode n;
  s = ReadSwarmNode(info, docker_.transport().endpoint(), &n);
  if (!s.ok()) return s;
  if (node != nullptr) *node = n;
  MutexLock lock(&mu_);
  node_id_ = n.node_id;
  return Status::Ok();
}

Status SwarmRuntime::NodeId(std::string* id) {
  {
    MutexLock lock(&mu_);
    if (!node_id_.empty()) {
      *id = node_id_;
      return Status::Ok();
    }
  }
  Status s = CheckManager();
  MutexLock lock(&mu_);
  *id = node_id_;
  return s;
}

// ---- Networks: attachable overlays in the swarm's scope.

Status SwarmRuntime::EnsureNetwork(const std::string& name, const Labels& labels) {
  MutexLock lock(&network_mu_);
  DockerCall list;
  list.path = "/networks?filters=" + Filter({{"name", {name}}});
  json j;
  Status s = docker_.GetJson(std::move(list), "cannot list networks", {200}, &j);
  if (!s.ok()) return s;
  if (j.is_array()) {
    for (const json& n : j) {
      if (JsonString(n, "Name") != name) continue;
      if (JsonString(n, "Driver") == "overlay") return Status::Ok();
      return Status::Conflict(
          "network " + name + " exists on the manager but is a " + JsonString(n, "Driver") +
          " network, not a swarm overlay; remove it (docker network rm " + name + ") and retry");
    }
  }
  std::string text = DumpJson(OverlayNetworkBody(name, labels));
  DockerReply reply;
  return docker_.Exchange(PostJson("/networks/create", &text),
                          "cannot create overlay network " + name, {kAny2xx, 409}, &reply);
}

Status SwarmRuntime::RemoveNetwork(const std::string& name) {
  // Task containers leave the network a moment after their service: retry
  // while the manager says it is in use.
  Status last;
  Status s = Poll(kGoneSeconds, [&](bool* done) {
    last = docker_.RemoveNetwork(name);
    *done = last.ok() || !(last.IsForbidden() || last.IsConflict() ||
                           last.message().find("active endpoints") != std::string::npos);
    return Status::Ok();
  });
  (void)s;  // timed out: the last answer says why
  return last;
}

// ---- Services.

Status SwarmRuntime::GetService(const std::string& name, json* service, bool* found) {
  // By the container name it stands for (a label): a renamed service keeps
  // its Swarm name (see RenameContainer).
  *found = false;
  DockerCall call;
  call.path =
      "/services?filters=" + Filter({{"label", {std::string(kSwarmNameLabel) + "=" + name}}});
  json list;
  Status s = docker_.GetJson(std::move(call), "cannot look up service " + name, {200}, &list);
  if (!s.ok()) return s;
  if (list.is_array() && !list.empty() && list[0].is_object()) {
    *service = list[0];
    *found = true;
  }
  return Status::Ok();
}

Status SwarmRuntime::Tasks(const std::string& service_id, json* tasks) {
  DockerCall call;
  call.path = "/tasks?filters=" + Filter({{"service", {service_id}}});
  Status s = docker_.GetJson(std::move(call), "cannot list tasks", {200}, tasks);
  if (s.ok() && !tasks->is_array()) *tasks = json::array();
  return s;
}

Status SwarmRuntime::UpdateService(const json& service, const json& spec) {
  std::string text = DumpJson(spec);
  DockerCall call = PostJson(
      "/services/" + PathEscape(JsonString(service, "ID")) +
          "/update?version=" + std::to_string(JsonInt(JsonMember(service, "Version"), "Index")),
      &text);
  DockerReply reply;
  return docker_.Exchange(std::move(call), "cannot update service " + JsonString(spec, "Name"),
                          {200}, &reply);
}

Status SwarmRuntime::MakeSecrets(const ContainerSpec& spec, std::vector<SwarmSecretRef>* refs) {
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> folders;
  SplitBinds(spec.binds, &files, &folders);
  for (const auto& [host, target] : files) {
    std::ifstream in(host, std::ios::binary);
    std::stringstream data;
    data << in.rdbuf();
    if (!in) return Status::Internal("cannot read " + host + " for a swarm secret");
    if (data.str().size() > kMaxSecretBytes) {
      return Status::InvalidArgument(target + " is larger than a swarm secret may be (500 KiB)");
    }
    SwarmSecretRef ref;
    ref.name = SwarmSecretName(target, data.str());
    ref.target = target;
    Labels labels = {{kLabelManaged, "true"}, {kLabelSwarmService, spec.name}};
    auto sandbox = spec.labels.find(kLabelSandbox);
    if (sandbox != spec.labels.end()) labels[kLabelSandbox] = sandbox->second;
    std::string text = DumpJson(SecretCreateBody(ref.name, data.str(), labels));
    json j;
    int status = 0;
    Status s =
        docker_.GetJson(PostJson("/secrets/create", &text),
                        "cannot create a swarm secret for " + target, {201, 200, 409}, &j, &status);
    if (!s.ok()) return s;
    ref.id = JsonString(j, "ID");
    if (status == 409) {  // the same content for the same path: reuse it
      DockerCall get;
      get.path = "/secrets/" + PathEscape(ref.name);
      s = docker_.GetJson(std::move(get), "cannot inspect swarm secret " + ref.name, {200}, &j);
      if (!s.ok()) return s;
      ref.id = JsonString(j, "ID");
    }
    if (ref.id.empty())
      return Status::Internal("the manager made secret " + ref.name + " but sent no ID");
    refs->push_back(ref);
  }
  return Status::Ok();
}

void SwarmRuntime::PruneSecrets(const std::string& sandbox) {
  if (sandbox.empty()) return;
  DockerCall list;
  list.path = "/secrets?filters=" + Filter({{"label",
                                             {std::string(kLabelManaged) + "=true",
                                              std::string(kLabelSandbox) + "=" + sandbox}}});
  json j;
  if (!docker_.GetJson(std::move(list), "cannot list secrets", {200}, &j).ok() || !j.is_array()) {
    return;
  }
  for (const json& secret : j) {
    DockerCall del;
    del.method = "DELETE";
    del.path = "/secrets/" + PathEscape(JsonString(secret, "ID"));
    DockerReply reply;
    // Refused while a service uses it: it stays for that service.
    docker_.Exchange(std::move(del), "", {kAny2xx, 404}, &reply);
  }
}

Status SwarmRuntime::CreateContainer(const ContainerSpec& spec, std::string* id) {
  id->clear();
  // What a Compose file adds is not translated to a Swarm service yet:
  // refused rather than dropped.
  if (spec.entrypoint_set || !spec.entrypoint.empty() || !spec.healthcheck.test.empty() ||
      !spec.volume_mounts.empty() || !spec.tmpfs.empty() || !spec.extra_ports.empty() ||
      spec.restart != "no" || spec.pids_limit > 0) {
    return Status::InvalidArgument("cannot create service " + spec.name +
                                   ": compose services are not supported on a Swarm engine yet");
  }
  std::string node;
  Status s = NodeId(&node);
  json existing;
  bool taken = false;
  if (s.ok()) s = GetService(spec.name, &existing, &taken);
  if (s.ok() && taken) {
    return Status::Conflict("cannot create service " + spec.name + ": the name is in use");
  }
  std::vector<SwarmSecretRef> secrets;
  if (s.ok()) s = MakeSecrets(spec, &secrets);
  if (!s.ok()) return s;
  json body = SwarmServiceBody(spec, publish_, node, secrets);
  // The Swarm name is the container's unless a renamed service (a standby)
  // still holds it: then the name with a suffix.
  for (int attempt = 0;; ++attempt) {
    std::string text = DumpJson(body);
    json j;
    s = docker_.GetJson(PostJson("/services/create", &text), "cannot create service " + spec.name,
                        {201, 200}, &j);
    if (!s.IsConflict() || attempt == 3) break;
    char suffix[16];
    std::snprintf(suffix, sizeof(suffix), "-%06x", static_cast<unsigned>(random()) & 0xffffff);
    body["Name"] = SwarmServiceName(spec.name) + suffix;
  }
  if (!s.ok()) return s;
  // Names are what every caller keys on.
  *id = spec.name;
  return Status::Ok();
}

Status SwarmRuntime::AwaitRunning(const std::string& name, const std::string& service_id,
                                  int seconds) {
  std::string last = "no task yet";
  Status s = Poll(seconds, [&](bool* done) {
    json tasks;
    Status t = Tasks(service_id, &tasks);
    if (!t.ok()) return t;
    const json* newest = nullptr;
    for (const json& task : tasks) {
      if (JsonString(task, "DesiredState") != "running") continue;
      if (newest == nullptr || JsonInt(JsonMember(task, "Version"), "Index") >
                                   JsonInt(JsonMember(*newest, "Version"), "Index")) {
        newest = &task;
      }
    }
    if (newest == nullptr) return Status::Ok();
    const json& status = JsonMember(*newest, "Status");
    const std::string state = JsonString(status, "State");
    const std::string err = JsonString(status, "Err");
    last = state + (err.empty() ? "" : ": " + err);
    if (state == "running") *done = true;
    if (state == "failed" || state == "rejected" || state == "complete" || state == "shutdown") {
      return Status::Internal("the task of service " + name + " did not start (" + last + ")");
    }
    return Status::Ok();
  });
  if (s.IsUnavailable() && s.message() == "timed out") {
    return Status::Unavailable("the task of service " + name + " is not running after " +
                               std::to_string(seconds) + " s (" + last + ")");
  }
  return s;
}

Status SwarmRuntime::AwaitStopped(const std::string& name, const std::string& service_id,
                                  int seconds) {
  Status s = Poll(seconds, [&](bool* done) {
    json tasks;
    Status t = Tasks(service_id, &tasks);
    if (!t.ok()) return t;
    *done = true;
    for (const json& task : tasks) {
      const std::string state = JsonString(JsonMember(task, "Status"), "State");
      if (state == "running" || state == "starting" || state == "preparing" ||
          state == "assigned" || state == "accepted" || state == "pending" || state == "ready" ||
          state == "new") {
        *done = false;
      }
    }
    return Status::Ok();
  });
  if (s.IsUnavailable() && s.message() == "timed out") {
    return Status::Unavailable("the task of service " + name + " still runs after " +
                               std::to_string(seconds) + " s");
  }
  return s;
}

Status SwarmRuntime::AwaitGone(const std::string& service_id, int seconds) {
  Status s = Poll(seconds, [&](bool* done) {
    DockerCall call;
    call.path = "/containers/json?all=1&filters=" +
                Filter({{"label", {"com.docker.swarm.service.id=" + service_id}}});
    json j;
    Status t = docker_.GetJson(std::move(call), "cannot list containers", {200}, &j);
    *done = t.ok() && j.is_array() && j.empty();
    return t;
  });
  if (s.IsUnavailable() && s.message() == "timed out") return Status::Ok();  // best effort
  return s;
}

void SwarmRuntime::KillLocal(const std::string& service_id) {
  DockerCall list;
  list.path = "/containers/json?filters=" +
              Filter({{"label", {"com.docker.swarm.service.id=" + service_id}}});
  json running;
  Status s = docker_.GetJson(std::move(list), "cannot list containers", {200}, &running);
  if (!s.ok() || !running.is_array()) return;
  for (const json& c : running) {
    DockerCall kill;
    kill.method = "POST";
    kill.path = "/containers/" + PathEscape(JsonString(c, "Id")) + "/kill";
    DockerReply reply;
    docker_.Exchange(std::move(kill), "", {kAny2xx, 404, 409}, &reply);  // gone meanwhile: fine
  }
}

Status SwarmRuntime::StartContainer(const std::string& name) {
  json service;
  bool found = false;
  Status s = GetService(name, &service, &found);
  if (!s.ok()) return s;
  if (!found) return Status::NotFound("cannot start service " + name + ": no such service");
  const std::string id = JsonString(service, "ID");
  json spec = JsonMember(service, "Spec");
  json tasks;
  s = Tasks(id, &tasks);
  if (!s.ok()) return s;
  ContainerState state;
  ReadServiceState(service, tasks, &state);
  if (state.running) return Status::Ok();
  const bool scaled = SwarmReplicas(spec) > 0;
  spec["Mode"] = {{"Replicated", {{"Replicas", 1}}}};
  spec["EndpointSpec"] = SwarmEndpointSpec(JsonLabels(JsonMember(spec, "Labels")), publish_, true);
  // Already at one replica whose task ended: a new task, as a restart.
  if (scaled && state.status == "exited") {
    spec["TaskTemplate"]["ForceUpdate"] =
        JsonInt(JsonMember(spec, "TaskTemplate"), "ForceUpdate") + 1;
  }
  s = UpdateService(service, spec);
  if (!s.ok()) return s;
  return AwaitRunning(name, id, kStartSeconds);
}

Status SwarmRuntime::StopContainer(const std::string& name, int timeout_seconds) {
  json service;
  bool found = false;
  Status s = GetService(name, &service, &found);
  if (!s.ok()) return s;
  if (!found) return Status::NotFound("cannot stop service " + name + ": no such service");
  json spec = JsonMember(service, "Spec");
  const int t = std::max(timeout_seconds, 0);
  if (SwarmReplicas(spec) > 0) {
    spec["Mode"] = {{"Replicated", {{"Replicas", 0}}}};
    spec["EndpointSpec"] =
        SwarmEndpointSpec(JsonLabels(JsonMember(spec, "Labels")), publish_, false);
    spec["TaskTemplate"]["ContainerSpec"]["StopGracePeriod"] = int64_t{t} * 1000000000;
    s = UpdateService(service, spec);
    if (!s.ok()) return s;
  }
  // As `docker stop -t`: the task had its grace period from its spec (set
  // when it started); after `t` seconds its container, on this node, is
  // killed.
  Status stopped = AwaitStopped(name, JsonString(service, "ID"), t);
  if (stopped.ok() || !stopped.IsUnavailable()) return stopped;
  KillLocal(JsonString(service, "ID"));
  return AwaitStopped(name, JsonString(service, "ID"), kGoneSeconds);
}

Status SwarmRuntime::SignalContainer(const std::string& name, const std::string& signal) {
  json service;
  bool found = false;
  Status s = GetService(name, &service, &found);
  if (!s.ok()) return s;
  if (!found) return Status::NotFound("cannot signal service " + name + ": no such service");
  std::string node;
  s = NodeId(&node);
  json tasks;
  if (s.ok()) s = Tasks(JsonString(service, "ID"), &tasks);
  if (!s.ok()) return s;
  for (const json& task : tasks) {
    if (!Running(task) || JsonString(task, "DesiredState") != "running") continue;
    const std::string container =
        JsonString(JsonMember(JsonMember(task, "Status"), "ContainerStatus"), "ContainerID");
    if (JsonString(task, "NodeID") != node || container.empty()) {
      return Status::Unavailable("the task of service " + name +
                                 " runs on another node: sandbot can only signal on the manager");
    }
    DockerCall call;
    call.method = "POST";
    call.path = "/containers/" + PathEscape(container) + "/kill?signal=" + PathEscape(signal);
    DockerReply reply;
    return docker_.Exchange(std::move(call), "cannot send SIG" + signal + " to service " + name,
                            {204, 200}, &reply);
  }
  return Status::Conflict("cannot send SIG" + signal + " to service " + name +
                          ": it is not running");
}

Status SwarmRuntime::RenameContainer(const std::string& name, const std::string& new_name) {
  json service, other;
  bool found = false, taken = false;
  Status s = GetService(name, &service, &found);
  if (s.ok()) s = GetService(new_name, &other, &taken);
  if (!s.ok()) return s;
  if (!found) return Status::NotFound("cannot rename service " + name + ": no such service");
  if (taken) {
    return Status::Conflict("cannot rename service " + name + " to " + new_name +
                            ": that name is taken");
  }
  // Swarm cannot rename a service; the name sandbot knows it by is a label,
  // and a label changes without touching the task: it keeps running, its
  // port kept, as a renamed container does.
  json spec = JsonMember(service, "Spec");
  spec["Labels"][kSwarmNameLabel] = new_name;
  return UpdateService(service, spec);
}

Status SwarmRuntime::RemoveContainer(const std::string& name) {
  json service;
  bool found = false;
  Status s = GetService(name, &service, &found);
  if (!s.ok() || !found) return s;
  DockerCall del;
  del.method = "DELETE";
  del.path = "/services/" + PathEscape(JsonString(service, "ID"));
  DockerReply reply;
  s = docker_.Exchange(std::move(del), "cannot remove service " + name, {kAny2xx, 404}, &reply);
  // Force-removed, as a container is: no grace period.
  if (s.ok()) KillLocal(JsonString(service, "ID"));
  if (s.ok()) s = AwaitGone(JsonString(service, "ID"), kGoneSeconds);
  if (s.ok()) {
    PruneSecrets(JsonString(JsonMember(JsonMember(service, "Spec"), "Labels"), kLabelSandbox));
  }
  return s;
}

Status SwarmRuntime::InspectContainer(const std::string& name, ContainerState* state) {
  *state = ContainerState();
  json service;
  bool found = false;
  Status s = GetService(name, &service, &found);
  if (!s.ok() || !found) return s;
  json tasks;
  s = Tasks(JsonString(service, "ID"), &tasks);
  if (!s.ok()) return s;
  state->exists = true;
  ReadServiceState(service, tasks, state);
  // The engine's own health check, when the image has one and the task
  // runs here.
  std::string node;
  if (!state->running || !NodeId(&node).ok()) return Status::Ok();
  for (const json& task : tasks) {
    const std::string container =
        JsonString(JsonMember(JsonMember(task, "Status"), "ContainerStatus"), "ContainerID");
    if (!Running(task) || JsonString(task, "NodeID") != node || container.empty()) continue;
    DockerCall call;
    call.path = "/containers/" + PathEscape(container) + "/json";
    json j;
    if (docker_.GetJson(std::move(call), "", {200}, &j).ok()) {
      state->health = JsonString(JsonMember(JsonMember(j, "State"), "Health"), "Status");
    }
    break;
  }
  return Status::Ok();
}

Status SwarmRuntime::ContainerLogs(const std::string& name, int tail, std::string* out) {
  out->clear();
  json service;
  bool found = false;
  Status s = GetService(name, &service, &found);
  if (!s.ok()) return s;
  if (!found)
    return Status::NotFound("cannot read the logs of service " + name + ": no such service");
  DockerCall call;
  call.path =
      "/services/" + PathEscape(JsonString(service, "ID")) +
      "/logs?stdout=1&stderr=1&tail=" + (tail < 0 ? std::string("all") : std::to_string(tail));
  DockerReply reply;
  s = docker_.Exchange(std::move(call), "cannot read the logs of service " + name, {200}, &reply);
  if (!s.ok()) return s;
  *out = DemuxDockerStream(reply.body);
  return Status::Ok();
}

Status SwarmRuntime::ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) {
  out->clear();
  DockerCall call;
  call.path = "/services";
  if (!labels.empty()) call.path += "?filters=" + LabelFilter(labels);
  json services;
  Status s = docker_.GetJson(std::move(call), "cannot list services", {200}, &services);
  if (!s.ok()) return s;
  if (!services.is_array()) return Status::Internal("the manager's service list is not JSON");
  if (services.empty()) return Status::Ok();
  DockerCall all;
  all.path = "/tasks";
  json tasks;
  s = docker_.GetJson(std::move(all), "cannot list tasks", {200}, &tasks);
  if (!s.ok()) return s;
  for (const json& service : services) {
    const std::string id = JsonString(service, "ID");
    json mine = json::array();
    if (tasks.is_array()) {
      for (const json& t : tasks) {
        if (JsonString(t, "ServiceID") == id) mine.push_back(t);
      }
    }
    ContainerState state;
    ReadServiceState(service, mine, &state);
    const json& spec = JsonMember(service, "Spec");
    ContainerInfo info;
    info.labels = JsonLabels(JsonMember(spec, "Labels"));
    auto named = info.labels.find(kSwarmNameLabel);
    info.name = named != info.labels.end() ? named->second : JsonString(spec, "Name");
    info.id = info.name;
    info.state = state.status;
    info.image = state.image;
    info.labels.erase(kSwarmPublishLabel);
    info.labels.erase(kSwarmNameLabel);
    out->push_back(std::move(info));
  }
  return Status::Ok();
}

}  // namespace sandbot
