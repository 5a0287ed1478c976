#include "bot/docker_request.h"

#include <cctype>
#include <cstdlib>

#include "bot/docker_json.h"
#include "bot/docker_version.h"
#include "bot/image_ref.h"

namespace sandbot {

using nlohmann::json;

namespace {

// Compose's `restart:` as the engine's RestartPolicy ("on-failure:3").
json RestartPolicy(const std::string& restart) {
  if (restart.empty() || restart == "no") return {{"Name", "no"}};
  const size_t colon = restart.find(':');
  if (colon == std::string::npos) return {{"Name", restart}};
  json policy = {{"Name", restart.substr(0, colon)}};
  int n = std::atoi(restart.c_str() + colon + 1);
  if (n > 0) policy["MaximumRetryCount"] = n;
  return policy;
}

}  // namespace

json BuildCreateBody(const ContainerSpec& spec) {
  json body = json::object();
  body["Image"] = spec.image;
  if (!spec.cmd.empty() || spec.cmd_set) body["Cmd"] = spec.cmd;
  // An empty list clears the image's entrypoint, as `entrypoint: []` does.
  if (!spec.entrypoint.empty() || spec.entrypoint_set) {
    body["Entrypoint"] = spec.entrypoint.empty() ? json::array({""}) : json(spec.entrypoint);
  }
  if (!spec.healthcheck.test.empty()) {
    json hc = {{"Test", spec.healthcheck.test}};
    if (spec.healthcheck.interval_ns > 0) hc["Interval"] = spec.healthcheck.interval_ns;
    if (spec.healthcheck.timeout_ns > 0) hc["Timeout"] = spec.healthcheck.timeout_ns;
    if (spec.healthcheck.start_period_ns > 0) hc["StartPeriod"] = spec.healthcheck.start_period_ns;
    if (spec.healthcheck.retries > 0) hc["Retries"] = spec.healthcheck.retries;
    body["Healthcheck"] = hc;
  }
  body["Env"] = spec.env;
  json labels = json::object();
  for (const auto& [k, v] : spec.labels) labels[k] = v;
  body["Labels"] = labels;
  if (!spec.working_dir.empty()) body["WorkingDir"] = spec.working_dir;
  if (!spec.user.empty()) body["User"] = spec.user;
  body["Tty"] = false;  // keeps logs multiplexed, so stderr is not lost

  json host = json::object();
  json exposed = json::object(), bindings = json::object();
  if (spec.host_port > 0 && spec.container_port > 0) {
    std::string port = std::to_string(spec.container_port) + "/tcp";
    exposed[port] = json::object();
    bindings[port] =
        json::array({{{"HostIp", spec.host_ip}, {"HostPort", std::to_string(spec.host_port)}}});
  }
  for (const PortSpec& p : spec.extra_ports) {
    if (p.container_port <= 0) continue;
    const std::string port = std::to_string(p.container_port) + "/" + p.protocol;
    exposed[port] = json::object();
    if (p.host_port > 0) {
      bindings[port] =
          json::array({{{"HostIp", p.host_ip}, {"HostPort", std::to_string(p.host_port)}}});
    }
  }
  if (!exposed.empty()) body["ExposedPorts"] = exposed;
  if (!bindings.empty()) host["PortBindings"] = bindings;
  host["Binds"] = spec.binds;
  if (!spec.volume_mounts.empty()) {
    json mounts = json::array();
    for (const VolumeMount& m : spec.volume_mounts) {
      mounts.push_back({{"Type", "volume"},
                        {"Source", m.volume},
                        {"Target", m.target},
                        {"ReadOnly", m.read_only},
                        {"VolumeOptions", {{"Labels", spec.volume_labels}}}});
    }
    host["Mounts"] = mounts;
  }
  if (!spec.tmpfs.empty()) {
    json tmpfs = json::object();
    for (const std::string& path : spec.tmpfs) tmpfs[path] = "";
    host["Tmpfs"] = tmpfs;
  }
  if (spec.pids_limit > 0) host["PidsLimit"] = spec.pids_limit;
  if (spec.memory_bytes > 0) host["Memory"] = spec.memory_bytes;
  if (spec.nano_cpus > 0) host["NanoCpus"] = spec.nano_cpus;
  host["RestartPolicy"] = RestartPolicy(spec.restart);
  if (!spec.network.empty()) {
    host["NetworkMode"] = spec.network;
    body["NetworkingConfig"] = {{"EndpointsConfig", {{spec.network, {{"Aliases", spec.aliases}}}}}};
  }
  body["HostConfig"] = host;
  return body;
}

std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string PathEscape(const std::string& s) {
  std::string out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '/' || s[i] == ':' || s[i] == '@') {
      out += UrlEncode(s.substr(start, i - start));
      if (i < s.size()) out += s[i];
      start = i + 1;
    }
  }
  return out;
}

std::string LabelFilter(const Labels& labels) {
  if (labels.empty()) return "";
  json list = json::array();
  for (const auto& [k, v] : labels) list.push_back(k + "=" + v);
  return UrlEncode(DumpJson(json{{"label", list}}));
}

json NetworkCreateBody(const std::string& name, const Labels& labels) {
  json body = {{"Name", name}, {"Driver", "bridge"}, {"CheckDuplicate", true}};
  json jl = json::object();
  for (const auto& [k, v] : labels) jl[k] = v;
  body["Labels"] = jl;
  return body;
}

std::string BuildImagePath(const std::string& tag, const std::string& api_version,
                           const BuildOptions& options) {
  std::string path = "/build?t=" + UrlEncode(tag) + "&rm=1&forcerm=1";
  if (!options.dockerfile.empty()) path += "&dockerfile=" + UrlEncode(options.dockerfile);
  if (!options.target.empty()) path += "&target=" + UrlEncode(options.target);
  if (!options.args.empty()) {
    json args = json::object();
    for (const auto& [k, v] : options.args) args[k] = v;
    path += "&buildargs=" + UrlEncode(DumpJson(args));
  }
  if (!options.labels.empty()) {
    json labels = json::object();
    for (const auto& [k, v] : options.labels) labels[k] = v;
    path += "&labels=" + UrlEncode(DumpJson(labels));
  }
  // `version` exists from 1.38; 1 is the classic builder (BuildKit needs gRPC).
  if (ApiMinor(api_version) >= 38) path += "&version=1";
  return path;
}

std::string ImportImagePath(const std::string& repo_tag) {
  std::string repo, tag;
  SplitRepoTag(repo_tag, &repo, &tag);
  return "/images/create?fromSrc=-&repo=" + UrlEncode(repo) + "&tag=" + UrlEncode(tag);
}

std::string NetworksNamedPath(const std::string& name) {
  return "/networks?filters=" + UrlEncode(DumpJson(json{{"name", json::array({name})}}));
}

}  // namespace sandbot
