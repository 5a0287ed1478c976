// SecretKeys: the daemon's current SecretBox (store/secret_box.h) behind a
// lock, its key file {data}/secret.key, and key rotation.
//
// Rotation is ordered so that a crash at any point loses nothing:
//   1. the new key is written to secret.key.new (mode 0600, fsynced);
//   2. every sealed value is re-encrypted in ONE transaction, committed;
//   3. the running daemon switches to the new key;
//   4. secret.key.new is renamed over secret.key (and the folder fsynced).
// At start, Load finds a leftover secret.key.new and lets the store decide:
// if the new key opens the sealed values, step 2 committed and the rename is
// finished; otherwise the new key is discarded.
//
// Thread-safety: Seal and Open may run on any thread at any time, also
// during a rotation: Open falls back to the previous key, for a value read
// just before the rotation committed.
#ifndef SANDBOT_STORE_SECRET_KEYS_H_
#define SANDBOT_STORE_SECRET_KEYS_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/db.h"
#include "store/secret_box.h"
#include "util/status.h"

namespace sandbot {

class SecretKeys {
 public:
  // `box` in memory; with a `key_path`, Rotate also replaces that file.
  explicit SecretKeys(const SecretBox& box, std::string key_path = "");

  // {data_dir}/secret.key, created (32 random bytes, 0600) when missing;
  // `*created` says so. Finishes or discards an interrupted rotation.
  // `warnings` gets what the operator must know (a rotation recovered, a
  // key that does not open the stored secrets) — never key material.
  static Status Load(const std::string& data_dir, Db* db, std::unique_ptr<SecretKeys>* out,
                     bool* created, std::vector<std::string>* warnings);
  static std::string KeyPath(const std::string& data_dir) { return data_dir + "/secret.key"; }

  Status Seal(const std::string& plaintext, const std::string& aad, std::string* sealed) const;
  Status Open(const std::string& sealed, const std::string& aad, std::string* plaintext) const;
  std::shared_ptr<const SecretBox> current() const;

  // Steps 1–4 above; `*resealed` counts the values re-encrypted.
  // REQUIRES: not inside a Transaction (the rename must follow the commit).
  Status Rotate(Db* db, int* resealed);

 private:
  mutable std::mutex mu_;  // guards current_ and previous_
  std::shared_ptr<const SecretBox> current_;
  std::shared_ptr<const SecretBox> previous_;
  std::string key_path_;
  std::mutex rotate_mu_;  // one rotation at a time
};

}  // namespace sandbot

#endif  // SANDBOT_STORE_SECRET_KEYS_H_
