#include "store/web_sessions.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace sandbot {

namespace {

std::string Hex(const unsigned char* raw, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kHex[raw[i] >> 4]);
    out.push_back(kHex[raw[i] & 15]);
  }
  return out;
}

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return Hex(digest, sizeof(digest));
}

constexpr char kColumns[] = "id, identity, name, role, created_at, expires_at, revoked_at";

void ReadRow(Stmt* st, WebSession* w) {
  w->id = st->Text(0);
  w->identity = st->Text(1);
  w->name = st->Text(2);
  w->role = st->Text(3);
  w->created_at = st->Int(4);
  w->expires_at = st->Int(5);
  w->revoked_at = st->Int(6);
}

}  // namespace

Status CreateWebSession(Db* db, const std::string& identity, const std::string& name,
                        const std::string& role, int64_t now_ms, int64_t ttl_ms,
                        std::string* cookie, WebSession* session) {
  unsigned char raw[32];
  if (RAND_bytes(raw, sizeof(raw)) != 1) return Status::Internal("no random bytes");
  *cookie = Hex(raw, sizeof(raw));
  const std::string digest = Sha256Hex(*cookie);
  session->id = digest.substr(0, 16);
  session->identity = identity;
  session->name = name;
  session->role = role;
  session->created_at = now_ms;
  session->expires_at = now_ms + ttl_ms;
  session->revoked_at = 0;
  Stmt st(db,
          "INSERT INTO web_sessions(id, digest, identity, name, role, created_at, expires_at) "
          "VALUES(?, ?, ?, ?, ?, ?, ?)");
  st.Bind(1, session->id).Bind(2, digest).Bind(3, identity).Bind(4, name).Bind(5, role);
  st.Bind(6, now_ms).Bind(7, session->expires_at);
  return st.Run();
}

Status FindWebSession(Db* db, const std::string& cookie, int64_t now_ms, WebSession* session) {
  if (cookie.size() != 64) return Status::NotFound("no such session");
  Stmt st(db, (std::string("SELECT ") + kColumns +
               " FROM web_sessions WHERE digest = ? AND revoked_at = 0 AND expires_at > ?")
                  .c_str());
  st.Bind(1, Sha256Hex(cookie)).Bind(2, now_ms);
  if (st.Step()) {
    ReadRow(&st, session);
    return Status::Ok();
  }
  if (!st.status().ok()) return st.status();
  return Status::NotFound("no such session (expired, revoked or never made)");
}

Status ListWebSessions(Db* db, const std::string& identity, int64_t now_ms,
                       std::vector<WebSession>* sessions) {
  Stmt st(db, (std::string("SELECT ") + kColumns +
               " FROM web_sessions WHERE revoked_at = 0 AND expires_at > ? AND"
               " (? = '' OR identity = ?) ORDER BY created_at DESC, id")
                  .c_str());
  st.Bind(1, now_ms).Bind(2, identity).Bind(3, identity);
  sessions->clear();
  while (st.Step()) {
    WebSession w;
    ReadRow(&st, &w);
    sessions->push_back(w);
  }
  return st.status();
}

Status RevokeWebSession(Db* db, const std::string& id, const std::string& identity,
                        int64_t now_ms) {
  Stmt st(db,
          "UPDATE web_sessions SET revoked_at = ? WHERE id = ? AND revoked_at = 0 AND "
          "expires_at > ? AND (? = '' OR identity = ?)");
  st.Bind(1, now_ms).Bind(2, id).Bind(3, now_ms).Bind(4, identity).Bind(5, identity);
  Status s = st.Run();
  if (!s.ok()) return s;
  if (db->Changes() == 0) {
    return Status::NotFound("no live session '" + id + "'" + (identity.empty() ? "" : " of yours") +
                            "; `sandbot web-sessions list` shows them");
  }
  return Status::Ok();
}

std::string CsrfTokenFor(const std::string& cookie) { return Sha256Hex("sandbot csrf\n" + cookie); }

bool CsrfMatches(const std::string& cookie, const std::string& given) {
  const std::string want = CsrfTokenFor(cookie);
  return given.size() == want.size() && CRYPTO_memcmp(given.data(), want.data(), want.size()) == 0;
}

}  // namespace sandbot
