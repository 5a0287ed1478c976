// Dashboard sessions: made when a sign-in link is redeemed
// (store/web_links.h), named by a random cookie the browser holds. The store
// keeps only the cookie's SHA-256, so a copy of sandbot.db signs nobody in.
// A session carries who signed in (identity, display name, role at sign-in),
// expires, and can be listed and revoked (`sandbot web-sessions`).
#ifndef SANDBOT_STORE_WEB_SESSIONS_H_
#define SANDBOT_STORE_WEB_SESSIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

inline constexpr int64_t kWebSessionSeconds = 12 * 3600;

struct WebSession {
  std::string id;  // 16 hex digits, for lists and revocation (not the cookie)
  std::string identity;
  std::string name;
  std::string role;        // at sign-in; the dashboard checks the configured role on each request
  int64_t created_at = 0;  // ms since the epoch
  int64_t expires_at = 0;  // ms
  int64_t revoked_at = 0;  // ms; 0: not revoked
};

// A new session until now_ms + ttl_ms; *cookie is its secret (64 hex digits).
Status CreateWebSession(Db* db, const std::string& identity, const std::string& name,
                        const std::string& role, int64_t now_ms, int64_t ttl_ms,
                        std::string* cookie, WebSession* session);
// The live session `cookie` names: NotFound when none, expired or revoked.
Status FindWebSession(Db* db, const std::string& cookie, int64_t now_ms, WebSession* session);
// Live sessions, newest first; of `identity` only unless it is "".
Status ListWebSessions(Db* db, const std::string& identity, int64_t now_ms,
                       std::vector<WebSession>* sessions);
// Revokes session `id` (of `identity` only, unless it is ""): NotFound when
// there is no such live session.
Status RevokeWebSession(Db* db, const std::string& id, const std::string& identity, int64_t now_ms);

// The CSRF token of the session `cookie` names: derived from it, so a page
// of another origin, which cannot read the cookie, cannot make it.
std::string CsrfTokenFor(const std::string& cookie);
// Whether `given` is that token (constant time).
bool CsrfMatches(const std::string& cookie, const std::string& given);

}  // namespace sandbot

#endif  // SANDBOT_STORE_WEB_SESSIONS_H_
