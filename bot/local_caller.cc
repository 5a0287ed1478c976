#include "bot/local_caller.h"

#include <pwd.h>

#include <utility>

#include "util/identity.h"

namespace sandbot {

namespace {

// The forge a git server's variable speaks for.
const char* ForgeOfVariable(const std::string& variable) {
  static const std::pair<const char*, const char*> kForges[] = {
      {"GITEA_PUSHER_NAME", "gitea"},
      {"GL_USERNAME", "gitlab"},
      {"REMOTE_USER", "http"},
      {"SANDBOT_PUSHER", "git"},
  };
  for (const auto& [name, forge] : kForges) {
    if (variable == name) return forge;
  }
  return nullptr;
}

}  // namespace

std::string LocalCaller::Actor() const {
  if (name.empty()) return identity;
  return name + " (" + identity + ")";
}

std::string UserNameOf(uid_t uid) {
  passwd entry{}, *found = nullptr;
  char buffer[4096];
  if (getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr &&
      found->pw_name != nullptr) {
    std::string name = StripControl(found->pw_name, 64);
    if (!name.empty()) return name;
  }
  return "uid " + std::to_string(uid);
}

LocalCaller CliCaller(uid_t uid) { return {CliIdentity(uid), UserNameOf(uid)}; }

Role LocalRole(const Config& config, uid_t uid, uid_t daemon_uid) {
  const std::string identity = CliIdentity(uid);
  if (config.chat.roles.count(identity) != 0) return RoleFor(config.chat, identity);
  if (uid == 0 || uid == daemon_uid) return Role::kAdmin;
  return config.chat.default_role;
}

LocalCaller PusherOf(const Config& config, uid_t peer_uid, const std::string& variable,
                     const std::string& claimed) {
  const char* forge = ForgeOfVariable(variable);
  const std::string login = StripControl(claimed, 64);
  if (forge != nullptr && config.git_service_uid >= 0 &&
      static_cast<int64_t>(peer_uid) == config.git_service_uid) {
    const std::string identity = ForgeIdentity(forge, login);
    if (ValidateIdentity(identity).ok()) return {identity, login};
  }
  return CliCaller(peer_uid);
}

}  // namespace sandbot
