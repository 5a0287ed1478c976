#include "hooks/push_wire.h"

#include <nlohmann/json.hpp>

namespace sandbot {

using nlohmann::json;

std::string EncodePush(const PushRequest& r) {
  json updates = json::array();
  for (const RefUpdate& u : r.updates) {
    updates.push_back({{"old", u.old_sha}, {"new", u.new_sha}, {"ref", u.ref}});
  }
  return json{{"id", r.id},
              {"repo", r.repo},
              {"actor", r.actor},
              {"options", r.options},
              {"updates", updates}}
      .dump();
}

Status DecodePush(const std::string& body, PushRequest* r) {
  json j = json::parse(body, nullptr, false);
  auto bad = [](const std::string& why) { return Status::InvalidArgument("bad push: " + why); };
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("repo") || !j["repo"].is_string()) return bad("no repo");
  if (!j.contains("updates") || !j["updates"].is_array()) return bad("no updates");
  r->repo = j["repo"].get<std::string>();
  if (j.contains("actor") && j["actor"].is_string()) r->actor = j["actor"].get<std::string>();
  if (j.contains("id") && j["id"].is_string()) r->id = j["id"].get<std::string>().substr(0, 100);
  if (j.contains("options") && j["options"].is_array()) {
    for (const auto& o : j["options"]) {
      if (o.is_string()) r->options.push_back(o.get<std::string>());
    }
  }
  // Re-validate through the same parser as the hook's stdin.
  std::string lines;
  for (const auto& u : j["updates"]) {
    if (!u.is_object() || !u.contains("old") || !u.contains("new") || !u.contains("ref") ||
        !u["old"].is_string() || !u["new"].is_string() || !u["ref"].is_string()) {
      return bad("malformed update");
    }
    std::string ref = u["ref"].get<std::string>();
    if (ref.find('\n') != std::string::npos) return bad("newline in ref");
    lines += u["old"].get<std::string>() + " " + u["new"].get<std::string>() + " " + ref + "\n";
  }
  return ParsePostReceive(lines, &r->updates);
}

}  // namespace sandbot
