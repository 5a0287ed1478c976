// README.md's grammar block (under "## Chat-ops") is the command table, one
// line per command: this fails, naming the line, when the two drift (Redis
// checks its command docs the same way). The test binary runs from the
// repository root (`make test`).
#define BOOST_TEST_DYN_LINK
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>
#include <vector>

#include "handlers/command.h"

using namespace sandbot;

namespace {

// The lines starting with '/' of the first ``` block after "## Chat-ops",
// with their line numbers in README.md.
std::vector<std::pair<int, std::string>> ReadmeGrammar(bool* found) {
  std::ifstream in("README.md");
  std::vector<std::pair<int, std::string>> lines;
  std::string line;
  int number = 0;
  bool section = false, block = false;
  *found = false;
  while (std::getline(in, line)) {
    ++number;
    if (!section) {
      section = line.rfind("## Chat-ops", 0) == 0;
      continue;
    }
    if (line.rfind("```", 0) == 0) {
      if (block) break;
      block = *found = true;
      continue;
    }
    if (block && !line.empty() && line[0] == '/') lines.emplace_back(number, line);
  }
  return lines;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(readme)

BOOST_AUTO_TEST_CASE(grammar_block_is_the_command_table) {
  bool found = false;
  const auto readme = ReadmeGrammar(&found);
  BOOST_REQUIRE_MESSAGE(found,
                        "README.md has no ``` block under '## Chat-ops' (run from the "
                        "repository root)");
  std::vector<std::string> table;
  for (const CommandSpec* spec : CommandsOf("")) {
    if (std::string(spec->verb) == "help") continue;
    table.push_back(UsageOf(*spec) + " — " + spec->description);
  }
  for (size_t i = 0; i < std::max(readme.size(), table.size()); ++i) {
    const std::string want = i < table.size() ? table[i] : "(nothing: the table ends here)";
    if (i >= readme.size()) {
      BOOST_ERROR("README.md's grammar block ends early: add after its last line: " + want);
      break;
    }
    if (readme[i].second != want) {
      BOOST_ERROR("README.md line " + std::to_string(readme[i].first) +
                  " drifted from the "
                  "command table (handlers/command.cc):\n  README: " +
                  readme[i].second + "\n  table:  " + want);
      break;
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
