#include "bot/docker_request.h"

#include <cctype>

#include "bot/docker_json.h"
#include "bot/docker_version.h"
#include "bot/image_ref.h"

namespace sandbot {

using nlohmann::json;

json BuildCreateBody(const ContainerSpec& spec) {
  json body = json::object();
  body["Image"] = spec.image;
  if (!spec.cmd.empty()) body["Cmd"] = spec.cmd;
  body["Env"] = spec.env;
  json labels = json::object();
  for (const auto& [k, v] : spec.labels) labels[k] = v;
  body["Labels"] = labels;
  if (!spec.working_dir.empty()) body["WorkingDir"] = spec.working_dir;
  if (!spec.user.empty()) body["User"] = spec.user;
  body["Tty"] = false;  // keeps logs multiplexed, so stderr is not lost

  json host = json::object();
  if (spec.host_port > 0 && spec.container_port > 0) {
    std::string port = std::to_string(spec.container_port) + "/tcp";
    body["ExposedPorts"] = {{port, json::object()}};
    host["PortBindings"] = {{port, json::array({{{"HostIp", spec.host_ip},
                                                 {"HostPort", std::to_string(spec.host_port)}}})}};
  }
  host["Binds"] = spec.binds;
  if (spec.memory_bytes > 0) host["Memory"] = spec.memory_bytes;
  if (spec.nano_cpus > 0) host["NanoCpus"] = spec.nano_cpus;
  host["RestartPolicy"] = {{"Name", "no"}};
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

std::string BuildImagePath(const std::string& tag, const std::string& api_version) {
  std::string path = "/build?t=" + UrlEncode(tag) + "&rm=1&forcerm=1";
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
