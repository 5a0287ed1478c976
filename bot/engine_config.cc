#include "bot/engine_config.h"

#include <unistd.h>

#include <algorithm>
#include <set>

namespace sandbot {

namespace {

bool ValidEngineName(const std::string& n) {
  if (n.empty() || n.size() > 32 || n[0] < 'a' || n[0] > 'z') return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

EngineSpec* Find(std::vector<EngineSpec>* engines, const std::string& name) {
  for (EngineSpec& e : *engines) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

bool IsTcp(const std::string& url) {
  return url.rfind("tcp://", 0) == 0 || url.rfind("http://", 0) == 0;
}

}  // namespace

EngineTls EngineSpec::Tls() const {
  EngineTls t;
  if (tls_dir.empty()) return t;
  std::string d = tls_dir;
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  t.ca = d + "/ca.pem";
  t.cert = d + "/cert.pem";
  t.key = d + "/key.pem";
  return t;
}

std::vector<std::string> EngineNames(const std::vector<EngineSpec>& engines) {
  std::vector<std::string> names;
  for (const EngineSpec& e : engines) names.push_back(e.name);
  return names;
}

Status ParseNamedValue(const std::string& text, const std::string& flag, std::string* name,
                       std::string* value) {
  size_t eq = text.find('=');
  *name = text.substr(0, eq);
  *value = eq == std::string::npos ? "" : text.substr(eq + 1);
  if (!ValidEngineName(*name) || value->empty()) {
    return Status::InvalidArgument(flag + " '" + text +
                                   "': expected NAME=VALUE with NAME of lower-case letters, "
                                   "digits and '-' (up to 32, starting with a letter)");
  }
  return Status::Ok();
}

Status ValidateEngine(const EngineSpec& e) {
  const std::string what = "engine '" + e.name + "' (" + e.url + ")";
  const bool unix_url = e.url.rfind("unix://", 0) == 0 || e.url.rfind("/", 0) == 0;
  if (!e.swarm_publish.empty() && e.swarm_publish != "ingress" && e.swarm_publish != "host") {
    return Status::InvalidArgument(what + ": swarm publish mode '" + e.swarm_publish +
                                   "': say ingress (the routing mesh) or host (the manager's "
                                   "own ports)");
  }
  if (!e.swarm_publish.empty() && !e.swarm) {
    return Status::InvalidArgument(what + ": a swarm publish mode without --swarm");
  }
  if (!unix_url && !IsTcp(e.url)) {
    return Status::InvalidArgument(what + ": use unix:///path/to/docker.sock or tcp://HOST:PORT");
  }
  if (e.url.rfind("http://", 0) == 0 && !e.tls_dir.empty()) {
    return Status::InvalidArgument(what + ": http:// is plain HTTP; write tcp://HOST:PORT for TLS");
  }
  if (unix_url && !e.tls_dir.empty()) {
    return Status::InvalidArgument(what + ": TLS is for tcp:// engines; a unix socket has none");
  }
  if (IsTcp(e.url) && e.tls_dir.empty() && !e.insecure) {
    return Status::InvalidArgument(
        what +
        ": a tcp:// engine without TLS lets anyone on the network run containers as root; give "
        "--engine-tls " +
        e.name + "=DIR (ca.pem, cert.pem, key.pem) or, knowingly, --insecure-engine " + e.name);
  }
  if (!e.tls_dir.empty() && e.insecure) {
    return Status::InvalidArgument(what + ": both a TLS folder and --insecure-engine; pick one");
  }
  const EngineTls tls = e.Tls();
  for (const std::string& f : {tls.ca, tls.cert, tls.key}) {
    if (!f.empty() && access(f.c_str(), R_OK) != 0) {
      return Status::InvalidArgument(what + ": cannot read " + f +
                                     " (the TLS folder holds ca.pem, cert.pem and key.pem, as "
                                     "DOCKER_CERT_PATH does)");
    }
  }
  return Status::Ok();
}

Status ResolveEngines(const EngineFlags& flags, const std::string& docker,
                      std::vector<EngineSpec>* engines) {
  for (const std::string& text : flags.engines) {
    std::string name, url;
    Status s = ParseNamedValue(text, "--engine", &name, &url);
    if (!s.ok()) return s;
    EngineSpec* e = Find(engines, name);
    if (e == nullptr) {
      engines->push_back(EngineSpec{});
      e = &engines->back();
      e->name = name;
    }
    e->url = url;
  }
  if (engines->empty()) {
    EngineSpec local;
    local.name = kDefaultEngineName;
    local.url = docker;
    if (IsTcp(docker)) local.tls_dir = flags.docker_tls_dir;
    engines->push_back(local);
  }
  for (const std::string& text : flags.tls) {
    std::string name, dir;
    Status s = ParseNamedValue(text, "--engine-tls", &name, &dir);
    if (!s.ok()) return s;
    EngineSpec* e = Find(engines, name);
    if (e == nullptr)
      return Status::InvalidArgument("--engine-tls: no engine named '" + name + "'");
    e->tls_dir = dir;
  }
  for (const std::string& name : flags.insecure) {
    EngineSpec* e = Find(engines, name);
    if (e == nullptr) {
      return Status::InvalidArgument("--insecure-engine: no engine named '" + name + "'");
    }
    e->insecure = true;
  }
  for (EngineSpec& e : *engines) {
    if (flags.swarm) e.swarm = true;
    if (!flags.swarm_publish.empty()) e.swarm_publish = flags.swarm_publish;
  }
  std::set<std::string> seen;
  for (const EngineSpec& e : *engines) {
    if (!seen.insert(e.name).second) {
      return Status::InvalidArgument("engine '" + e.name + "' is named twice");
    }
    Status s = ValidateEngine(e);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status ParseEnginesJson(const nlohmann::json& section, const std::string& where,
                        std::vector<EngineSpec>* engines) {
  if (!section.is_object()) {
    return Status::InvalidArgument(where + ": engines map names to {\"url\": …, \"tls\": DIR}");
  }
  for (const auto& [name, j] : section.items()) {
    auto str = [&j = j](const char* key, std::string* out) {
      if (!j.contains(key)) return true;
      if (!j[key].is_string()) return false;
      *out = j[key].get<std::string>();
      return true;
    };
    EngineSpec e;
    e.name = name;
    bool ok = ValidEngineName(name) && j.is_object() && str("url", &e.url) && !e.url.empty() &&
              str("tls", &e.tls_dir) && str("public_host", &e.public_host) &&
              str("ports", &e.ports) && str("gateway_ports", &e.gateway_ports) &&
              str("swarm_publish", &e.swarm_publish) &&
              (!j.contains("insecure") || j["insecure"].is_boolean()) &&
              (!j.contains("swarm") || j["swarm"].is_boolean());
    if (!ok) {
      return Status::InvalidArgument(
          where + ": engines: '" + name +
          "' must be {\"url\": \"tcp://HOST:PORT\" or \"unix:///PATH\", \"tls\": DIR, "
          "\"public_host\": HOST, \"ports\": \"A-B\", \"gateway_ports\": \"A-B\", "
          "\"insecure\": false, \"swarm\": false, \"swarm_publish\": \"ingress\"} with a name of "
          "lower-case letters, digits and '-'");
    }
    e.insecure = j.value("insecure", false);
    e.swarm = j.value("swarm", false);
    engines->push_back(e);
  }
  return Status::Ok();
}

}  // namespace sandbot
