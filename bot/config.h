// Config: what `sandbot serve` and the other commands run with. Every field
// has an embedded default, so `sandbot serve` needs no file to start.
#ifndef SANDBOT_BOT_CONFIG_H_
#define SANDBOT_BOT_CONFIG_H_

#include <string>

#include "handlers/status.h"

namespace sandbot {

struct Config {
  std::string data_dir;                   // Default: $SANDBOT_DATA, else /var/lib/sandbot
  std::string listen = "127.0.0.1:8088";  // HTTP listener (chat endpoints, /healthz)
  std::string docker;                     // Default: $DOCKER_HOST, else unix:///var/run/docker.sock
  std::string ports = "9001-9999";        // host ports for services
  std::string public_host = "127.0.0.1";  // host name in service URLs
  int workers = 2;                        // jobs of different sandboxes in parallel
  int health_timeout_seconds = 60;
  std::string log_level = "info";
};

std::string DefaultDataDir();
std::string DefaultDockerEndpoint();

// Paths inside the data folder.
std::string DbPath(const std::string& data_dir);      // sandbot.db
std::string SocketPath(const std::string& data_dir);  // sandbot.sock
std::string SpoolDir(const std::string& data_dir);    // spool/
std::string LogDir(const std::string& data_dir);      // logs/

// "9001-9999" → 9001, 9999. InvalidArgument unless 1 <= lo <= hi <= 65535.
Status ParsePortRange(const std::string& text, int* lo, int* hi);
// "127.0.0.1:8088" → host, port.
Status ParseListen(const std::string& text, std::string* host, int* port);

}  // namespace sandbot

#endif  // SANDBOT_BOT_CONFIG_H_
