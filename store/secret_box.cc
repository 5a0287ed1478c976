#include "store/secret_box.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>

namespace sandbot {

namespace {

constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr char kPrefix[] = "v1:";
constexpr size_t kPrefixSize = sizeof(kPrefix) - 1;
// OpenSSL takes int lengths; secrets are small, so refuse anything near that.
constexpr size_t kMaxPlaintext = 64u << 20;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

unsigned char* Bytes(std::string* s) { return reinterpret_cast<unsigned char*>(&(*s)[0]); }
const unsigned char* Bytes(const std::string& s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

void Wipe(std::string* s) {
  if (!s->empty()) OPENSSL_cleanse(&(*s)[0], s->size());
  s->clear();
}

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(const std::string& in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v =
        (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) | uint8_t(in[i + 2]);
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  size_t rest = in.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += rest == 2 ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Strict: padded, no whitespace, unused bits zero, so each payload has exactly
// one accepted spelling (EVP_DecodeBlock is laxer and keeps padding bytes).
bool Base64Decode(const char* in, size_t n, std::string* out) {
  out->clear();
  if (n % 4 != 0) return false;
  out->reserve(n / 4 * 3);
  for (size_t i = 0; i < n; i += 4) {
    bool last = i + 4 == n;
    int pad = 0;
    if (last && in[i + 3] == '=') pad = in[i + 2] == '=' ? 2 : 1;
    int v[4] = {0, 0, 0, 0};
    for (int k = 0; k < 4 - pad; ++k) {
      v[k] = B64Value(in[i + k]);
      if (v[k] < 0) return false;
    }
    uint32_t w = (uint32_t(v[0]) << 18) | (uint32_t(v[1]) << 12) | (uint32_t(v[2]) << 6) | v[3];
    out->push_back(char(w >> 16));
    if (pad == 2) {
      if (w & 0xFFFF) return false;
    } else {
      out->push_back(char((w >> 8) & 0xFF));
      if (pad == 1) {
        if (w & 0xFF) return false;
      } else {
        out->push_back(char(w & 0xFF));
      }
    }
  }
  return true;
}

std::string Errno(int err) { return std::strerror(err); }

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Makes a rename or link in the key's folder survive a crash; best effort,
// as some filesystems refuse fsync on folders.
void SyncDir(const std::string& path) {
  int fd = open(DirOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)fsync(fd);
  close(fd);
}

// Writes `data` to a new file next to `path` (O_EXCL, 0600, fsynced) and
// names it in `tmp`; the caller links or renames it into place, so nobody
// ever sees a half-written key.
Status WriteTempFile(const std::string& path, const std::string& data, std::string* tmp) {
  unsigned char rnd[8];
  if (RAND_bytes(rnd, sizeof rnd) != 1) {
    return Status::Internal("cannot get random bytes from OpenSSL");
  }
  char suffix[2 * sizeof rnd + 1];
  for (size_t i = 0; i < sizeof rnd; ++i) std::snprintf(suffix + 2 * i, 3, "%02x", rnd[i]);
  *tmp = path + ".tmp-" + suffix;
  int fd = open(tmp->c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Unavailable("cannot write key file " + path + ": " + Errno(errno));
  }
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      close(fd);
      unlink(tmp->c_str());
      return Status::Unavailable("cannot write key file " + path + ": " + Errno(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (fsync(fd) != 0) {
    int err = errno;
    close(fd);
    unlink(tmp->c_str());
    return Status::Unavailable("cannot write key file " + path + ": " + Errno(err));
  }
  if (close(fd) != 0) {
    int err = errno;
    unlink(tmp->c_str());
    return Status::Unavailable("cannot write key file " + path + ": " + Errno(err));
  }
  return Status::Ok();
}

// Reads a key from the open file `fd`, refusing files others may read and
// files of the wrong size.
Status ReadKeyFd(int fd, const std::string& path, unsigned char key[SecretBox::kKeySize]) {
  struct stat st;
  if (fstat(fd, &st) != 0) {
    return Status::Unavailable("cannot read key file " + path + ": " + Errno(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("key file " + path + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::InvalidArgument("key file " + path + " may be read by other users (mode " +
                                   mode + "); run: chmod 600 " + path);
  }
  if (st.st_size != static_cast<off_t>(SecretBox::kKeySize)) {
    return Status::InvalidArgument(
        "key file " + path + " has " + std::to_string(st.st_size) + " bytes instead of " +
        std::to_string(SecretBox::kKeySize) +
        ": it is damaged or not a sandbot key; restore it from a backup (secrets sealed with "
        "another key cannot be read)");
  }
  size_t got = 0;
  while (got < SecretBox::kKeySize) {
    ssize_t n = read(fd, key + got, SecretBox::kKeySize - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::Unavailable("cannot read key file " + path + ": " + Errno(errno));
    if (n == 0) {
      return Status::Unavailable("key file " + path + " was shortened while being read");
    }
    got += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Status LoadKeyFile(const std::string& path, SecretBox* box, bool* found) {
  *found = false;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return Status::Unavailable("cannot read key file " + path + ": " + Errno(errno));
  }
  *found = true;
  unsigned char key[SecretBox::kKeySize];
  Status s = ReadKeyFd(fd, path, key);
  close(fd);
  if (s.ok()) {
    std::string raw(reinterpret_cast<const char*>(key), sizeof key);
    *box = SecretBox::FromKey(raw);
    Wipe(&raw);
  }
  OPENSSL_cleanse(key, sizeof key);
  return s;
}

}  // namespace

SecretBox::~SecretBox() { OPENSSL_cleanse(key_, sizeof key_); }

SecretBox::SecretBox(const SecretBox& other) : has_key_(other.has_key_) {
  std::memcpy(key_, other.key_, sizeof key_);
}

SecretBox& SecretBox::operator=(const SecretBox& other) {
  if (this != &other) {
    std::memcpy(key_, other.key_, sizeof key_);
    has_key_ = other.has_key_;
  }
  return *this;
}

SecretBox SecretBox::FromKey(const std::string& raw32) {
  SecretBox box;
  if (raw32.size() == kKeySize) {
    std::memcpy(box.key_, raw32.data(), kKeySize);
    box.has_key_ = true;
  }
  return box;
}

Status SecretBox::GenerateKey(std::string* raw32) {
  raw32->assign(kKeySize, '\0');
  if (RAND_bytes(Bytes(raw32), static_cast<int>(kKeySize)) != 1) {
    Wipe(raw32);
    return Status::Internal("cannot get random bytes from OpenSSL for a new key");
  }
  return Status::Ok();
}

Status SecretBox::LoadOrCreateKey(const std::string& path, SecretBox* box, bool* created) {
  *created = false;
  bool found = false;
  Status s = LoadKeyFile(path, box, &found);
  if (!s.ok() || found) return s;

  std::string raw;
  s = GenerateKey(&raw);
  if (!s.ok()) return s;
  std::string tmp;
  s = WriteTempFile(path, raw, &tmp);
  if (!s.ok()) {
    Wipe(&raw);
    return s;
  }
  // link() fails if `path` appeared meanwhile, so of processes starting
  // together exactly one installs its key and the others load that one.
  int rc = link(tmp.c_str(), path.c_str());
  int err = errno;
  unlink(tmp.c_str());
  if (rc == 0) {
    SyncDir(path);
    *box = FromKey(raw);
    *created = true;
    Wipe(&raw);
    return Status::Ok();
  }
  Wipe(&raw);
  if (err != EEXIST) {
    return Status::Unavailable("cannot create key file " + path + ": " + Errno(err));
  }
  s = LoadKeyFile(path, box, &found);
  if (s.ok() && !found) {
    return Status::Unavailable("key file " + path + " was removed while being created");
  }
  return s;
}

Status SecretBox::WriteKeyFile(const std::string& path, const std::string& raw32) {
  if (raw32.size() != kKeySize) {
    return Status::InvalidArgument("a key must be " + std::to_string(kKeySize) + " bytes, not " +
                                   std::to_string(raw32.size()));
  }
  std::string tmp;
  Status s = WriteTempFile(path, raw32, &tmp);
  if (!s.ok()) return s;
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    return Status::Unavailable("cannot replace key file " + path + ": " + Errno(err));
  }
  SyncDir(path);
  return Status::Ok();
}

Status SecretBox::Seal(const std::string& plaintext, const std::string& aad,
                       std::string* sealed) const {
  if (!has_key_) return Status::InvalidArgument("no encryption key is loaded");
  if (plaintext.size() > kMaxPlaintext || aad.size() > kMaxPlaintext) {
    return Status::InvalidArgument("secret is too large to encrypt (" +
                                   std::to_string(plaintext.size()) + " bytes)");
  }
  const size_t n = plaintext.size();
  std::string payload(kNonceSize + n + kTagSize, '\0');
  unsigned char* nonce = Bytes(&payload);
  unsigned char* ct = nonce + kNonceSize;
  unsigned char* tag = ct + n;
  if (RAND_bytes(nonce, static_cast<int>(kNonceSize)) != 1) {
    return Status::Internal("cannot get random bytes from OpenSSL for a nonce");
  }
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx != nullptr &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key_, nonce) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1;
  }
  if (ok && n > 0) {
    ok = EVP_EncryptUpdate(ctx.get(), ct, &len, Bytes(plaintext), static_cast<int>(n)) == 1 &&
         static_cast<size_t>(len) == n;
  }
  // GCM is a stream mode: Final writes nothing, but the buffer must be valid.
  unsigned char none[16];
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), none, &len) == 1 && len == 0 &&
       EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, tag) == 1;
  if (!ok) return Status::Internal("AES-256-GCM encryption failed in OpenSSL");
  *sealed = kPrefix + Base64Encode(payload);
  return Status::Ok();
}

Status SecretBox::Open(const std::string& sealed, const std::string& aad,
                       std::string* plaintext) const {
  if (!has_key_) return Status::InvalidArgument("no encryption key is loaded");
  if (sealed.compare(0, kPrefixSize, kPrefix) != 0) {
    return Status::InvalidArgument("sealed secret has an unknown format (expected \"v1:...\")");
  }
  if (aad.size() > kMaxPlaintext) return Status::InvalidArgument("aad is too large");
  std::string payload;
  if (!Base64Decode(sealed.data() + kPrefixSize, sealed.size() - kPrefixSize, &payload)) {
    return Status::InvalidArgument("sealed secret is damaged (not valid base64)");
  }
  if (payload.size() < kNonceSize + kTagSize) {
    return Status::InvalidArgument("sealed secret is damaged (too short)");
  }
  const size_t n = payload.size() - kNonceSize - kTagSize;
  if (n > kMaxPlaintext) return Status::InvalidArgument("sealed secret is too large");
  unsigned char* nonce = Bytes(&payload);
  unsigned char* ct = nonce + kNonceSize;
  unsigned char* tag = ct + n;

  std::string out(n, '\0');
  CtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  bool ok = ctx != nullptr &&
            EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key_, nonce) == 1;
  if (ok && !aad.empty()) {
    ok = EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) == 1;
  }
  if (ok && n > 0) {
    ok = EVP_DecryptUpdate(ctx.get(), Bytes(&out), &len, ct, static_cast<int>(n)) == 1 &&
         static_cast<size_t>(len) == n;
  }
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag) == 1;
  if (!ok) {
    Wipe(&out);
    return Status::Internal("AES-256-GCM decryption failed in OpenSSL");
  }
  unsigned char none[16];
  if (EVP_DecryptFinal_ex(ctx.get(), none, &len) != 1) {
    // GCM hands out plaintext before the tag is checked: drop it unread.
    Wipe(&out);
    return Status::InvalidArgument(
        "cannot decrypt secret: it was sealed with another key, for another name, or changed");
  }
  plaintext->swap(out);
  Wipe(&out);  // the caller's previous contents
  return Status::Ok();
}

Status SecretBox::Mac(const std::string& purpose, const std::string& data, std::string* mac) const {
  if (!has_key_) return Status::Unavailable("no secrets key loaded");
  unsigned char derived[EVP_MAX_MD_SIZE];
  unsigned int derived_len = 0;
  const std::string label = "sandbot mac " + purpose;
  if (HMAC(EVP_sha256(), key_, kKeySize, reinterpret_cast<const unsigned char*>(label.data()),
           label.size(), derived, &derived_len) == nullptr) {
    return Status::Internal("HMAC-SHA256 failed");
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  const unsigned char* ok =
      HMAC(EVP_sha256(), derived, static_cast<int>(derived_len),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &out_len);
  OPENSSL_cleanse(derived, sizeof(derived));
  if (ok == nullptr) return Status::Internal("HMAC-SHA256 failed");
  mac->assign(reinterpret_cast<const char*>(out), out_len);
  return Status::Ok();
}

}  // namespace sandbot
