#include "bot/replay_guard.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

namespace sandbot {

namespace {

constexpr int kBucketShift = 6;  // 64 seconds of timestamps a bucket
constexpr size_t kMinSlots = 256;

int64_t BucketOf(int64_t timestamp) { return timestamp >> kBucketShift; }

// The home slot of a 48-bit key in `slots` slots: keys are SHA-256 bits,
// uniform, so a multiply maps them onto any table size (no power of two).
size_t Home(uint64_t key, size_t slots) {
  return static_cast<size_t>((static_cast<unsigned __int128>(key << 16) * slots) >> 64);
}

}  // namespace

bool ReplayGuard::Bucket::Insert(uint64_t key) {
  // Kept nine tenths full: a lookup probes some 50 slots in a row at worst,
  // nothing beside a signed request.
  if (10 * (count + 1) > 9 * low.size()) Grow();
  size_t i = Home(key, low.size());
  for (uint64_t there; (there = At(i)) != 0;) {
    if (there == key) return false;
    if (++i == low.size()) i = 0;
  }
  Put(i, key);
  ++count;
  return true;
}

void ReplayGuard::Bucket::Grow() {
  // A quarter more each time: memory follows the count closely, not in the
  // doublings of a power-of-two table.
  Bucket old;
  old.low.swap(low);
  old.high.swap(high);
  const size_t slots = std::max(kMinSlots, old.low.size() + old.low.size() / 4);
  low.assign(slots, 0);
  high.assign(slots, 0);
  for (size_t j = 0; j < old.low.size(); ++j) {
    const uint64_t key = old.At(j);
    if (key == 0) continue;
    size_t i = Home(key, slots);
    while (At(i) != 0) {
      if (++i == slots) i = 0;
    }
    Put(i, key);
  }
}

bool ReplayGuard::FirstSeen(const std::string& signature, int64_t timestamp, int64_t now_seconds) {
  if (timestamp < not_before_) return false;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(signature.data()), signature.size(), digest);
  uint64_t key = 0;
  std::memcpy(&key, digest, 6);  // 48 bits
  if (key == 0) key = 1;         // 0 marks an empty slot

  std::lock_guard<std::mutex> lock(mu_);
  // Buckets whose every timestamp is out of the window can only hold
  // requests the signature check refuses now.
  const int64_t oldest = BucketOf(now_seconds - window_);
  while (!buckets_.empty() && buckets_.begin()->first < oldest) buckets_.erase(buckets_.begin());
  return buckets_[BucketOf(timestamp)].Insert(key);
}

size_t ReplayGuard::size() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [bucket, set] : buckets_) n += set.count;
  return n;
}

size_t ReplayGuard::bytes() {
  std::lock_guard<std::mutex> lock(mu_);
  size_t n = 0;
  for (const auto& [bucket, set] : buckets_) {
    n += set.low.size() * (sizeof(uint32_t) + sizeof(uint16_t));
  }
  return n;
}

}  // namespace sandbot
