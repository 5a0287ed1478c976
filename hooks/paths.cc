#include "hooks/paths.h"

#include <cstdlib>

namespace sandbot {

std::string DefaultDataDir() {
  const char* env = std::getenv("SANDBOT_DATA");
  return env && *env ? env : "/var/lib/sandbot";
}

std::string SocketPath(const std::string& d) { return d + "/sandbot.sock"; }
std::string SpoolDir(const std::string& d) { return d + "/spool"; }

}  // namespace sandbot
