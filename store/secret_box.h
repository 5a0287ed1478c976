// SecretBox: authenticated encryption of small secrets (environment values)
// before they are stored in SQLite, so a copy of sandbot.db alone does not
// leak them.
//
// The 32-byte key lives in its own file (mode 0600, outside the database), and
// each value is sealed with AES-256-GCM under a fresh random 96-bit nonce. The
// caller passes "additional authenticated data" naming where the value
// belongs (e.g. "env/NAME/KEY"): it is not stored but must match on Open, so a
// ciphertext copied to another row does not decrypt.
//
// Sealed format (ASCII, safe in a TEXT column):
//   "v1:" + base64(nonce[12] || ciphertext || tag[16])
//
// Thread-safety: Seal and Open are const and keep no state between calls, so
// one SecretBox may be shared by any number of threads.
#ifndef SANDBOT_STORE_SECRET_BOX_H_
#define SANDBOT_STORE_SECRET_BOX_H_

#include <cstddef>
#include <string>

#include "util/status.h"

namespace sandbot {

class SecretBox {
 public:
  static constexpr size_t kKeySize = 32;

  // A box without a key: Seal and Open fail until one is loaded.
  SecretBox() = default;
  ~SecretBox();
  SecretBox(const SecretBox& other);
  SecretBox& operator=(const SecretBox& other);

  // Loads the key at `path`, or creates it (32 random bytes, mode 0600) when
  // there is no file yet; `*created` tells which. Refuses a key file that
  // other users may access or whose size is not 32 bytes. Safe when several
  // processes start at once: all of them end up with the same key.
  static Status LoadOrCreateKey(const std::string& path, SecretBox* box, bool* created);

  // Atomically replaces (or creates) the key file at `path` with `raw32`
  // (mode 0600, fsynced); for key rotation.
  static Status WriteKeyFile(const std::string& path, const std::string& raw32);

  // Fills `raw32` with a new random key.
  static Status GenerateKey(std::string* raw32);

  // A box using `raw32` as key; if it is not kKeySize bytes the box has no
  // key (see has_key()).
  static SecretBox FromKey(const std::string& raw32);

  bool has_key() const { return has_key_; }

  // Encrypts `plaintext` bound to `aad` into the sealed format above.
  Status Seal(const std::string& plaintext, const std::string& aad, std::string* sealed) const;

  // Decrypts what Seal produced with the same key and `aad`. Any change to the
  // value, another key or another `aad` gives an error; messages never quote
  // the plaintext or the key.
  Status Open(const std::string& sealed, const std::string& aad, std::string* plaintext) const;

  // HMAC-SHA256 of `data` under a key derived from this box's key for
  // `purpose` (HMAC(key, "sandbot mac " + purpose)): the AES key itself
  // never signs, and a MAC made for one purpose is not valid for another.
  // Raw 32 bytes in `mac`.
  Status Mac(const std::string& purpose, const std::string& data, std::string* mac) const;

 private:
  unsigned char key_[kKeySize] = {};
  bool has_key_ = false;
};

}  // namespace sandbot

#endif  // SANDBOT_STORE_SECRET_BOX_H_
