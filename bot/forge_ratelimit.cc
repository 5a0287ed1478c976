#include "bot/forge_ratelimit.h"

#include <algorithm>
#include <initializer_list>
#include <mutex>

namespace sandbot {

namespace {

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}

std::map<std::string, double>& Table() {
  static auto* table = new std::map<std::string, double>();  // never destroyed: used at exit
  return *table;
}

// A count or a time: 1 to 15 digits, nothing else; -1 otherwise.
int64_t Digits(const std::string& value) {
  if (value.empty() || value.size() > 15) return -1;
  int64_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

// The first of `names` that `headers` has, as Digits (-1: none, or not digits).
int64_t Header(const httplib::Headers& headers, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    auto it = headers.find(name);  // httplib's header map compares names without case
    if (it != headers.end()) return Digits(it->second);
  }
  return -1;
}

}  // namespace

int64_t RateLimitReading::WaitMillis(int64_t now_seconds) const {
  if (!exhausted() || reset_at <= 0) return 0;
  return std::clamp<int64_t>(reset_at - now_seconds, 0, 3600) * 1000;
}

RateLimitReading ReadRateLimit(const httplib::Headers& headers) {
  RateLimitReading r;
  const int64_t remaining = Header(headers, {"x-ratelimit-remaining", "ratelimit-remaining"});
  if (remaining >= 0) {
    r.has_remaining = true;
    r.remaining = remaining;
  }
  r.reset_at = std::max<int64_t>(0, Header(headers, {"x-ratelimit-reset", "ratelimit-reset"}));
  return r;
}

namespace {

void Note(const std::string& forge, int64_t n) {
  std::lock_guard<std::mutex> lock(Mu());
  auto& table = Table();
  if (table.size() >= kMaxForges && table.find(forge) == table.end()) return;
  table[forge] = static_cast<double>(n);
}

}  // namespace

void NoteForgeRateLimitValue(const std::string& forge, const std::string& value) {
  const int64_t n = Digits(value);
  if (!forge.empty() && n >= 0) Note(forge, n);
}

void NoteForgeRateLimit(const std::string& forge, const httplib::Headers& headers) {
  const RateLimitReading r = ReadRateLimit(headers);
  if (!forge.empty() && r.has_remaining) Note(forge, r.remaining);
}

std::map<std::string, double> ForgeRateLimits() {
  std::lock_guard<std::mutex> lock(Mu());
  return Table();
}

void ClearForgeRateLimits() {
  std::lock_guard<std::mutex> lock(Mu());
  Table().clear();
}

}  // namespace sandbot
