// Request authentication for the chat front doors (PROTOCOLS.md §1.2, §2.1,
// §3, §4). Every check is constant-time on the secret-dependent comparison and
// pure: the current time is a parameter.
#ifndef SANDBOT_BOT_SIGNATURES_H_
#define SANDBOT_BOT_SIGNATURES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/status.h"

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

// Building blocks, exposed for tests and other signers.
std::string HmacSha256(const std::string& key, const std::string& data);  // raw 32 bytes
std::string HexEncode(const std::string& bytes);                          // lower-case
std::string Base64Encode(const std::string& bytes);
bool Base64Decode(const std::string& text, std::string* bytes);
bool ConstantTimeEquals(const std::string& a, const std::string& b);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SIGNATURES_H_
