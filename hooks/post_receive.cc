#include "hooks/post_receive.h"

#include <cstdlib>
#include <sstream>

namespace sandbot {

Status ParsePostReceive(const std::string& input, std::vector<RefUpdate>* updates) {
  std::istringstream in(input);
  std::string line;
  int number = 0;
  std::vector<RefUpdate> parsed;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    size_t a = line.find(' ');
    size_t b = a == std::string::npos ? a : line.find(' ', a + 1);
    RefUpdate u;
    if (b != std::string::npos) {
      u.old_sha = line.substr(0, a);
      u.new_sha = line.substr(a + 1, b - a - 1);
      u.ref = line.substr(b + 1);
    }
    if (!ValidateRefUpdate(u).ok()) {
      return Status::InvalidArgument("post-receive line " + std::to_string(number) +
                                     " is not '<old> <new> <ref>': " + line.substr(0, 200));
    }
    parsed.push_back(std::move(u));
  }
  *updates = std::move(parsed);
  return Status::Ok();
}

std::vector<std::string> ReadPushOptions(const char* (*getenv_fn)(const char*)) {
  std::vector<std::string> options;
  const char* count = getenv_fn("GIT_PUSH_OPTION_COUNT");
  if (!count) return options;
  int n = std::atoi(count);
  for (int i = 0; i < n && i < 100; ++i) {
    const char* v = getenv_fn(("GIT_PUSH_OPTION_" + std::to_string(i)).c_str());
    if (v) options.emplace_back(v);
  }
  return options;
}

}  // namespace sandbot
