// `sandbot engine list`, `engine status NAME`: the daemon's engines as they
// answer now; `engine drain NAME` / `undrain NAME` and `sandbox move NAME
// --to ENGINE` (bot/engine_api.h).
#ifndef SANDBOT_BOT_CLI_ENGINE_H_
#define SANDBOT_BOT_CLI_ENGINE_H_

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "bot/config.h"

namespace sandbot {

// A table: NAME URL TLS STATE VERSION CONTAINERS SANDBOXES, one engine a line.
std::string FormatEngineList(const nlohmann::json& engines);
// One engine, a field a line, with why it is down; "" when `name` is not
// among `engines`.
std::string FormatEngineStatus(const nlohmann::json& engines, const std::string& name);

class EngineCli {
 public:
  // `sandbox`: the sandbox subcommand, for `sandbox move`.
  void Add(CLI::App* app, CLI::App* sandbox);
  // Runs the chosen subcommand; -1 when none of these was chosen.
  int Run(const Config& config) const;

 private:
  int Post(const Config& config, const std::string& path, const nlohmann::json& body) const;

  CLI::App *list_ = nullptr, *status_ = nullptr, *drain_ = nullptr, *undrain_ = nullptr,
           *move_ = nullptr;
  std::string name_, to_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_CLI_ENGINE_H_
