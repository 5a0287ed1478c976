#include "bot/forge_ratelimit.h"

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

}  // namespace

void NoteForgeRateLimitValue(const std::string& forge, const std::string& value) {
  if (forge.empty() || value.empty() || value.size() > 15) return;
  double n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return;
    n = n * 10 + (c - '0');
  }
  std::lock_guard<std::mutex> lock(Mu());
  auto& table = Table();
  if (table.size() >= kMaxForges && table.find(forge) == table.end()) return;
  table[forge] = n;
}

void NoteForgeRateLimit(const std::string& forge, const httplib::Headers& headers) {
  // httplib's header map compares names without case.
  for (const char* name : {"x-ratelimit-remaining", "ratelimit-remaining"}) {
    auto it = headers.find(name);
    if (it != headers.end()) {
      NoteForgeRateLimitValue(forge, it->second);
      return;
    }
  }
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
