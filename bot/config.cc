#include "bot/config.h"

#include <cstdlib>

namespace sandbot {

std::string DefaultDataDir() {
  const char* env = std::getenv("SANDBOT_DATA");
  return env && *env ? env : "/var/lib/sandbot";
}

std::string DefaultDockerEndpoint() {
  const char* env = std::getenv("DOCKER_HOST");
  return env && *env ? env : "unix:///var/run/docker.sock";
}

std::string DbPath(const std::string& d) { return d + "/sandbot.db"; }
std::string SocketPath(const std::string& d) { return d + "/sandbot.sock"; }
std::string SpoolDir(const std::string& d) { return d + "/spool"; }
std::string LogDir(const std::string& d) { return d + "/logs"; }

namespace {

bool ParsePort(const std::string& s, int* port) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  *port = std::atoi(s.c_str());
  return *port >= 1 && *port <= 65535;
}

}  // namespace

Status ParsePortRange(const std::string& text, int* lo, int* hi) {
  size_t dash = text.find('-');
  if (dash == std::string::npos || !ParsePort(text.substr(0, dash), lo) ||
      !ParsePort(text.substr(dash + 1), hi) || *lo > *hi) {
    return Status::InvalidArgument("'" + text + "' is not a port range like 9001-9999");
  }
  return Status::Ok();
}

Status ParseListen(const std::string& text, std::string* host, int* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || !ParsePort(text.substr(colon + 1), port)) {
    return Status::InvalidArgument("'" + text + "' is not HOST:PORT like 127.0.0.1:8088");
  }
  *host = text.substr(0, colon);
  if (host->size() > 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return Status::Ok();
}

}  // namespace sandbot
