#include "handlers/compose_plan.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "handlers/names.h"
#include "util/engine_names.h"

namespace sandbot {

bool ParseComposeDuration(const std::string& text, int64_t* ns) {
  *ns = 0;
  if (text.empty()) return false;
  size_t i = 0;
  double total = 0;
  while (i < text.size()) {
    const size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (i == start) return false;
    const double n = std::strtod(text.substr(start, i - start).c_str(), nullptr);
    const size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else
      return false;
    total += n * scale;
  }
  *ns = static_cast<int64_t>(total);
  return true;
}

int64_t ParseComposeBytes(const std::string& text) {
  const size_t digits = text.find_first_not_of("0123456789");
  if (digits == 0 || text.empty()) return 0;
  const int64_t n = std::strtoll(text.substr(0, digits).c_str(), nullptr, 10);
  std::string unit = digits == std::string::npos ? "" : text.substr(digits);
  std::transform(unit.begin(), unit.end(), unit.begin(), ::tolower);
  if (unit.empty() || unit == "b") return n;
  if (unit == "k" || unit == "kb") return n << 10;
  if (unit == "m" || unit == "mb") return n << 20;
  if (unit == "g" || unit == "gb") return n << 30;
  return 0;
}

int ComposeMainPort(const ComposeService& service) {
  for (const ComposePort& p : service.ports) {
    if (p.protocol == "tcp" && p.target_lo > 0) return p.target_lo;
  }
  for (const std::string& e : service.expose) {
    if (e.find("/udp") != std::string::npos) continue;
    const int port = std::atoi(e.c_str());
    if (port > 0) return port;
  }
  return 0;
}

ComposeReadiness ReadinessOf(const ComposeProject& project, const std::string& name,
                             const std::vector<std::string>& enabled) {
  for (const std::string& other : enabled) {
    const ComposeService* s = project.Find(other);
    if (!s) continue;
    for (const ComposeDependency& d : s->depends_on) {
      if (d.service == name && d.condition == "service_completed_successfully") {
        return ComposeReadiness::kCompleted;
      }
    }
  }
  const ComposeService* self = project.Find(name);
  if (self && self->healthcheck.set && !self->healthcheck.disable) {
    return ComposeReadiness::kHealthy;
  }
  return ComposeReadiness::kStarted;
}

std::vector<std::string> EnabledServices(const ComposeProject& project,
                                         const std::vector<std::string>& profiles) {
  std::set<std::string> on;
  std::vector<std::string> todo;
  for (const ComposeService& s : project.services) {
    if (ComposeProject::Enabled(s, profiles) && on.insert(s.name).second) todo.push_back(s.name);
  }
  // A dependency of an enabled service runs too, whatever its profiles.
  while (!todo.empty()) {
    const ComposeService* s = project.Find(todo.back());
    todo.pop_back();
    if (!s) continue;
    for (const ComposeDependency& d : s->depends_on) {
      if (on.insert(d.service).second) todo.push_back(d.service);
    }
  }
  std::vector<std::string> out;
  for (const ComposeService& s : project.services) {
    if (on.count(s.name)) out.push_back(s.name);
  }
  return out;
}

namespace {

void SetEnv(std::vector<std::string>* env, const std::string& key, const std::string& value) {
  const std::string prefix = key + "=";
  env->erase(std::remove_if(env->begin(), env->end(),
                            [&](const std::string& e) { return e.rfind(prefix, 0) == 0; }),
             env->end());
  env->push_back(prefix + value);
}

}  // namespace

Status ApplyComposeService(const ComposeService& service, const std::string& sandbox,
                           const std::string& checkout, ContainerSpec* spec) {
  if (service.command) {
    spec->cmd = *service.command;
    spec->cmd_set = true;
  }
  if (service.entrypoint) {
    spec->entrypoint = *service.entrypoint;
    spec->entrypoint_set = true;
  }
  for (const auto& [key, value] : service.environment) {
    if (!value || key.rfind("SANDBOT_", 0) == 0) continue;
    SetEnv(&spec->env, key, *value);
  }
  const int main_port = ComposeMainPort(service);
  if (main_port > 0) SetEnv(&spec->env, "PORT", std::to_string(main_port));
  for (const auto& [key, value] : service.labels) {
    if (key.rfind("sandbot.", 0) == 0) continue;
    spec->labels.emplace(key, value);
  }
  if (!service.working_dir.empty()) spec->working_dir = service.working_dir;
  if (!service.user.empty()) spec->user = service.user;
  spec->restart = service.restart.empty() ? "no" : service.restart;
  const ComposeHealthcheck& hc = service.healthcheck;
  if (hc.set && hc.disable) {
    spec->healthcheck.test = {"NONE"};
  } else if (hc.set) {
    spec->healthcheck.test = hc.test;
    int64_t ns = 0;
    if (ParseComposeDuration(hc.interval, &ns)) spec->healthcheck.interval_ns = ns;
    if (ParseComposeDuration(hc.timeout, &ns)) spec->healthcheck.timeout_ns = ns;
    if (ParseComposeDuration(hc.start_period, &ns)) spec->healthcheck.start_period_ns = ns;
    if (hc.retries > 0) spec->healthcheck.retries = hc.retries;
  }
  // The main port is published by the caller (spec->container_port); the
  // others are reachable on the sandbox's network by the service's name.
  std::set<std::string> seen = {std::to_string(main_port) + "/tcp"};
  auto expose = [&](int port, const std::string& protocol) {
    if (port <= 0 || !seen.insert(std::to_string(port) + "/" + protocol).second) return;
    PortSpec p;
    p.container_port = port;
    p.protocol = protocol;
    spec->extra_ports.push_back(p);
  };
  for (const ComposePort& p : service.ports) {
    for (int port = p.target_lo; port > 0 && port <= std::max(p.target_lo, p.target_hi); ++port)
      expose(port, p.protocol);
  }
  for (const std::string& e : service.expose) {
    const size_t slash = e.find('/');
    const std::string protocol = slash == std::string::npos ? "tcp" : e.substr(slash + 1);
    const int lo = std::atoi(e.c_str());
    const size_t dash = e.find('-');
    const int hi = dash == std::string::npos ? lo : std::atoi(e.c_str() + dash + 1);
    for (int port = lo; port > 0 && port <= std::max(lo, hi); ++port) expose(port, protocol);
  }
  spec->volume_labels = {{kLabelManaged, "true"}, {kLabelSandbox, sandbox}};
  auto data = spec->labels.find(kLabelData);
  if (data != spec->labels.end()) spec->volume_labels[kLabelData] = data->second;
  for (const ComposeMount& m : service.volumes) {
    if (m.type == "tmpfs") {
      spec->tmpfs.push_back(m.target);
    } else if (m.type == "bind") {
      if (checkout.empty()) {
        return Status::InvalidArgument("services." + service.name + ".volumes: bind mount of " +
                                       m.source + " needs the commit checked out");
      }
      // Inside the checkout only (the parser refuses the rest), read-only.
      const std::string source =
          m.source == "." || m.source.empty() ? checkout : checkout + "/" + m.source;
      spec->binds.push_back(source + ":" + m.target + ":ro");
    } else {
      VolumeMount v;
      v.volume = m.source.empty() ? "" : SandboxVolumeName(sandbox, m.source);
      v.target = m.target;
      v.read_only = m.read_only;
      spec->volume_mounts.push_back(v);
    }
  }
  if (service.pids > 0) spec->pids_limit = service.pids;
  const int64_t memory = ParseComposeBytes(service.memory);
  if (memory > 0 && (spec->memory_bytes == 0 || memory < spec->memory_bytes)) {
    spec->memory_bytes = memory;
  }
  if (!service.cpus.empty()) {
    const int64_t nano = static_cast<int64_t>(std::strtod(service.cpus.c_str(), nullptr) * 1e9);
    if (nano > 0 && (spec->nano_cpus == 0 || nano < spec->nano_cpus)) spec->nano_cpus = nano;
  }
  return Status::Ok();
}

namespace {

// A file name in /run/secrets: what a secret's relative target may be.
bool PlainFileName(const std::string& name) {
  if (name.empty() || name.size() > 128 || name == "." || name == "..") return false;
  return name.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
         std::string::npos;
}

}  // namespace

Status AddComposeFiles(const ComposeProject& project, const ComposeService& service,
                       const ComposeContents& contents, ResolvedEnv* env, std::string* note) {
  note->clear();
  constexpr char kRunSecrets[] = "/run/secrets/";
  // Adds `content` at /run/secrets/key, or at `path` when key is empty.
  auto add = [&](const std::string& what, const std::string& key, const std::string& path,
                 const std::string& content) {
    if (!key.empty()) {
      for (const auto& [k, v] : env->secrets) {
        if (k != key) continue;
        if (v != content) {
          *note += (note->empty() ? "" : "; ") + what + ": the attached environment's secret " +
                   key + " stays at " + kRunSecrets + key;
        }
        return;
      }
      env->secrets.emplace_back(key, content);
      return;
    }
    for (const ResolvedFile& f : env->files) {
      if (f.path != path) continue;
      *note += (note->empty() ? "" : "; ") + what + ": the attached environment's file " + path +
               " stays";
      return;
    }
    env->files.push_back({path, content, false});
  };
  // "/run/secrets/x" or "x" -> key "x"; another absolute path -> *path.
  auto place = [&](const std::string& what, const std::string& target, std::string* key,
                   std::string* path) -> Status {
    std::string name = target;
    if (name.rfind(kRunSecrets, 0) == 0) name = name.substr(sizeof kRunSecrets - 1);
    if (name.empty() || name[0] != '/') {
      if (!PlainFileName(name)) {
        return Status::InvalidArgument(what + ": target \"" + target +
                                       "\" is not a file name in /run/secrets (letters, "
                                       "digits, '.', '_', '-')");
      }
      *key = name;
      return Status::Ok();
    }
    Status s = ValidateContainerPath(name);
    if (!s.ok()) return Status::InvalidArgument(what + ": target " + s.message());
    *path = name;
    return Status::Ok();
  };
  for (const ComposeFileRef& ref : service.secrets) {
    const std::string what = "services." + service.name + ".secrets." + ref.source;
    const ComposeFileSource& src = project.secrets.at(ref.source);
    std::string content;
    if (src.external) {
      bool found = false;
      for (const auto& [k, v] : env->secrets) {
        if (k == src.name) {
          content = v;
          found = true;
        }
      }
      if (!found) {
        return Status::NotFound(
            what + ": no environment attached to this sandbox or service has a secret " + src.name +
            " (`/env set ENV " + src.name + "=… --secret`, then `/env attach ENV " + "SANDBOX`)");
      }
    } else {
      auto it = contents.secrets.find(ref.source);
      if (it == contents.secrets.end())
        return Status::Internal(what + ": its content was not read");
      content = it->second;
    }
    std::string key, path;
    Status s = place(what, ref.target.empty() ? ref.source : ref.target, &key, &path);
    if (!s.ok()) return s;
    add(what, key, path, content);
  }
  for (const ComposeFileRef& ref : service.configs) {
    const std::string what = "services." + service.name + ".configs." + ref.source;
    auto it = contents.configs.find(ref.source);
    if (it == contents.configs.end()) return Status::Internal(what + ": its content was not read");
    std::string target = ref.target.empty() ? ref.source : ref.target;
    if (target[0] != '/') target = "/" + target;
    std::string key, path;
    Status s = place(what, target, &key, &path);
    if (!s.ok()) return s;
    add(what, key, path, it->second);
  }
  return Status::Ok();
}

std::string ComposeGateway(const std::string& current, const ComposeProject& project,
                           const std::vector<std::string>& enabled) {
  if (!current.empty() || project.gateway.empty()) return current;
  return std::find(enabled.begin(), enabled.end(), project.gateway) != enabled.end()
             ? project.gateway
             : current;
}

}  // namespace sandbot
