#include "bot/failpoint.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace sandbot {

std::map<std::string, int> ParseFailpoints(const std::string& spec) {
  std::map<std::string, int> points;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item =
        spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = item.find('=');
    if (eq != std::string::npos && eq > 0 &&
        item.compare(eq + 1, std::string::npos, "crash") == 0) {
      points[item.substr(0, eq)] = kFailpointCrash;
    } else if (eq != std::string::npos && eq > 0) {
      char* end = nullptr;
      long ms = std::strtol(item.c_str() + eq + 1, &end, 10);
      const char* digits = item.c_str() + eq + 1;
      if (end && end != digits && *end == '\0' && ms >= 0 && ms <= 600000) {
        points[item.substr(0, eq)] = static_cast<int>(ms);
      }
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return points;
}

void Failpoint(const char* name) {
  static const std::map<std::string, int> points = [] {
    const char* spec = std::getenv("SANDBOT_FAILPOINTS");
    return spec ? ParseFailpoints(spec) : std::map<std::string, int>();
  }();
  if (points.empty()) return;
  auto it = points.find(name);
  if (it == points.end()) return;
  if (it->second == kFailpointCrash) {
    spdlog::critical("failpoint {}: crashing", name);
    spdlog::default_logger()->flush();
    std::abort();
  }
  spdlog::warn("failpoint {}: pausing {} ms", name, it->second);
  std::this_thread::sleep_for(std::chrono::milliseconds(it->second));
}

}  // namespace sandbot
