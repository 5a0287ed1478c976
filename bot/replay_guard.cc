#include "bot/replay_guard.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

namespace sandbot {

namespace {

constexpr size_t kMinSlots = 1024;

// The table is rebuilt when it is three quarters full.
bool Full(size_t count, size_t slots) { return 4 * (count + 1) > 3 * slots; }

}  // namespace

size_t ReplayGuard::FindLocked(uint64_t key) const {
  const size_t mask = keys_.size() - 1;
  size_t i = static_cast<size_t>(key) & mask;  // SHA-256 bits: already uniform
  while (keys_[i] != 0 && keys_[i] != key) i = (i + 1) & mask;
  return i;
}

bool ReplayGuard::FirstSeen(const std::string& signature, int64_t now_seconds) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(signature.data()), signature.size(), digest);
  uint64_t key;
  std::memcpy(&key, digest, sizeof key);
  if (key == 0) key = 1;  // 0 marks an empty slot
  const auto now = static_cast<uint32_t>(now_seconds);

  std::lock_guard<std::mutex> lock(mu_);
  if (keys_.empty() || Full(count_, keys_.size())) PruneLocked(now_seconds);
  const size_t i = FindLocked(key);
  if (keys_[i] == 0) {
    keys_[i] = key;
    seen_[i] = now;
    ++count_;
    return true;
  }
  // Seen before: a replay while inside the window.
  if (now_seconds - static_cast<int64_t>(seen_[i]) <= window_) return false;
  seen_[i] = now;
  return true;
}

size_t ReplayGuard::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

void ReplayGuard::PruneLocked(int64_t now_seconds) {
  std::vector<uint64_t> old_keys = std::move(keys_);
  std::vector<uint32_t> old_seen = std::move(seen_);
  size_t live = 0;
  for (size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] != 0 && now_seconds - static_cast<int64_t>(old_seen[i]) <= window_) ++live;
  }
  size_t slots = kMinSlots;
  while (slots < 2 * (live + 1)) slots *= 2;
  keys_.assign(slots, 0);
  seen_.assign(slots, 0);
  count_ = 0;
  for (size_t i = 0; i < old_keys.size(); ++i) {
    if (old_keys[i] == 0 || now_seconds - static_cast<int64_t>(old_seen[i]) > window_) continue;
    const size_t j = FindLocked(old_keys[i]);
    keys_[j] = old_keys[i];
    seen_[j] = old_seen[i];
    ++count_;
  }
}

}  // namespace sandbot
