// `sandbot compose config [FILE|REPO@BRANCH] [--json]`: a Compose file as
// sandbot understands it (interpolated, normalised, checked), from disk or
// straight from a pushed commit, so a user can check it before pushing.
#ifndef SANDBOT_BOT_CLI_COMPOSE_H_
#define SANDBOT_BOT_CLI_COMPOSE_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "bot/config.h"

namespace sandbot {

class ComposeCli {
 public:
  void Add(CLI::App* app);
  // Runs the chosen subcommand; -1 when none of these was chosen.
  int Run(const Config& config) const;

 private:
  CLI::App* config_ = nullptr;
  std::string target_, compose_file_;
  bool json_ = false;
  bool quiet_ = false;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_CLI_COMPOSE_H_
