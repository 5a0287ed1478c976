// `sandbot router`: runs the sandbox router (bot/router_proxy.h) in the
// foreground, as the router container's entry point.
#ifndef SANDBOT_BOT_CLI_ROUTER_H_
#define SANDBOT_BOT_CLI_ROUTER_H_

#include <CLI/CLI.hpp>

#include "bot/router_proxy.h"

namespace sandbot {

class RouterCli {
 public:
  void Add(CLI::App* app);
  // Runs the router when chosen; -1 when not.
  int Run() const;

 private:
  CLI::App* router_ = nullptr;
  RouterOptions options_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_CLI_ROUTER_H_
