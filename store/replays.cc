#include "store/replays.h"

#include <openssl/sha.h>

namespace sandbot {

namespace {

// Keys are stored as their SHA-256: fixed size, and no signature in the file.
std::string Digest(const std::string& key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  return hex;
}

}  // namespace

Status FirstSeenPersistent(Db* db, const std::string& key, int64_t until_ms, bool* first) {
  *first = false;
  Stmt st(db, "INSERT OR IGNORE INTO replays_seen(digest, until) VALUES(?, ?)");
  st.Bind(1, Digest(key)).Bind(2, until_ms);
  Status s = st.Run();
  if (s.ok()) *first = db->Changes() == 1;
  return s;
}

Status PruneReplays(Db* db, int64_t now_ms, int* removed) {
  Stmt st(db, "DELETE FROM replays_seen WHERE until < ?");
  st.Bind(1, now_ms);
  Status s = st.Run();
  if (s.ok()) *removed = db->Changes();
  return s;
}

}  // namespace sandbot
