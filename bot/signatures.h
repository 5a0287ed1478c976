// Request authentication for the chat front doors (PROTOCOLS.md §1.2, §2.1,
// §3, §4). Every check is constant-time on the secret-dependent comparison and
// pure: the current time is a parameter.
#ifndef SANDBOT_BOT_SIGNATURES_H_
#define SANDBOT_BOT_SIGNATURES_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "handlers/status.h"

namespace sandbot {

// Slack `v0` signing: X-Slack-Signature == "v0=" + hex(HMAC-SHA256(secret,
// "v0:" + timestamp + ":" + raw_body)), and |now - timestamp| <= window.
// Forbidden (with the reason: missing header, stale, bad signature) otherwise.
Status VerifySlackSignature(const std::string& signing_secret, const std::string& timestamp,
                            const std::string& raw_body, const std::string& signature,
                            int64_t now_seconds, int64_t window_seconds = 300);

// Teams outgoing webhook: Authorization == "HMAC " + base64(HMAC-SHA256(
// base64decode(key), raw_body)).
Status VerifyTeamsHmac(const std::string& base64_key, const std::string& raw_body,
                       const std::string& authorization);

// Mattermost: the form `token` or "Authorization: Token <t>" equals `expected`.
Status VerifyMattermostToken(const std::string& expected, const std::string& form_token,
                             const std::string& authorization);

// GitHub/Gitea: X-Hub-Signature-256 == "sha256=" + hex(HMAC-SHA256(secret, body)).
Status VerifyGithubSignature(const std::string& secret, const std::string& raw_body,
                             const std::string& signature);

// Remembers signatures seen within the replay window, so a captured request
// replayed inside the window is refused. Thread-safe.
class ReplayGuard {
 public:
  explicit ReplayGuard(int64_t window_seconds = 300) : window_(window_seconds) {}
  // False when `signature` was already seen within the window.
  bool FirstSeen(const std::string& signature, int64_t now_seconds);

 private:
  // Drops entries older than the window; called when seen_ reaches prune_at_,
  // which then doubles past the surviving size, so pruning is amortised O(1).
  void PruneLocked(int64_t now_seconds);

  // 128 bits of SHA-256 of the signature: unique for our purpose, and a
  // third of the memory of the text (this set grows with the request rate).
  struct Key {
    uint64_t hi, lo;
    bool operator==(const Key& o) const { return hi == o.hi && lo == o.lo; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return static_cast<size_t>(k.hi); }
  };

  int64_t window_;
  std::mutex mu_;
  std::unordered_map<Key, int64_t, KeyHash> seen_;  // signature -> first seen
  size_t prune_at_ = 1024;
};

// Building blocks, exposed for tests and other signers.
std::string HmacSha256(const std::string& key, const std::string& data);  // raw 32 bytes
std::string HexEncode(const std::string& bytes);                          // lower-case
std::string Base64Encode(const std::string& bytes);
bool Base64Decode(const std::string& text, std::string* bytes);
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SIGNATURES_H_
