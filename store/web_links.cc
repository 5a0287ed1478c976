#include "store/web_links.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

#include "store/replays.h"
#include "util/identity.h"

namespace sandbot {

namespace {

constexpr char kPurpose[] = "web-login";

std::string Hex(const std::string& raw) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char b : raw) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool Unhex(const std::string& hex, std::string* raw) {
  if (hex.size() % 2 != 0) return false;
  raw->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    raw->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1) {
    parts.push_back(s.substr(start, nl - start));
  }
  parts.push_back(s.substr(start));
  return parts;
}

}  // namespace

Status MintWebLink(const SecretBox& box, const std::string& identity, const std::string& name,
                   int64_t now_s, std::string* token) {
  Status s = ValidateIdentity(identity);
  if (!s.ok()) return s;
  unsigned char nonce[16];
  if (RAND_bytes(nonce, sizeof(nonce)) != 1) return Status::Internal("no random bytes");
  const std::string payload = "v1\n" + Hex(std::string(reinterpret_cast<char*>(nonce), 16)) + "\n" +
                              std::to_string(now_s + kWebLinkSeconds) + "\n" + identity + "\n" +
                              StripControl(name, 80);
  std::string mac;
  s = box.Mac(kPurpose, payload, &mac);
  if (!s.ok()) return s;
  *token = Hex(payload) + "." + Hex(mac);
  return Status::Ok();
}

Status VerifyWebLink(const SecretBox& box, const std::string& token, int64_t now_s,
                     WebLinkClaims* claims) {
  const size_t dot = token.find('.');
  std::string payload, given;
  if (token.size() > 2048 || dot == std::string::npos || !Unhex(token.substr(0, dot), &payload) ||
      !Unhex(token.substr(dot + 1), &given)) {
    return Status::Forbidden("the sign-in link is malformed");
  }
  std::string mac;
  Status s = box.Mac(kPurpose, payload, &mac);
  if (!s.ok()) return s;
  if (given.size() != mac.size() || CRYPTO_memcmp(given.data(), mac.data(), mac.size()) != 0) {
    return Status::Forbidden("the sign-in link's signature does not match");
  }
  // Signed by us: the fields are as we wrote them.
  std::vector<std::string> parts = SplitLines(payload);
  if (parts.size() != 5 || parts[0] != "v1") {
    return Status::Forbidden("the sign-in link is of an unknown version");
  }
  claims->nonce = parts[1];
  claims->expires = std::strtoll(parts[2].c_str(), nullptr, 10);
  claims->identity = parts[3];
  claims->name = parts[4];
  if (now_s >= claims->expires) {
    return Status::Forbidden("the sign-in link has expired; ask for a new one");
  }
  return Status::Ok();
}

Status RedeemWebLink(Db* db, const SecretBox& box, const std::string& token, int64_t now_s,
                     WebLinkClaims* claims) {
  Status s = VerifyWebLink(box, token, now_s, claims);
  if (!s.ok()) return s;
  bool first = false;
  s = FirstSeenPersistent(db, "web-login:" + claims->nonce, (claims->expires + 60) * 1000, &first);
  if (!s.ok()) return s;
  if (!first) return Status::Forbidden("the sign-in link was used already; ask for a new one");
  return Status::Ok();
}

}  // namespace sandbot
