#include "store/secret_keys.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "store/environments.h"

namespace sandbot {

namespace {

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// A rename in the key's folder survives a crash once the folder is synced.
void SyncFolderOf(const std::string& path) {
  size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)fsync(fd);
  close(fd);
}

Status RenameOver(const std::string& from, const std::string& to) {
  if (rename(from.c_str(), to.c_str()) != 0) {
    return Status::Unavailable("cannot rename " + from + " to " + to + ": " + std::strerror(errno));
  }
  SyncFolderOf(to);
  return Status::Ok();
}

}  // namespace

SecretKeys::SecretKeys(const SecretBox& box, std::string key_path)
    : current_(std::make_shared<const SecretBox>(box)), key_path_(std::move(key_path)) {}

Status SecretKeys::Load(const std::string& data_dir, Db* db, std::unique_ptr<SecretKeys>* out,
                        bool* created, std::vector<std::string>* warnings) {
  const std::string path = KeyPath(data_dir);
  const std::string next = path + ".new";
  *created = false;
  SecretBox box;
  if (Exists(next)) {
    // A rotation stopped half-way: the store says which key it uses.
    SecretBox fresh;
    bool made = false;
    Status s = SecretBox::LoadOrCreateKey(next, &fresh, &made);
    if (!s.ok()) return s;
    bool any = false, fresh_opens = false;
    s = ProbeSealed(db, fresh, &any, &fresh_opens);
    if (!s.ok()) return s;
    if (fresh_opens) {
      s = RenameOver(next, path);
      if (!s.ok()) return s;
      box = fresh;
      warnings->push_back("finished an interrupted key rotation: " + path +
                          " now holds the new key; back it up again");
    } else {
      s = SecretBox::LoadOrCreateKey(path, &box, created);
      bool old_opens = false;
      if (s.ok()) s = ProbeSealed(db, box, &any, &old_opens);
      if (!s.ok()) return s;
      if (!old_opens) {
        return Status::Internal("neither " + path + " nor " + next +
                                " opens the stored secrets; restore secret.key from your "
                                "backup (the store was not changed)");
      }
      unlink(next.c_str());
      SyncFolderOf(next);
      warnings->push_back(
          "discarded an interrupted key rotation (the secrets were not "
          "re-encrypted); run `sandbot env rotate-key` again");
    }
  } else {
    Status s = SecretBox::LoadOrCreateKey(path, &box, created);
    if (!s.ok()) return s;
    bool any = false, opens = false;
    s = ProbeSealed(db, box, &any, &opens);
    if (!s.ok()) return s;
    if (!opens) {
      // Not fatal: sandboxes without secrets keep working.
      warnings->push_back(
          path +
          " does not open the secrets in the store (was it replaced or lost?); deploys "
          "that need them fail until the backed-up key file is restored");
    }
  }
  *out = std::make_unique<SecretKeys>(box, path);
  return Status::Ok();
}

std::shared_ptr<const SecretBox> SecretKeys::current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

Status SecretKeys::Seal(const std::string& plaintext, const std::string& aad,
                        std::string* sealed) const {
  return current()->Seal(plaintext, aad, sealed);
}

Status SecretKeys::Open(const std::string& sealed, const std::string& aad,
                        std::string* plaintext) const {
  std::shared_ptr<const SecretBox> now, before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    now = current_;
    before = previous_;
  }
  Status s = now->Open(sealed, aad, plaintext);
  if (!s.ok() && before) {
    Status again = before->Open(sealed, aad, plaintext);
    if (again.ok()) return again;
  }
  return s;
}

Status SecretKeys::Rotate(Db* db, int* resealed) {
  std::lock_guard<std::mutex> rotating(rotate_mu_);
  *resealed = 0;
  if (sqlite3_get_autocommit(db->handle()) == 0) {
    return Status::Internal("key rotation must commit its own transaction");
  }
  std::string raw;
  Status s = SecretBox::GenerateKey(&raw);
  if (!s.ok()) return s;
  auto fresh = std::make_shared<const SecretBox>(SecretBox::FromKey(raw));
  const std::string next = key_path_.empty() ? "" : key_path_ + ".new";
  // 1. The new key is on disk before any value depends on it.
  if (!next.empty()) {
    s = SecretBox::WriteKeyFile(next, raw);
    if (!s.ok()) return s;
  }
  std::fill(raw.begin(), raw.end(), '\0');
  {
    // 2–3. Re-encrypt and commit, and switch while still holding the store,
    // so no other thread seals a value with the old key after the commit.
    Transaction tx(db);
    s = tx.status();
    std::shared_ptr<const SecretBox> old = current();
    if (s.ok()) s = ResealAll(db, *old, *fresh, resealed);
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) {
      if (!next.empty()) unlink(next.c_str());
      return s;
    }
    std::lock_guard<std::mutex> lock(mu_);
    previous_ = old;
    current_ = fresh;
  }
  // 4. A crash before this line is finished by Load at the next start.
  if (!next.empty()) {
    s = RenameOver(next, key_path_);
    if (!s.ok()) {
      return Status::Unavailable("the secrets are re-encrypted but " + s.message() +
                                 "; the daemon finishes this at its next start");
    }
  }
  return Status::Ok();
}

}  // namespace sandbot
