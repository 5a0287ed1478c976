// RejectionSampler: how a refused request is recorded without letting an
// attacker fill the disk. Every rejection is counted; the audit row and the
// log line are written for the first of each (source address, reason) in a
// minute, with a detail of at most ~200 bytes; the first one recorded in a
// minute says how many the minute before left out.
#ifndef SANDBOT_BOT_REJECTION_SAMPLER_H_
#define SANDBOT_BOT_REJECTION_SAMPLER_H_

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_set>

namespace sandbot {

class RejectionSampler {
 public:
  // Most distinct (source, reason) pairs remembered in a minute; past it,
  // rejections are only counted until the minute ends.
  static constexpr size_t kMaxKeys = 4096;
  static constexpr size_t kMaxDetail = 200;

  // Whether this rejection is recorded; *left_out: on the first record of a
  // minute, how many rejections the previous minute did not record (else 0).
  // Thread-safe.
  bool ShouldRecord(const std::string& source, const std::string& reason, int64_t now_ms,
                    int64_t* left_out);
  // Every rejection seen, recorded or not (a metric).
  uint64_t total();

  // `text` cut to kMaxDetail bytes on a UTF-8 boundary, "…" marking the cut.
  static std::string Clip(const std::string& text);

 private:
  std::mutex mu_;
  int64_t minute_ = -1;
  std::unordered_set<std::string> seen_;  // (source, reason kind) recorded this minute
  uint64_t total_ = 0;
  int64_t skipped_ = 0;  // not recorded this minute
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_REJECTION_SAMPLER_H_
