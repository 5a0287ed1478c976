// The command grammar every door shares (handlers/command.h): ParseCommand,
// help and the redaction of audit text, on arbitrary text. Input: the family
// ("sandbox", "/env", …) on the first line, the command's text after it.
// Beyond not crashing: when `env set` parses, the text RedactCommandText
// keeps for the audit shows the verb and NAME as the parser read them and
// nothing after them but flags and masks, so no value reaches the audit
// however the words are separated.
// fuzz-link: handlers/*.cc hooks/*.cc store/*.cc templates/*.cc util/*.cc
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/require.h"
#include "handlers/command.h"

using sandbot_fuzz::Require;

namespace {

// Split as the parser splits (handlers/command.cc Tokenize), without its
// entity decoding: the raw words.
std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string family = input.substr(0, newline);
  const std::string text = newline == std::string::npos ? "" : input.substr(newline + 1);

  sandbot::Command command;
  const sandbot::Status status = sandbot::ParseCommand(family, text, &command);
  (void)sandbot::HelpText(family);
  const std::string redacted = sandbot::RedactCommandText(family, text);
  if (!status.ok()) {
    Require(!status.message().empty());
    return 0;
  }
  Require(command.verb == "help" || sandbot::FindCommand(command.family, command.verb) != nullptr);

  if (command.family == "env" && command.verb == "set") {
    const std::vector<std::string> typed = Words(text), kept = Words(redacted);
    Require(kept.size() >= 2 && kept[0] == typed[0] && kept[1] == typed[1]);
    for (size_t i = 2; i < kept.size(); ++i) {
      Require(kept[i] == "--secret" || kept[i] == "--env" || EndsWith(kept[i], "=••••") ||
              kept[i] == "••••");
    }
  }
  return 0;
}
