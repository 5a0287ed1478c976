#include "bot/web_session.h"

#include <unistd.h>

#include <cstdlib>

#include "bot/local_caller.h"

namespace sandbot {

std::string DashboardUrl(const Config& config) {
  std::string url = config.public_url.empty() ? "http://" + config.listen : config.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string CookieValue(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(pos, end - pos);
    const size_t a = pair.find_first_not_of(' ');
    if (a != std::string::npos) pair.erase(0, a);
    const size_t eq = pair.find('=');
    if (eq != std::string::npos && pair.compare(0, eq, name) == 0 && eq == name.size()) {
      std::string value = pair.substr(eq + 1);
      while (!value.empty() && value.back() == ' ') value.pop_back();
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
    pos = end + 1;
  }
  return "";
}

std::string SessionCookieHeader(const std::string& value, int64_t max_age_seconds, bool secure) {
  return std::string(kSessionCookie) + "=" + value +
         "; Path=/ui/; Max-Age=" + std::to_string(max_age_seconds) + "; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "");
}

Role WebRoleFor(const Config& config, const std::string& identity) {
  // A CLI user's is the local socket's rule (root and the daemon's user
  // are admins).
  if (identity.rfind("cli:", 0) == 0) {
    return LocalRole(config, static_cast<uid_t>(std::strtoul(identity.c_str() + 4, nullptr, 10)),
                     geteuid());
  }
  return RoleFor(config.chat, identity);
}

Status CallerOf(Db* db, const Config& config, const HttpRequest& req, int64_t now_ms,
                WebCaller* caller) {
  caller->cookie = CookieValue(req.HeaderValue("Cookie"), kSessionCookie);
  if (caller->cookie.empty()) return Status::NotFound("no session cookie");
  Status s = FindWebSession(db, caller->cookie, now_ms, &caller->session);
  if (!s.ok()) return s;
  caller->role = WebRoleFor(config, caller->session.identity);
  return Status::Ok();
}

}  // namespace sandbot
