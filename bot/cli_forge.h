// `sandbot forge add|list|remove`: the forges pull requests come from. Like
// `repo add`, they work on the store with the daemon stopped or running; a
// forge holds where its token and webhook secret are read from (the
// daemon's environment or a file), never the values, which never appear on
// a command line.
#ifndef SANDBOT_BOT_CLI_FORGE_H_
#define SANDBOT_BOT_CLI_FORGE_H_

#include <CLI/CLI.hpp>
#include <string>

#include "bot/config.h"

namespace sandbot {

class ForgeCli {
 public:
  void Add(CLI::App* app);
  // Runs the chosen subcommand; -1 when none of these was chosen.
  int Run(const Config& config) const;

 private:
  CLI::App *add_ = nullptr, *list_ = nullptr, *remove_ = nullptr;
  std::string name_, kind_, api_url_, token_env_, token_file_, secret_env_, secret_file_;
  bool json_ = false;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_CLI_FORGE_H_
