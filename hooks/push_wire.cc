#include "hooks/push_wire.h"

#include <nlohmann/json.hpp>

namespace sandbot {

using nlohmann::json;

namespace {

json RefUpdateToJson(const RefUpdate& u) {
  return {{"old", u.old_sha}, {"new", u.new_sha}, {"ref", u.ref}};
}

Status RefUpdateFromJson(const json& j, RefUpdate* u) {
  if (!j.is_object() || !j.contains("old") || !j.contains("new") || !j.contains("ref") ||
      !j["old"].is_string() || !j["new"].is_string() || !j["ref"].is_string()) {
    return Status::InvalidArgument("malformed update");
  }
  u->old_sha = j["old"].get<std::string>();
  u->new_sha = j["new"].get<std::string>();
  u->ref = j["ref"].get<std::string>();
  return ValidateRefUpdate(*u);
}

}  // namespace

std::string EncodePush(const PushMessage& p) {
  json updates = json::array();
  for (const RefUpdate& u : p.updates) updates.push_back(RefUpdateToJson(u));
  return json{{"id", p.id},           {"repo", p.repo},
              {"actor", p.actor},     {"actor_variable", p.actor_variable},
              {"options", p.options}, {"updates", updates}}
      // Ref names are UTF-8 (ValidateRefUpdate); a pusher's name or push
      // option may not be, and gets U+FFFD rather than an exception.
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

Status DecodePush(const std::string& body, PushMessage* p) {
  json j = json::parse(body, nullptr, false);
  auto bad = [](const std::string& why) { return Status::InvalidArgument("bad push: " + why); };
  if (!j.is_object()) return bad("not a JSON object");
  if (!j.contains("repo") || !j["repo"].is_string()) return bad("no repo");
  if (!j.contains("updates") || !j["updates"].is_array()) return bad("no updates");
  p->repo = j["repo"].get<std::string>();
  if (j.contains("actor") && j["actor"].is_string()) p->actor = j["actor"].get<std::string>();
  if (j.contains("actor_variable") && j["actor_variable"].is_string()) {
    p->actor_variable = j["actor_variable"].get<std::string>();
  }
  if (j.contains("id") && j["id"].is_string()) p->id = j["id"].get<std::string>().substr(0, 100);
  if (j.contains("options") && j["options"].is_array()) {
    for (const auto& o : j["options"]) {
      if (o.is_string()) p->options.push_back(o.get<std::string>());
    }
  }
  std::vector<RefUpdate> updates;
  for (const auto& item : j["updates"]) {
    RefUpdate u;
    Status s = RefUpdateFromJson(item, &u);
    if (!s.ok()) return bad(s.message());
    updates.push_back(std::move(u));
  }
  p->updates = std::move(updates);
  return Status::Ok();
}

}  // namespace sandbot
