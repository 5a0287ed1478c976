#include "bot/signatures.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace sandbot {

namespace {

constexpr size_t kSha256Bytes = 32;

bool IsLowerHex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool IsSha256Hex(const std::string& s) { return s.size() == 2 * kSha256Bytes && IsLowerHex(s); }

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Splits "Scheme <credentials>" and returns the credentials when the scheme
// matches `scheme` case-insensitively (RFC 9110 §11.1); false otherwise.
bool SplitAuthorization(const std::string& header, const std::string& scheme,
                        std::string* credentials) {
  size_t begin = 0, end = header.size();
  while (begin < end && IsBlank(header[begin])) ++begin;
  while (end > begin && IsBlank(header[end - 1])) --end;
  if (end - begin <= scheme.size() || !IsBlank(header[begin + scheme.size()])) return false;
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (AsciiLower(header[begin + i]) != AsciiLower(scheme[i])) return false;
  }
  size_t value = begin + scheme.size();
  while (value < end && IsBlank(header[value])) ++value;
  credentials->assign(header, value, end - value);
  return true;
}

// Parses unix seconds: 1 to 18 ASCII digits, so the value fits int64_t.
bool ParseSeconds(const std::string& text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

// Largest chunk handed to EVP_{En,De}codeBlock at once: their lengths are
// ints, and a chunk must hold whole 3-byte (encode) / 4-char (decode) groups.
constexpr size_t kEncodeChunk = 3 * (1 << 20);
constexpr size_t kDecodeChunk = 4 * (1 << 20);

}  // namespace

namespace {

// A keyed HMAC-SHA256 context per thread, kept while the key stays the same:
// OpenSSL 3's one-shot HMAC() fetches both algorithms and hashes the key on
// every call, a tenth of the CPU of a signed chat request.
class ThreadHmac {
 public:
  ~ThreadHmac() { EVP_MAC_CTX_free(ctx_); }

  bool Mac(const std::string& key, const std::string& data, unsigned char* out) {
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // kept until exit
    if (hmac == nullptr) return false;
    if (ctx_ == nullptr && (ctx_ = EVP_MAC_CTX_new(hmac)) == nullptr) return false;
    int ok;
    if (keyed_ && key == key_) {
      ok = EVP_MAC_init(ctx_, nullptr, 0, nullptr);  // the same key again
    } else {
      char digest[] = "SHA256";
      const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                                   OSSL_PARAM_construct_end()};
      ok = EVP_MAC_init(ctx_, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                        params);
      keyed_ = ok == 1;
      key_ = keyed_ ? key : std::string();
    }
    size_t length = 0;
    return ok == 1 &&
           EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(data.data()), data.size()) ==
               1 &&
           EVP_MAC_final(ctx_, out, &length, kSha256Bytes) == 1 && length == kSha256Bytes;
  }

 private:
  EVP_MAC_CTX* ctx_ = nullptr;
  bool keyed_ = false;
  std::string key_;
};

}  // namespace

std::string HmacSha256(const std::string& key, const std::string& data) {
  unsigned char out[kSha256Bytes];
  thread_local ThreadHmac hmac;
  if (!hmac.Mac(key, data, out)) return std::string();
  return std::string(reinterpret_cast<const char*>(out), kSha256Bytes);
}

std::string HexEncode(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

std::string Base64Encode(const std::string& bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t pos = 0; pos < bytes.size(); pos += kEncodeChunk) {
    const size_t n = std::min(kEncodeChunk, bytes.size() - pos);
    std::string chunk((n + 2) / 3 * 4 + 1, '\0');  // + the NUL EncodeBlock writes
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(&chunk[0]),
                                        reinterpret_cast<const unsigned char*>(bytes.data() + pos),
                                        static_cast<int>(n));
    chunk.resize(written > 0 ? static_cast<size_t>(written) : 0);
    out += chunk;
  }
  return out;
}

// Strict RFC 4648 §4: whole 4-character groups from the standard alphabet,
// '=' only as the last one or two characters, no whitespace or line breaks.
// EVP_DecodeBlock alone is more lenient (it trims surrounding whitespace) and
// counts padding as decoded zero bytes, so validate first and trim after.
bool Base64Decode(const std::string& text, std::string* bytes) {
  bytes->clear();
  if (text.size() % 4 != 0) return false;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  for (size_t i = 0; i + padding < text.size(); ++i) {
    if (!IsBase64Char(text[i])) return false;
  }
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t pos = 0; pos < text.size(); pos += kDecodeChunk) {
    const size_t n = std::min(kDecodeChunk, text.size() - pos);
    std::string chunk(n / 4 * 3, '\0');
    const int written = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(&chunk[0]),
                                        reinterpret_cast<const unsigned char*>(text.data() + pos),
                                        static_cast<int>(n));
    if (written < 0 || static_cast<size_t>(written) != chunk.size()) return false;
    out += chunk;
  }
  out.resize(out.size() - padding);
  *bytes = std::move(out);
  return true;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status VerifySlackSignature(const std::string& signing_secret, const std::string& timestamp,
                            const std::string& raw_body, const std::string& signature,
                            int64_t now_seconds, int64_t window_seconds) {
  if (signing_secret.empty()) return Status::Forbidden("Slack signing secret not configured");
  if (timestamp.empty()) return Status::Forbidden("missing X-Slack-Request-Timestamp");
  int64_t ts = 0;
  if (!ParseSeconds(timestamp, &ts)) {
    return Status::Forbidden("X-Slack-Request-Timestamp is not a number of unix seconds");
  }
  int64_t skew = 0;
  if (__builtin_sub_overflow(now_seconds, ts, &skew) || skew == INT64_MIN) {
    return Status::Forbidden("stale request: timestamp is out of range");
  }
  if (skew < 0) skew = -skew;
  if (skew > window_seconds) {
    return Status::Forbidden("stale request: timestamp is " + std::to_string(skew) +
                             " s away from now");
  }
  if (signature.empty()) return Status::Forbidden("missing X-Slack-Signature");
  if (!StartsWith(signature, "v0=") || !IsSha256Hex(signature.substr(3))) {
    return Status::Forbidden("malformed X-Slack-Signature (want v0= and 64 lower-case hex digits)");
  }
  const std::string mac = HmacSha256(signing_secret, "v0:" + timestamp + ":" + raw_body);
  if (mac.empty()) return Status::Internal("HMAC-SHA256 failed");
  if (!ConstantTimeEquals("v0=" + HexEncode(mac), signature)) {
    return Status::Forbidden("bad signature");
  }
  return Status::Ok();
}

Status VerifyTeamsHmac(const std::string& base64_key, const std::string& raw_body,
                       const std::string& authorization) {
  if (base64_key.empty()) return Status::Forbidden("Teams HMAC key not configured");
  std::string key;
  if (!Base64Decode(base64_key, &key) || key.empty()) {
    return Status::Forbidden("Teams HMAC key is not valid base64");
  }
  if (authorization.empty()) return Status::Forbidden("missing Authorization header");
  std::string given;
  if (!SplitAuthorization(authorization, "HMAC", &given) || given.empty()) {
    return Status::Forbidden("Authorization is not \"HMAC <base64>\"");
  }
  if (raw_body.empty()) return Status::Forbidden("empty request body");
  const std::string mac = HmacSha256(key, raw_body);
  if (mac.empty()) return Status::Internal("HMAC-SHA256 failed");
  if (!ConstantTimeEquals(Base64Encode(mac), given)) return Status::Forbidden("bad HMAC");
  return Status::Ok();
}

Status VerifyMattermostToken(const std::string& expected, const std::string& form_token,
                             const std::string& authorization) {
  if (expected.empty()) return Status::Forbidden("Mattermost token not configured");
  std::string header_token;
  const bool has_header = SplitAuthorization(authorization, "Token", &header_token);
  // Both comparisons always run, so timing does not tell which one matched.
  const bool form_ok = ConstantTimeEquals(form_token, expected);
  const bool header_ok = has_header && ConstantTimeEquals(header_token, expected);
  if (form_ok || header_ok) return Status::Ok();
  if (form_token.empty() && !has_header) return Status::Forbidden("missing Mattermost token");
  return Status::Forbidden("bad Mattermost token");
}

Status VerifyGithubSignature(const std::string& secret, const std::string& raw_body,
                             const std::string& signature) {
  if (secret.empty()) return Status::Forbidden("webhook secret not configured");
  if (signature.empty()) return Status::Forbidden("missing webhook signature");
  // GitHub (and Gitea/Forgejo's X-Hub-Signature-256) send "sha256=<hex>";
  // X-Gitea-Signature and X-Forgejo-Signature send the bare hex.
  const std::string hex = StartsWith(signature, "sha256=") ? signature.substr(7) : signature;
  if (!IsSha256Hex(hex)) {
    return Status::Forbidden(
        "malformed webhook signature (want sha256= and 64 lower-case hex digits)");
  }
  const std::string mac = HmacSha256(secret, raw_body);
  if (mac.empty()) return Status::Internal("HMAC-SHA256 failed");
  if (!ConstantTimeEquals(HexEncode(mac), hex)) return Status::Forbidden("bad signature");
  return Status::Ok();
}

}  // namespace sandbot
