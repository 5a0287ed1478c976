#include "bot/swarm_request.h"

#include <sys/stat.h>

#include <cstdio>

#include "bot/docker_json.h"

namespace sandbot {

using nlohmann::json;

Status ParseSwarmPublish(const std::string& text, SwarmPublish* out) {
  if (text == "ingress") {
    *out = SwarmPublish::kIngress;
  } else if (text == "host") {
    *out = SwarmPublish::kHost;
  } else {
    return Status::InvalidArgument("swarm publish mode '" + text +
                                   "': say ingress (the routing mesh) or host (the node that "
                                   "runs the task)");
  }
  return Status::Ok();
}

const char* SwarmPublishName(SwarmPublish mode) {
  return mode == SwarmPublish::kHost ? "host" : "ingress";
}

std::string SwarmServiceName(const std::string& name) {
  std::string out;
  for (char c : name) {
    if (c == '.') {
      out += "--";
    } else {
      out += c;
    }
  }
  return out;
}

Status ReadSwarmNode(const json& info, const std::string& endpoint, SwarmNode* node) {
  const json& swarm = JsonMember(info, "Swarm");
  node->node_id = JsonString(swarm, "NodeID");
  node->state = JsonString(swarm, "LocalNodeState");
  node->manager = JsonBool(swarm, "ControlAvailable");
  node->nodes = static_cast<int>(JsonInt(swarm, "Nodes"));
  if (node->state != "active") {
    return Status::InvalidArgument(
        "--swarm: the engine at " + endpoint + " is not in a swarm (LocalNodeState " +
        (node->state.empty() ? std::string("unknown") : node->state) +
        "); make it a manager (docker swarm init --advertise-addr ADDR) or drop --swarm");
  }
  if (!node->manager || node->node_id.empty()) {
    return Status::InvalidArgument("--swarm: the engine at " + endpoint +
                                   " is a swarm worker, not a manager: services can only be "
                                   "created through a manager; point sandbot at one");
  }
  return Status::Ok();
}

void SplitBinds(const std::vector<std::string>& binds,
                std::vector<std::pair<std::string, std::string>>* files,
                std::vector<std::string>* folders) {
  for (const std::string& bind : binds) {
    // host:container[:ro]; host paths are absolute, so the first ':' ends it.
    const size_t first = bind.find(':');
    const size_t second = first == std::string::npos ? first : bind.find(':', first + 1);
    const std::string host = bind.substr(0, first);
    const std::string target =
        first == std::string::npos ? "" : bind.substr(first + 1, second - first - 1);
    const bool ro = second != std::string::npos && bind.substr(second + 1) == "ro";
    struct stat st;
    if (ro && !target.empty() && stat(host.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      files->push_back({host, target});
    } else {
      folders->push_back(bind);
    }
  }
}

json SwarmEndpointSpec(const Labels& labels, SwarmPublish publish, bool running) {
  json endpoint = {{"Mode", publish == SwarmPublish::kHost ? "dnsrr" : "vip"},
                   {"Ports", json::array()}};
  auto label = labels.find(kSwarmPublishLabel);
  int target = 0, published = 0;
  if (running && label != labels.end() &&
      std::sscanf(label->second.c_str(), "%d:%d", &target, &published) == 2 && target > 0 &&
      published > 0) {
    endpoint["Ports"].push_back({{"Protocol", "tcp"},
                                 {"TargetPort", target},
                                 {"PublishedPort", published},
                                 {"PublishMode", SwarmPublishName(publish)}});
  }
  return endpoint;
}

json SwarmServiceBody(const ContainerSpec& spec, SwarmPublish publish, const std::string& node_id,
                      const std::vector<SwarmSecretRef>& secrets) {
  json labels = json::object();
  for (const auto& [k, v] : spec.labels) labels[k] = v;
  Labels service_labels = spec.labels;
  service_labels[kSwarmNameLabel] = spec.name;
  if (spec.host_port > 0 && spec.container_port > 0) {
    service_labels[kSwarmPublishLabel] =
        std::to_string(spec.container_port) + ":" + std::to_string(spec.host_port);
  }
  json service_label_json = json::object();
  for (const auto& [k, v] : service_labels) service_label_json[k] = v;

  json container = {{"Image", spec.image}, {"Env", spec.env}, {"Labels", labels}};
  // A container's Cmd is the service's Args (Command would replace the
  // image's ENTRYPOINT).
  if (!spec.cmd.empty()) container["Args"] = spec.cmd;
  if (!spec.working_dir.empty()) container["Dir"] = spec.working_dir;
  if (!spec.user.empty()) container["User"] = spec.user;
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> folders;
  SplitBinds(spec.binds, &files, &folders);
  json mounts = json::array();
  for (const std::string& bind : folders) {
    const size_t first = bind.find(':');
    const size_t second = bind.find(':', first + 1);
    // "name:/path" (no leading '/') is a named volume: the manager's local
    // one, since every task runs on the manager (see swarm_runtime.h).
    const std::string source = bind.substr(0, first);
    mounts.push_back(
        {{"Type", !source.empty() && source[0] == '/' ? "bind" : "volume"},
         {"Source", source},
         {"Target", bind.substr(first + 1, second - first - 1)},
         {"ReadOnly", second != std::string::npos && bind.substr(second + 1) == "ro"}});
  }
  for (const VolumeMount& v : spec.volume_mounts) {
    mounts.push_back({{"Type", "volume"},
                      {"Source", v.volume},
                      {"Target", v.target},
                      {"ReadOnly", v.read_only}});
  }
  container["Mounts"] = mounts;
  json secret_refs = json::array();
  for (const SwarmSecretRef& s : secrets) {
    // 0444, as the bind-mounted files are: a non-root USER reads its secrets.
    secret_refs.push_back(
        {{"File", {{"Name", s.target}, {"UID", "0"}, {"GID", "0"}, {"Mode", 0444}}},
         {"SecretID", s.id},
         {"SecretName", s.name}});
  }
  container["Secrets"] = secret_refs;

  json resources = json::object();
  json limits = json::object();
  if (spec.memory_bytes > 0) limits["MemoryBytes"] = spec.memory_bytes;
  if (spec.nano_cpus > 0) limits["NanoCPUs"] = spec.nano_cpus;
  resources["Limits"] = limits;

  json task = {{"ContainerSpec", container},
               {"Resources", resources},
               {"RestartPolicy", {{"Condition", "none"}}},
               {"ForceUpdate", 0}};
  if (!node_id.empty()) task["Placement"] = {{"Constraints", {"node.id==" + node_id}}};
  if (!spec.network.empty()) {
    task["Networks"] = json::array({{{"Target", spec.network}, {"Aliases", spec.aliases}}});
  }
  return {{"Name", SwarmServiceName(spec.name)},
          {"Labels", service_label_json},
          {"TaskTemplate", task},
          {"Mode", {{"Replicated", {{"Replicas", 0}}}}},
          {"EndpointSpec", SwarmEndpointSpec(service_labels, publish, false)}};
}

json OverlayNetworkBody(const std::string& name, const Labels& labels) {
  json l = json::object();
  for (const auto& [k, v] : labels) l[k] = v;
  return {{"Name", name},
          {"Driver", "overlay"},
          {"Attachable", true},
          {"CheckDuplicate", true},
          {"Labels", l}};
}

json SecretCreateBody(const std::string& name, const std::string& data, const Labels& labels) {
  static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int k = 18; k >= 0; k -= 6) b64 += kB64[(n >> k) & 63];
  }
  if (i < data.size()) {
    uint32_t n = uint8_t(data[i]) << 16;
    if (i + 1 < data.size()) n |= uint8_t(data[i + 1]) << 8;
    b64 += kB64[(n >> 18) & 63];
    b64 += kB64[(n >> 12) & 63];
    b64 += i + 1 < data.size() ? kB64[(n >> 6) & 63] : '=';
    b64 += '=';
  }
  json l = json::object();
  for (const auto& [k, v] : labels) l[k] = v;
  return {{"Name", name}, {"Data", b64}, {"Labels", l}};
}

std::string SwarmSecretName(const std::string& target, const std::string& data) {
  // FNV-1a, 64 and 32 bits: stable across processes (std::hash need not be).
  uint64_t h = 1469598103934665603ull;
  uint32_t g = 2166136261u;
  auto feed = [&](const std::string& s) {
    for (unsigned char c : s) {
      h = (h ^ c) * 1099511628211ull;
      g = (g ^ c) * 16777619u;
    }
  };
  feed(target);
  feed(std::string(1, '\0'));
  feed(data);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016llx%08x", static_cast<unsigned long long>(h), g);
  return std::string("sandbot-") + buf;
}

int64_t SwarmReplicas(const json& spec) {
  return JsonInt(JsonMember(JsonMember(spec, "Mode"), "Replicated"), "Replicas");
}

namespace {

int64_t TaskIndex(const json& task) { return JsonInt(JsonMember(task, "Version"), "Index"); }

bool Pending(const std::string& s) {
  return s == "new" || s == "pending" || s == "assigned" || s == "accepted" || s == "preparing" ||
         s == "ready" || s == "starting";
}

}  // namespace

void ReadServiceState(const json& service, const json& tasks, ContainerState* state) {
  const int64_t replicas = SwarmReplicas(JsonMember(service, "Spec"));
  const json* newest = nullptr;  // of the tasks that should run
  const json* latest = nullptr;  // of all
  int failed = 0;
  if (tasks.is_array()) {
    for (const json& t : tasks) {
      const std::string st = JsonString(JsonMember(t, "Status"), "State");
      if (st == "failed" || st == "rejected") ++failed;
      if (latest == nullptr || TaskIndex(t) > TaskIndex(*latest)) latest = &t;
      if (JsonString(t, "DesiredState") == "running" &&
          (newest == nullptr || TaskIndex(t) > TaskIndex(*newest))) {
        newest = &t;
      }
    }
  }
  state->restart_count = failed;
  state->image = JsonString(
      JsonMember(JsonMember(JsonMember(service, "Spec"), "TaskTemplate"), "ContainerSpec"),
      "Image");
  const json* task = replicas > 0 && newest != nullptr ? newest : latest;
  if (task == nullptr) {
    state->running = false;
    state->status = "created";
    return;
  }
  const json& status = JsonMember(*task, "Status");
  const std::string st = JsonString(status, "State");
  state->exit_code = static_cast<int>(JsonInt(JsonMember(status, "ContainerStatus"), "ExitCode"));
  if (replicas > 0 && st == "running") {
    state->running = true;
    state->status = "running";
  } else if (replicas > 0 && Pending(st)) {
    state->running = false;
    state->status = "created";
  } else {
    state->running = false;
    state->status = "exited";
  }
}

}  // namespace sandbot
