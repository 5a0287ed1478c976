#include "compose/compose_render.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>

namespace sandbot {
namespace {

using json = nlohmann::json;

std::string Under(const std::string& root, const std::string& rel) {
  if (rel == ".") return root;
  return root == "/" ? "/" + rel : root + "/" + rel;
}

std::string Range(int lo, int hi) {
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
}

json Strings(const std::vector<std::string>& v) {
  json out = json::array();
  for (const std::string& s : v) out.push_back(s);
  return out;
}

json Map(const std::map<std::string, std::string>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

json FileRefs(const std::vector<ComposeFileRef>& refs) {
  json out = json::array();
  for (const ComposeFileRef& r : refs) {
    json j = {{"source", r.source}};
    if (!r.target.empty()) j["target"] = r.target;
    if (!r.uid.empty()) j["uid"] = r.uid;
    if (!r.gid.empty()) j["gid"] = r.gid;
    if (r.mode >= 0) j["mode"] = r.mode;
    out.push_back(std::move(j));
  }
  return out;
}

json Service(const ComposeService& s, const std::string& root) {
  json j = json::object();
  if (s.build) {
    json b = {{"context", Under(root, s.build->context)}, {"dockerfile", s.build->dockerfile}};
    if (!s.build->args.empty()) b["args"] = Map(s.build->args);
    if (!s.build->target.empty()) b["target"] = s.build->target;
    j["build"] = std::move(b);
  }
  if (!s.image.empty()) j["image"] = s.image;
  if (s.command) j["command"] = Strings(*s.command);
  if (s.entrypoint) j["entrypoint"] = Strings(*s.entrypoint);
  if (!s.environment.empty()) {
    json env = json::object();
    for (const auto& [k, v] : s.environment) env[k] = v ? json(*v) : json(nullptr);
    j["environment"] = std::move(env);
  }
  if (!s.ports.empty()) {
    json ports = json::array();
    for (const ComposePort& p : s.ports) {
      // The schema's long form has one integer port each way and no host IP:
      // anything else stays in the short form, written canonically.
      if (p.host_ip.empty() && p.target_lo == p.target_hi && p.published_lo == p.published_hi) {
        json port = {{"target", p.target_lo}, {"protocol", p.protocol}, {"mode", "ingress"}};
        if (p.published_lo) port["published"] = p.published_lo;
        ports.push_back(std::move(port));
      } else {
        std::string text;
        if (!p.host_ip.empty()) {
          text =
              (p.host_ip.find(':') != std::string::npos ? "[" + p.host_ip + "]" : p.host_ip) + ":";
        }
        if (p.published_lo)
          text += Range(p.published_lo, p.published_hi) + ":";
        else if (!p.host_ip.empty())
          text += ":";
        ports.push_back(text + Range(p.target_lo, p.target_hi) + "/" + p.protocol);
      }
    }
    j["ports"] = std::move(ports);
  }
  if (!s.expose.empty()) j["expose"] = Strings(s.expose);
  if (!s.depends_on.empty()) {
    json deps = json::object();
    for (const ComposeDependency& d : s.depends_on) deps[d.service] = {{"condition", d.condition}};
    j["depends_on"] = std::move(deps);
  }
  if (s.healthcheck.set) {
    const ComposeHealthcheck& h = s.healthcheck;
    json hc = json::object();
    if (h.disable) hc["disable"] = true;
    if (!h.test.empty()) hc["test"] = Strings(h.test);
    if (!h.interval.empty()) hc["interval"] = h.interval;
    if (!h.timeout.empty()) hc["timeout"] = h.timeout;
    if (!h.start_period.empty()) hc["start_period"] = h.start_period;
    if (h.retries >= 0) hc["retries"] = h.retries;
    j["healthcheck"] = std::move(hc);
  }
  if (!s.volumes.empty()) {
    json vols = json::array();
    for (const ComposeMount& m : s.volumes) {
      json v = {{"type", m.type}, {"target", m.target}};
      if (!m.source.empty()) {
        v["source"] = m.type == "bind" ? Under(root, m.source) : m.source;
      }
      if (m.read_only) v["read_only"] = true;
      vols.push_back(std::move(v));
    }
    j["volumes"] = std::move(vols);
  }
  if (!s.working_dir.empty()) j["working_dir"] = s.working_dir;
  if (!s.user.empty()) j["user"] = s.user;
  if (!s.labels.empty()) j["labels"] = Map(s.labels);
  if (!s.restart.empty()) j["restart"] = s.restart;
  if (!s.secrets.empty()) j["secrets"] = FileRefs(s.secrets);
  if (!s.configs.empty()) j["configs"] = FileRefs(s.configs);
  if (!s.cpus.empty() || !s.memory.empty() || s.pids) {
    json limits = json::object();
    if (!s.cpus.empty()) limits["cpus"] = s.cpus;
    if (!s.memory.empty()) limits["memory"] = s.memory;
    if (s.pids) limits["pids"] = s.pids;
    j["deploy"] = {{"resources", {{"limits", limits}}}};
  }
  if (!s.profiles.empty()) j["profiles"] = Strings(s.profiles);
  return j;
}

bool LooksTyped(const std::string& s) {
  if (s.empty()) return true;
  if (s.size() <= 5) {
    static const std::string_view kWords[] = {"null", "Null",  "NULL",  "~",     "true", "True",
                                              "TRUE", "false", "False", "FALSE", "yes",  "Yes",
                                              "YES",  "no",    "No",    "NO",    "on",   "On",
                                              "ON",   "off",   "Off",   "OFF",   "y",    "n"};
    for (std::string_view w : kWords) {
      if (s == w) return true;
    }
  }
  // strtod only where it can read a number: after blanks, a sign, a digit,
  // a dot, or inf/nan.
  const size_t start =
      std::find_if_not(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }) -
      s.begin();
  if (start < s.size() && std::strchr("+-.0123456789iInN", s[start])) {
    char* end = nullptr;
    std::strtod(s.c_str(), &end);
    if (*end == '\0') return true;
  }
  // 0x1F, 0o17, 1_000, .inf, sexagesimal 1:20: rarer, quoted all the same.
  return s.find_first_not_of("0123456789+-._:eExXoOabcdefABCDEFinINfFaAN") == std::string::npos &&
         s.find_first_of("0123456789") != std::string::npos;
}

// Quoting that reads back as the same string: double quotes (with escapes)
// for control characters, which a plain scalar would lose (a CR at the end
// of a line is a line break), single quotes for text of another type; the
// rest as yaml-cpp chooses (plain where it can be).
void Scalar(const std::string& s, YAML::Emitter* out) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) {
      *out << YAML::DoubleQuoted << s;
      return;
    }
  }
  if (LooksTyped(s)) {
    *out << YAML::SingleQuoted << s;
  } else {
    *out << s;
  }
}

void Emit(const json& j, YAML::Emitter* out) {
  switch (j.type()) {
    case json::value_t::object:
      if (j.empty()) *out << YAML::Flow;  // "{}" rather than an empty block
      *out << YAML::BeginMap;
      for (const auto& [k, v] : j.items()) {
        *out << YAML::Key;
        Scalar(k, out);  // a key "true" or "~" stays a string
        *out << YAML::Value;
        Emit(v, out);
      }
      *out << YAML::EndMap;
      break;
    case json::value_t::array:
      if (j.empty()) *out << YAML::Flow;
      *out << YAML::BeginSeq;
      for (const json& v : j) Emit(v, out);
      *out << YAML::EndSeq;
      break;
    case json::value_t::string: {
      Scalar(j.get_ref<const std::string&>(), out);
      break;
    }
    case json::value_t::boolean: *out << j.get<bool>(); break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: *out << j.get<int64_t>(); break;
    case json::value_t::number_float: *out << j.get<double>(); break;
    default: *out << YAML::Null; break;
  }
}

// Every string value with `$` doubled (keys are never interpolated), so the
// printed file reads back the same.
void EscapeValues(json* j) {
  if (j->is_string()) {
    std::string& s = j->get_ref<std::string&>();
    if (s.find('$') != std::string::npos) s = EscapeDollars(s);
  } else if (j->is_structured()) {
    for (auto& v : *j) EscapeValues(&v);
  }
}

}  // namespace

json ComposeToJson(const ComposeProject& project, const std::string& root) {
  json doc = json::object();
  json services = json::object();
  for (const ComposeService& s : project.services) services[s.name] = Service(s, root);
  doc["services"] = std::move(services);
  if (!project.volumes.empty()) {
    json vols = json::object();
    for (const auto& [name, labels] : project.volumes) {
      vols[name] = labels.empty() ? json::object() : json{{"labels", Map(labels)}};
    }
    doc["volumes"] = std::move(vols);
  }
  for (const auto* files : {&project.secrets, &project.configs}) {
    if (files->empty()) continue;
    json out = json::object();
    for (const auto& [name, src] : *files) {
      if (!src.file.empty()) {
        out[name] = {{"file", Under(root, src.file)}};
      } else if (!src.environment.empty()) {
        out[name] = {{"environment", src.environment}};
      } else {
        out[name] = {{"external", true}, {"name", src.name}};
      }
    }
    doc[files == &project.secrets ? "secrets" : "configs"] = std::move(out);
  }
  if (!project.gateway.empty() || !project.seeds.empty()) {
    json x = json::object();
    if (!project.gateway.empty()) x["gateway"] = project.gateway;
    if (!project.seeds.empty()) x["seeds"] = project.seeds;
    doc["x-sandbot"] = std::move(x);
  }
  EscapeValues(&doc);
  return doc;
}

std::string JsonToYaml(const nlohmann::json& doc) {
  YAML::Emitter out;
  out.SetIndent(2);
  Emit(doc, &out);
  return std::string(out.c_str(), out.size()) + "\n";
}

}  // namespace sandbot
