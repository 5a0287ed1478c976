// Dashboard sign-in links: `/sandbox web` and `sandbot web-login` answer with
// a link to /ui/login?t=TOKEN that signs its holder in as the caller.
//
// TOKEN = hex(payload) "." hex(HMAC-SHA256(payload)), the MAC made with the
// secrets key (store/secret_box.h Mac, purpose "web-login"); the payload is
//   "v1\n" NONCE "\n" EXPIRES "\n" IDENTITY "\n" NAME
// (EXPIRES in seconds since the epoch, 10 minutes after minting). A link is
// usable once: its nonce is recorded on redemption (store/replays.h) until it
// expires, so a second use — a browser's history, a proxy log — is refused.
// Rotating the secrets key invalidates links not yet used.
#ifndef SANDBOT_STORE_WEB_LINKS_H_
#define SANDBOT_STORE_WEB_LINKS_H_

#include <cstdint>
#include <string>

#include "store/db.h"
#include "store/secret_box.h"
#include "util/status.h"

namespace sandbot {

inline constexpr int64_t kWebLinkSeconds = 600;

struct WebLinkClaims {
  std::string nonce;     // 32 hex digits
  int64_t expires = 0;   // seconds since the epoch
  std::string identity;  // util/identity.h
  std::string name;      // display name, control characters stripped
};

// A new token for `identity` (a valid fixed identity) valid until
// now_s + kWebLinkSeconds.
Status MintWebLink(const SecretBox& box, const std::string& identity, const std::string& name,
                   int64_t now_s, std::string* token);
// Ok with the claims when `token` was minted with this box's key and has not
// expired at `now_s`; Forbidden otherwise (the message says which, never the
// token). Does not consume it.
Status VerifyWebLink(const SecretBox& box, const std::string& token, int64_t now_s,
                     WebLinkClaims* claims);
// VerifyWebLink, then records the nonce: Forbidden when it was used before.
Status RedeemWebLink(Db* db, const SecretBox& box, const std::string& token, int64_t now_s,
                     WebLinkClaims* claims);

}  // namespace sandbot

#endif  // SANDBOT_STORE_WEB_LINKS_H_
