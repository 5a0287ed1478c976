#include "bot/config.h"

#include <pwd.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bot/reply_url_policy.h"
#include "util/identity.h"

namespace sandbot {

std::string DefaultDockerEndpoint() {
  const char* env = std::getenv("DOCKER_HOST");
  return env && *env ? env : "unix:///var/run/docker.sock";
}

std::string DockerTlsDirFromEnvironment() {
  const char* verify = std::getenv("DOCKER_TLS_VERIFY");
  if (verify == nullptr || *verify == '\0') return "";
  const char* path = std::getenv("DOCKER_CERT_PATH");
  if (path != nullptr && *path != '\0') return path;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr ? home : "") + "/.docker";
}

std::string DbPath(const std::string& d) { return d + "/sandbot.db"; }
std::string LogDir(const std::string& d) { return d + "/logs"; }
std::string AuditArchiveDir(const std::string& d) { return d + "/audit-archive"; }

namespace {

bool ParsePort(const std::string& s, int* port) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *port = std::atoi(s.c_str());
  return *port >= 1 && *port <= 65535;
}

}  // namespace

Status ParsePortRange(const std::string& text, int* lo, int* hi) {
  size_t dash = text.find('-');
  if (dash == std::string::npos || !ParsePort(text.substr(0, dash), lo) ||
      !ParsePort(text.substr(dash + 1), hi) || *lo > *hi) {
    return Status::InvalidArgument("'" + text + "' is not a port range like 9001-9999");
  }
  return Status::Ok();
}

Status ParseDuration(const std::string& text, int64_t* seconds) {
  size_t digits = text.find_first_not_of("0123456789");
  const std::string number = text.substr(0, digits);
  const std::string unit = digits == std::string::npos ? "" : text.substr(digits);
  int64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  if (unit == "m") scale = 60;
  if (unit == "h") scale = 3600;
  if (unit == "d") scale = 86400;
  // 10 digits of days is already past any sensible retention; no overflow.
  if (number.empty() || number.size() > 10 || scale == 0) {
    return Status::InvalidArgument("'" + text +
                                   "' is not a duration like 14d, 12h, 30m or 5s (0 = never)");
  }
  *seconds = std::atoll(number.c_str()) * scale;
  return Status::Ok();
}

Status ParseListen(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || !ParsePort(text.substr(colon + 1), port)) {
    return Status::InvalidArgument("'" + text + "' is not HOST:PORT like 127.0.0.1:8088");
  }
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return Status::Ok();
}

namespace {

bool ParseRole(const std::string& name, Role* role) {
  for (Role r : {Role::kViewer, Role::kDeployer, Role::kAdmin}) {
    if (name == RoleName(r)) {
      *role = r;
      return true;
    }
  }
  return false;
}

void FromEnv(const char* name, std::string* value) {
  const char* v = std::getenv(name);
  if (v && *v) *value = v;
}

std::string Str(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

Status LoadConfig(Config* c) {
  bool explicit_file = !c->config_file.empty();
  std::string path = explicit_file ? c->config_file : c->data_dir + "/config.json";
  std::ifstream in(path);
  if (!in) {
    if (explicit_file) return Status::InvalidArgument("cannot read the config file " + path);
  } else {
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false, true);
    if (!j.is_object()) {
      return Status::InvalidArgument("the config file " + path + " is not a JSON object");
    }
    auto section = [&](const char* key) {
      return j.contains(key) && j[key].is_object() ? j[key] : nlohmann::json::object();
    };
    nlohmann::json slack = section("slack"), teams = section("teams"), mm = section("mattermost");
    c->chat.slack_signing_secret = Str(slack, "signing_secret");
    c->chat.slack_webhook_url = Str(slack, "webhook_url");
    c->chat.mattermost_token = Str(mm, "token");
    c->chat.mattermost_url = Str(mm, "url");
    if (j.contains("reply_origins")) {
      if (!j["reply_origins"].is_array()) {
        return Status::InvalidArgument(path + ": reply_origins must be a list of URLs");
      }
      for (const auto& o : j["reply_origins"]) {
        HttpUrl url;
        if (!o.is_string() || !ParseHttpUrl(o.get<std::string>(), &url).ok()) {
          return Status::InvalidArgument(path + ": reply_origins: " + o.dump() +
                                         " is not an http(s) URL");
        }
        c->chat.reply_origins.push_back(o.get<std::string>());
      }
    }
    c->chat.teams_hmac_key = Str(teams, "hmac_key");
    c->chat.teams_webhook_url = Str(teams, "webhook_url");
    if (j.contains("default_role")) {
      if (!ParseRole(Str(j, "default_role"), &c->chat.default_role)) {
        return Status::InvalidArgument(path + ": default_role must be viewer, deployer or admin");
      }
    }
    // Roles go to fixed identities only: a display name is whatever its
    // owner typed (issue 16 item 1), so an old name-keyed file is refused.
    const nlohmann::json roles = section("roles");
    for (const auto& [role_name, users] : roles.items()) {
      Role role;
      if (!ParseRole(role_name, &role) || !users.is_array()) {
        return Status::InvalidArgument(path +
                                       ": roles must map viewer/deployer/admin to lists of "
                                       "identities (slack:TEAM/USER, mattermost:USERID, "
                                       "teams:AAD-OBJECT-ID, cli:UID, forge:NAME/LOGIN)");
      }
      for (const auto& u : users) {
        const std::string key = u.is_string() ? u.get<std::string>() : u.dump();
        Status valid = u.is_string() ? ValidateIdentity(key) : ValidateIdentity("");
        if (!valid.ok()) {
          return Status::InvalidArgument(path + ": roles: \"" + StripControl(key, 64) +
                                         "\" is not a fixed identity (a display name or a "
                                         "bare id); grant roles to slack:TEAM/USER, "
                                         "mattermost:USERID, teams:AAD-OBJECT-ID, cli:UID or "
                                         "forge:NAME/LOGIN");
        }
        c->chat.roles[key] = role;
      }
    }
    if (j.contains("git_service_user")) {
      Status s = j["git_service_user"].is_string()
                     ? ResolveUser(j["git_service_user"].get<std::string>(), &c->git_service_uid)
                     : Status::InvalidArgument("not a string");
      if (!s.ok()) {
        return Status::InvalidArgument(path + ": git_service_user: " + s.message() +
                                       " (the account a git server runs hooks as, e.g. \"git\")");
      }
      c->git_service_user = j["git_service_user"].get<std::string>();
    }
    const nlohmann::json limits = section("limits");
    for (const auto& [service, limit] : limits.items()) {
      const bool ok = limit.is_object() &&
                      (!limit.contains("memory_mb") || limit["memory_mb"].is_number_unsigned()) &&
                      (!limit.contains("cpus") ||
                       (limit["cpus"].is_number() && limit["cpus"].get<double>() >= 0));
      if (!ok) {
        return Status::InvalidArgument(path +
                                       ": limits map a service to {\"memory_mb\": N, \"cpus\": "
                                       "X}, e.g. \"limits\": {\"web\": {\"memory_mb\": 256, "
                                       "\"cpus\": 0.5}}");
      }
      ServiceLimits& l = c->limits[service];
      l.memory_mb = limit.value("memory_mb", 0);
      l.cpus = limit.value("cpus", 0.0);
    }
    for (auto [key, field] :
         {std::pair<const char*, int64_t*>{"idle_suspend", &c->idle_suspend_seconds},
          {"retention", &c->retention_seconds},
          {"audit_retention", &c->audit_retention_seconds}}) {
      if (!j.contains(key)) continue;
      Status d = j[key].is_string() ? ParseDuration(j[key].get<std::string>(), field)
                 : j[key].is_number_unsigned()
                     ? ParseDuration(std::to_string(j[key].get<uint64_t>()), field)
                     : Status::InvalidArgument("not a duration");
      if (!d.ok()) {
        return Status::InvalidArgument(path + ": " + key +
                                       " is a duration like \"14d\", \"12h\", \"30m\" or "
                                       "\"5s\" (0 = never)");
      }
    }
    if (j.contains("max_sandboxes")) {
      if (!j["max_sandboxes"].is_number_unsigned() || j["max_sandboxes"].get<uint64_t>() > 100000) {
        return Status::InvalidArgument(path + ": max_sandboxes is a number (0 = no limit)");
      }
      c->max_sandboxes = j["max_sandboxes"].get<int>();
    }
    if (j.contains("engines")) {
      Status e = ParseEnginesJson(j["engines"], path, &c->engines);
      if (!e.ok()) return e;
    }
    const nlohmann::json baselines = section("baseline");
    for (const auto& [service, url] : baselines.items()) {
      if (!url.is_string()) return Status::InvalidArgument(path + ": baseline URLs are strings");
      c->baselines[service] = url.get<std::string>();
    }
  }
  FromEnv("SANDBOT_SLACK_SIGNING_SECRET", &c->chat.slack_signing_secret);
  FromEnv("SANDBOT_SLACK_WEBHOOK_URL", &c->chat.slack_webhook_url);
  FromEnv("SANDBOT_MATTERMOST_TOKEN", &c->chat.mattermost_token);
  FromEnv("SANDBOT_TEAMS_HMAC_KEY", &c->chat.teams_hmac_key);
  FromEnv("SANDBOT_TEAMS_WEBHOOK_URL", &c->chat.teams_webhook_url);
  return Status::Ok();
}

Role RoleFor(const ChatConfig& chat, const std::string& identity) {
  auto it = chat.roles.find(identity);
  if (!identity.empty() && it != chat.roles.end()) return it->second;
  return chat.default_role;
}

Status ResolveUser(const std::string& user, int64_t* uid) {
  if (!user.empty() && user.size() <= 10 &&
      user.find_first_not_of("0123456789") == std::string::npos) {
    *uid = std::atoll(user.c_str());
    return Status::Ok();
  }
  passwd entry{}, *found = nullptr;
  char buffer[4096];
  if (user.empty() || getpwnam_r(user.c_str(), &entry, buffer, sizeof buffer, &found) != 0 ||
      found == nullptr) {
    return Status::InvalidArgument("no user '" + StripControl(user, 64) + "' on this host");
  }
  *uid = static_cast<int64_t>(found->pw_uid);
  return Status::Ok();
}

}  // namespace sandbot
