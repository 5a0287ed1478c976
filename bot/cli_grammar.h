// The shared command grammar on the command line, built from the command
// table (handlers/command.h): `sandbot sandbox VERB …` for each sandbox verb
// the offline commands do not own, and `sandbot FAMILY …` for the other
// families. The daemon runs them exactly as chat does.
#ifndef SANDBOT_BOT_CLI_GRAMMAR_H_
#define SANDBOT_BOT_CLI_GRAMMAR_H_

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "bot/config.h"

namespace sandbot {

class GrammarCli {
 public:
  // `sandbox` is `sandbot sandbox`; its subcommands already added (the
  // offline ones) are left alone.
  void Add(CLI::App* app, CLI::App* sandbox);
  // Whether one of these subcommands was given (its words are extras).
  bool Chosen() const;
  // Runs the chosen one; the words come from app->remaining().
  int Run(const Config& config, CLI::App* app) const;

 private:
  struct Entry {
    CLI::App* sub;
    std::string family;
    std::string verb;  // "" when the first word is the verb
  };
  std::vector<Entry> entries_;
};

// Runs `family` with `words` in the daemon: the payload read as the table
// says (standard input, or the file the last word names); with `wait`,
// follows the queued jobs to their end.
int RunGrammar(const Config& config, const std::string& family, std::vector<std::string> words,
               bool wait);

}  // namespace sandbot

#endif  // SANDBOT_BOT_CLI_GRAMMAR_H_
