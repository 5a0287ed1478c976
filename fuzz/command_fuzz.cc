// The command grammar every door shares (handlers/command.h): ParseCommand,
// help and the redaction of audit text, on arbitrary text. Input: the family
// ("sandbox", "/env", …) on the first line, the command's text after it.
// Beyond not crashing: in the env family, the text RedactCommandText keeps
// for the audit is the text itself only for a verb that redacts nothing;
// otherwise it is the verb (or a mask) and a mask, whatever the words and
// however they are separated, so no value reaches the audit; and an `env
// set` that parses is always recorded as "set ••••".
// fuzz-link: handlers/*.cc compose/*.cc hooks/*.cc store/*.cc templates/*.cc util/*.cc
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/require.h"
#include "handlers/command.h"

using sandbot_fuzz::Require;

namespace {

// What a redacted `env` command may be recorded as.
bool IsMasked(const std::string& redacted) {
  for (const char* shape : {"", "••••", "•••• ••••"}) {
    if (redacted == shape) return true;
  }
  // A verb, alone or with one mask.
  const size_t space = redacted.find(' ');
  const std::string verb = redacted.substr(0, space);
  if (verb.empty() || verb.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
    return false;
  }
  return space == std::string::npos || redacted.substr(space) == " ••••";
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
  std::string lower = family;
  for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  if (lower.find("env") != std::string::npos && redacted != text) Require(IsMasked(redacted));
  if (!status.ok()) {
    Require(!status.message().empty());
    return 0;
  }
  Require(command.verb == "help" || sandbot::FindCommand(command.family, command.verb) != nullptr);

  if (command.family == "env" && command.verb == "set") Require(redacted == "set ••••");
  return 0;
}
