#include "bot/rejection_sampler.h"

#include <algorithm>

namespace sandbot {

bool RejectionSampler::ShouldRecord(const std::string& source, const std::string& reason,
                                    int64_t now_ms, int64_t* left_out) {
  *left_out = 0;
  // The kind of a reason is what comes before its first ':' ("no valid
  // signature or token: …"): the tail may carry attacker-chosen text that
  // would make every key new.
  std::string key = source;
  key.push_back('\n');
  key.append(reason, 0, std::min<size_t>({reason.find(':'), reason.size(), 48}));
  std::lock_guard<std::mutex> lock(mu_);
  ++total_;
  const int64_t minute = now_ms / 60000;
  if (minute != minute_) {
    // The first record of a minute tells how many the last one left out.
    minute_ = minute;
    seen_.clear();
    *left_out = skipped_;
    skipped_ = 0;
  }
  if (seen_.size() >= kMaxKeys || !seen_.insert(std::move(key)).second) {
    ++skipped_;
    return false;
  }
  return true;
}

uint64_t RejectionSampler::total() {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

std::string RejectionSampler::Clip(const std::string& text) {
  if (text.size() <= kMaxDetail) return text;
  size_t cut = kMaxDetail;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return text.substr(0, cut) + "\xE2\x80\xA6";
}

}  // namespace sandbot
