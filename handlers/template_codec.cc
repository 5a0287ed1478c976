#include "handlers/template_codec.h"

#include <nlohmann/json.hpp>
#include <set>

#include "handlers/command_args.h"
#include "handlers/names.h"

namespace sandbot {

namespace {

using json = nlohmann::json;

constexpr size_t kMaxEcho = 40;  // characters of a bad value repeated in an answer

std::string Echo(const std::string& s) {
  if (s.size() <= kMaxEcho) return s;
  size_t cut = kMaxEcho;  // not in the middle of a UTF-8 sequence
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "…";
}

Status Bad(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("template JSON: " + field + ": " + why);
}

const char* TypeName(const json& v) {
  if (v.is_string()) return "a string";
  if (v.is_object()) return "an object";
  if (v.is_array()) return "an array";
  if (v.is_number()) return "a number";
  if (v.is_boolean()) return "true/false";
  return "null";
}

Status StringField(const json& v, const std::string& field, std::string* out) {
  if (!v.is_string()) return Bad(field, std::string("must be a string, not ") + TypeName(v));
  *out = v.get<std::string>();
  return Status::Ok();
}

// A route entry's target as the grammar accepts it, minus "sandbox" (a
// template deploys a service by naming its branch).
Status CheckEntryRoute(const std::string& service, const std::string& route, std::string* out) {
  Status s = ParseRouteTarget(route, out);
  if (s.ok() && *out == "sandbox") {
    return Status::InvalidArgument("'sandbox' needs a branch: give " + service +
                                   " a branch instead of a route");
  }
  return s;
}

Status ParseEntry(const std::string& service, const json& v, TemplateEntry* entry) {
  const std::string field = "services." + service;
  if (!v.is_object()) {
    return Bad(field, std::string("must be an object like {\"branch\": \"develop\"} or "
                                  "{\"route\": \"baseline\"}, not ") +
                          TypeName(v));
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (it.key() != "branch" && it.key() != "route" && it.key() != "volumes") {
      return Bad(field, "unknown field '" + Echo(it.key()) +
                            "': an entry has only \"branch\" or \"route\", and \"volumes\"");
    }
  }
  if (v.contains("volumes")) {
    const json& vols = v["volumes"];
    if (!vols.is_object()) {
      return Bad(field + ".volumes",
                 "must be an object like {\"pgdata\": {\"target\": \"/data\", \"seed\": "
                 "\"pg-weekly\"}}");
    }
    for (auto it = vols.begin(); it != vols.end(); ++it) {
      const std::string vf = field + ".volumes." + Echo(it.key());
      if (!it.value().is_object())
        return Bad(vf, "must be an object with \"target\" (and \"seed\")");
      for (auto k = it.value().begin(); k != it.value().end(); ++k) {
        if (k.key() != "target" && k.key() != "seed") {
          return Bad(vf, "unknown field '" + Echo(k.key()) + "': only \"target\" and \"seed\"");
        }
      }
      TemplateVolume tv;
      if (!it.value().contains("target")) return Bad(vf, "needs a \"target\" path");
      Status s = StringField(it.value()["target"], vf + ".target", &tv.target);
      if (s.ok() && it.value().contains("seed")) {
        s = StringField(it.value()["seed"], vf + ".seed", &tv.seed);
      }
      if (!s.ok()) return s;
      entry->volumes[it.key()] = tv;
    }
  }
  if (v.contains("branch") == v.contains("route")) {
    return Bad(field,
               "give exactly one of \"branch\" (deploy it) or \"route\" (baseline or a URL)");
  }
  if (v.contains("branch")) {
    Status s = StringField(v["branch"], field + ".branch", &entry->branch);
    if (!s.ok()) return s;
    s = ValidateBranchName(entry->branch);
    return s.ok() ? s : Bad(field + ".branch", s.message());
  }
  std::string raw;
  Status s = StringField(v["route"], field + ".route", &raw);
  if (!s.ok()) return s;
  s = CheckEntryRoute(service, raw, &entry->route);
  return s.ok() ? s : Bad(field + ".route", s.message());
}

// The key repeated within one object, if any: JSON allows it, but a file
// that says two things about one field is refused rather than guessed.
Status ParseNoDuplicates(const std::string& text, json* out) {
  std::vector<std::set<std::string>> open;
  std::string duplicate;
  json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      open.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!open.empty()) open.pop_back();
    } else if (event == json::parse_event_t::key && !open.empty()) {
      std::string key = parsed.get<std::string>();
      if (!open.back().insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  try {
    *out = json::parse(text, cb);
  } catch (const json::parse_error& e) {
    return Status::InvalidArgument("template JSON: not valid JSON (at byte " +
                                   std::to_string(e.byte) +
                                   "); export one with `sandbot template export NAME > FILE`");
  }
  if (!duplicate.empty()) {
    return Status::InvalidArgument("template JSON: field '" + Echo(duplicate) +
                                   "' is given twice; give it once");
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTemplate(const Template& t) {
  Status s = ValidateTemplateName(t.name);
  if (!s.ok()) return s;
  if (!t.engine.empty() && !ValidEngineRef(t.engine)) {
    return Status::InvalidArgument("'" + Echo(t.engine) + "' is no engine name");
  }
  if (t.services.size() > kMaxTemplateServices) {
    return Status::InvalidArgument("a template holds at most " +
                                   std::to_string(kMaxTemplateServices) + " services");
  }
  for (const auto& [service, entry] : t.services) {
    s = ValidateServiceName(service);
    if (!s.ok()) return s;
    if (entry.branch.empty() == entry.route.empty()) {
      return Status::InvalidArgument(service + " needs exactly one of a branch or a route");
    }
    if (!entry.volumes.empty() && entry.branch.empty()) {
      return Status::InvalidArgument(service +
                                     ": volumes belong to a service deployed from a "
                                     "branch, not to a route");
    }
    for (const auto& [volume, tv] : entry.volumes) {
      const std::string where = "services." + service + ".volumes." + volume;
      s = ValidateVolumeName(volume);
      if (s.ok()) s = ValidateContainerPath(tv.target);
      if (s.ok() && !tv.seed.empty()) s = ValidateSeedName(tv.seed);
      if (!s.ok()) return Status::InvalidArgument(where + ": " + s.message());
    }
    if (!entry.branch.empty()) {
      s = ValidateBranchName(entry.branch);
    } else {
      std::string canonical;
      s = CheckEntryRoute(service, entry.route, &canonical);
    }
    if (!s.ok()) return s;
  }
  if (!t.gateway.empty()) {
    s = ValidateServiceName(t.gateway);
    if (!s.ok()) return s;
    auto it = t.services.find(t.gateway);
    if (it == t.services.end() || it->second.branch.empty()) {
      return Status::InvalidArgument("the gateway " + t.gateway +
                                     " must be deployed by the template: add " + t.gateway +
                                     "@BRANCH");
    }
  }
  return Status::Ok();
}

Status ParseTemplateJson(const std::string& text, Template* t) {
  *t = Template();
  if (text.size() > kMaxTemplateJson) {
    return Status::InvalidArgument("template JSON: larger than 64 KiB; is this a template file?");
  }
  json v;
  Status s = ParseNoDuplicates(text, &v);
  if (!s.ok()) return s;
  if (!v.is_object()) {
    return Status::InvalidArgument(std::string("template JSON: must be an object, not ") +
                                   TypeName(v));
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& key = it.key();
    if (key != "sandbot_template" && key != "name" && key != "gateway" && key != "engine" &&
        key != "services") {
      return Status::InvalidArgument(
          "template JSON: unknown field '" + Echo(key) +
          "': a template has only sandbot_template, name, gateway, engine and services (it never "
          "holds "
          "secrets or environments; attach those with `/env attach`)");
    }
  }
  if (!v.contains("sandbot_template")) {
    return Bad("sandbot_template",
               "missing; a file from `template export` starts with \"sandbot_template\": 1");
  }
  const json& format = v["sandbot_template"];
  if (!format.is_number_integer() || format.get<int64_t>() != kTemplateFormat) {
    return Bad("sandbot_template", "this sandbot reads format 1, not " + Echo(format.dump()));
  }
  if (!v.contains("name")) return Bad("name", "missing (e.g. \"name\": \"QA-DEFAULT\")");
  s = StringField(v["name"], "name", &t->name);
  if (!s.ok()) return s;
  s = ValidateTemplateName(t->name);
  if (!s.ok()) return Bad("name", s.message());
  if (v.contains("gateway")) {
    s = StringField(v["gateway"], "gateway", &t->gateway);
    if (s.ok() && !t->gateway.empty()) {
      s = ValidateServiceName(t->gateway);
      if (!s.ok()) s = Bad("gateway", s.message());
    }
    if (!s.ok()) return s;
  }
  if (v.contains("engine")) {
    s = StringField(v["engine"], "engine", &t->engine);
    if (s.ok() && !t->engine.empty() && !ValidEngineRef(t->engine)) {
      s = Bad("engine", "'" + Echo(t->engine) +
                            "' is no engine name (lower-case letters, digits and '-'; sandbot "
                            "engine list)");
    }
    if (!s.ok()) return s;
  }
  if (!v.contains("services")) return Bad("services", "missing (it may be {})");
  const json& services = v["services"];
  if (!services.is_object()) {
    return Bad("services", std::string("must be an object, not ") + TypeName(services));
  }
  if (services.size() > kMaxTemplateServices) {
    return Bad("services", "at most " + std::to_string(kMaxTemplateServices) + " services");
  }
  for (auto it = services.begin(); it != services.end(); ++it) {
    s = ValidateServiceName(it.key());
    if (!s.ok()) return Bad("services", s.message());
    s = ParseEntry(it.key(), it.value(), &t->services[it.key()]);
    if (!s.ok()) return s;
  }
  if (!t->gateway.empty()) {
    auto it = t->services.find(t->gateway);
    if (it == t->services.end() || it->second.branch.empty()) {
      return Bad("gateway", "'" + t->gateway + "' must be a service the template deploys: give " +
                                "services." + t->gateway + " a \"branch\"");
    }
  }
  // Everything was checked field by field; this keeps both rule sets in step.
  s = ValidateTemplate(*t);
  return s.ok() ? s : Bad("template", s.message());
}

}  // namespace sandbot
