// What the forges last said of their API rate limit: the requests left in
// the current window, from each answer's headers (ReadRateLimit below). GET /metrics shows it as
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

#include <cstdint>
#include <map>
#include <string>

namespace sandbot {

inline constexpr size_t kMaxForges = 32;

// What one forge answer says of its rate limit. GitHub and Gitea send
// x-ratelimit-remaining / x-ratelimit-reset, GitLab RateLimit-Remaining /
// RateLimit-Reset; both resets are seconds since the epoch. The one reading
// of those headers: the poster (bot/forge_poster.cc) decides from it when a
// token is spent and until when, GET /metrics shows the remaining count.
struct RateLimitReading {
  bool has_remaining = false;
  int64_t remaining = 0;
  int64_t reset_at = 0;  // seconds since the epoch; 0: not said (or not digits)
  // The window's last call was made: the next ones wait for reset_at.
  bool exhausted() const { return has_remaining && remaining == 0; }
  // Milliseconds from `now_seconds` to reset_at, clamped to [0, 1 h]; 0
  // when not exhausted or no reset was said.
  int64_t WaitMillis(int64_t now_seconds) const;
};

// Reads `headers` (names in any case; digits only, at most 15, anything
// else is as if not sent). GitHub's names win when both are present.
RateLimitReading ReadRateLimit(const httplib::Headers& headers);

// Records the remaining count `headers` give for `forge` (ReadRateLimit), if
// they give one.
void NoteForgeRateLimit(const std::string& forge, const httplib::Headers& headers);
// The same from the header's value alone (for tests and other clients).
void NoteForgeRateLimitValue(const std::string& forge, const std::string& value);
// Forge name → requests left, as last seen.
std::map<std::string, double> ForgeRateLimits();
// Forgets every value (tests).
void ClearForgeRateLimits();

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_RATELIMIT_H_
