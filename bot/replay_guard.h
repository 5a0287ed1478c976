// ReplayGuard: refuses a signed chat request seen before, for as long as its
// signature could still pass the timestamp check.
#ifndef SANDBOT_BOT_REPLAY_GUARD_H_
#define SANDBOT_BOT_REPLAY_GUARD_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace sandbot {

// Remembers signatures seen within the replay window, so a captured request
// replayed inside the window is refused. Thread-safe.
//
// It holds every signature of the last window (ten minutes of traffic), so
// its size follows the request rate: 64 bits of each signature's SHA-256 and
// a 32-bit time in a flat open-addressing table, 12 bytes a slot, instead of
// some 60 bytes a node in a hash map. At a million live signatures the
// chance that a new one collides with one of them is about 1 in 10^13.
class ReplayGuard {
 public:
  explicit ReplayGuard(int64_t window_seconds = 300) : window_(window_seconds) {}
  // False when `signature` was already seen within the window (counted from
  // the first time it was seen: replays do not stretch it).
  bool FirstSeen(const std::string& signature, int64_t now_seconds);
  // How many signatures are remembered (tests, diagnostics).
  size_t size();

 private:
  // The slot holding `key`, or the empty slot where it would go.
  size_t FindLocked(uint64_t key) const;
  // Rebuilds the table without the entries older than the window, at a
  // capacity of at least twice what survives.
  void PruneLocked(int64_t now_seconds);

  int64_t window_;
  std::mutex mu_;
  std::vector<uint64_t> keys_;  // 0: empty slot
  std::vector<uint32_t> seen_;  // first seen, seconds since the epoch
  size_t count_ = 0;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_REPLAY_GUARD_H_
