// ReplayGuard: refuses a signed chat request seen before, for as long as its
// signature could still pass the timestamp check.
#ifndef SANDBOT_BOT_REPLAY_GUARD_H_
#define SANDBOT_BOT_REPLAY_GUARD_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sandbot {

// Remembers the signatures of requests whose timestamps are still inside the
// window, so a captured request replayed inside it is refused. Thread-safe.
//
// A replay carries the timestamp it was signed with, and once that timestamp
// is out of the window the signature check refuses the request anyway. So
// signatures are kept in buckets by request timestamp (64 s each), and a
// bucket goes as a whole once all its timestamps are out of the window; no
// time is stored per signature. Each bucket is a flat open-addressing set of
// 48 bits of the signature's SHA-256, 6 bytes a slot, kept 72 to 90 % full:
// about 7.5 bytes a request of the last window (3 MB after 10 s at 40k
// requests/s). A new signature is taken for a replay only if its 48 bits
// match one of the n in its bucket, a chance of n in 2.8 x 10^14: one
// request in 700 million at 400,000 a bucket, in 3 x 10^12 at a hundred.
class ReplayGuard {
 public:
  // `not_before`: the daemon's start (seconds). What was seen before it is
  // not remembered, so a request stamped earlier is refused rather than
  // accepted a second time after a restart.
  explicit ReplayGuard(int64_t window_seconds = 300, int64_t not_before = 0)
      : window_(window_seconds), not_before_(not_before) {}
  // False when `signature`, made for a request stamped `timestamp`, was seen
  // before, or the timestamp is from before `not_before`. REQUIRES: the timestamp is within the
  // window of `now_seconds` (the signature check refuses the request otherwise).
  bool FirstSeen(const std::string& signature, int64_t timestamp, int64_t now_seconds);
  // How many signatures are remembered (tests, diagnostics).
  size_t size();
  // Bytes of the sets' slots (tests, diagnostics).
  size_t bytes();

 private:
  // Signatures of the requests stamped within one 64-second span.
  struct Bucket {
    // A slot's 48-bit key is split over the two arrays; 0 is an empty slot.
    std::vector<uint32_t> low;
    std::vector<uint16_t> high;
    size_t count = 0;
    // Inserts `key`; false when it was there already.
    bool Insert(uint64_t key);
    void Grow();
    uint64_t At(size_t i) const { return (uint64_t{high[i]} << 32) | low[i]; }
    void Put(size_t i, uint64_t key) {
      low[i] = static_cast<uint32_t>(key);
      high[i] = static_cast<uint16_t>(key >> 32);
    }
  };

  int64_t window_;
  int64_t not_before_;
  std::mutex mu_;
  std::map<int64_t, Bucket> buckets_;  // by timestamp / 64
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_REPLAY_GUARD_H_
