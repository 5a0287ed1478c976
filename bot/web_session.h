// The dashboard's session plumbing on the HTTP side: where it is reached,
// the session cookie (read from a request, written on sign-in) and the
// caller a request's cookie names.
//
// The cookie is HttpOnly (no script reads it), SameSite=Strict (no other
// site's page sends it) and Secure when the public URL is https; its value
// is a random secret whose SHA-256 names a session in the store
// (store/web_sessions.h).
#ifndef SANDBOT_BOT_WEB_SESSION_H_
#define SANDBOT_BOT_WEB_SESSION_H_

#include <cstdint>
#include <string>

#include "bot/config.h"
#include "bot/http_request.h"
#include "store/db.h"
#include "store/web_sessions.h"

namespace sandbot {

inline constexpr char kSessionCookie[] = "sandbot_session";

// --public-url without a trailing '/', else "http://" + --listen.
std::string DashboardUrl(const Config& config);
// The value of cookie `name` in a Cookie header ("a=1; b=2"), "" if absent.
std::string CookieValue(const std::string& header, const std::string& name);
// The Set-Cookie value that keeps `value` for `max_age_seconds` (0: deletes it).
std::string SessionCookieHeader(const std::string& value, int64_t max_age_seconds, bool secure);

// The role `identity` has at its own door: the configured one; for cli:UID
// the local socket's rule (bot/local_caller.h LocalRole).
Role WebRoleFor(const Config& config, const std::string& identity);

// Who a dashboard request is: the session its cookie names, with the role
// configured for that identity now (a role taken away applies at once).
struct WebCaller {
  WebSession session;
  std::string cookie;
  Role role = Role::kViewer;
};
// NotFound when the request has no live session.
Status CallerOf(Db* db, const Config& config, const HttpRequest& req, int64_t now_ms,
                WebCaller* caller);

}  // namespace sandbot

#endif  // SANDBOT_BOT_WEB_SESSION_H_
