// What the forges last said of their API rate limit: the requests left in
// the current window, from the x-ratelimit-remaining header of each answer
// (GitHub, Gitea; GitLab says RateLimit-Remaining). GET /metrics shows it as
// sandbot_forge_ratelimit_remaining{forge} (bot/metrics.h), so an operator
// sees a token running dry before the comments and statuses stop.
//
// Process-wide: the forge calls (bot/forge_poster.cc) are made far from the
// daemon's Metrics, and one table per process is what there is to know.
// Keyed by the forge's configured name (operator-chosen, a handful), never
// by anything a request says; at most kMaxForges names are kept.
//
// Thread-safety: all functions may be called from any thread.
#ifndef SANDBOT_BOT_FORGE_RATELIMIT_H_
#define SANDBOT_BOT_FORGE_RATELIMIT_H_

#include <httplib.h>

#include <map>
#include <string>

namespace sandbot {

inline constexpr size_t kMaxForges = 32;

// Records the remaining count `headers` give for `forge`, if they give one
// (digits only; anything else is ignored).
void NoteForgeRateLimit(const std::string& forge, const httplib::Headers& headers);
// The same from the header's value alone (for tests and other clients).
void NoteForgeRateLimitValue(const std::string& forge, const std::string& value);
// Forge name → requests left, as last seen.
std::map<std::string, double> ForgeRateLimits();
// Forgets every value (tests).
void ClearForgeRateLimits();

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_RATELIMIT_H_
