// The one command grammar shared by Slack, Mattermost, Teams and the CLI.
// Front doors only translate transport: they hand the command's family (the
// slash command without '/', or the first word) and the rest of the text to
// ParseCommand, and get back a Command or an answer for the user (help, or an
// error with usage and "did you mean").
//
// One table, kCommands in handlers/command.cc, holds every command: its
// words, usage and help line, the least role, the argument parser, the
// handler that runs it, whether it writes (and is audited), where the CLI
// reads its payload, and what is redacted from logs. HandleCommand
// (handlers/dispatch.h), the CLI (bot/cli_grammar.cc), help and the README's
// grammar block (tests/unit/readme_test.cc) all read that table.
//
// Parsing is pure: it does not know which sandboxes or services exist (the
// handlers check and suggest those).
#ifndef SANDBOT_HANDLERS_COMMAND_H_
#define SANDBOT_HANDLERS_COMMAND_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "handlers/did_you_mean.h"
#include "handlers/names.h"
#include "util/status.h"

namespace sandbot {

struct HandlerContext;  // handlers/dispatch.h
struct Request;
struct Reply;

enum class Role { kViewer = 0, kDeployer = 1, kAdmin = 2 };
const char* RoleName(Role role);  // "viewer", "deployer", "admin"

struct Command {
  std::string family;         // sandbox, deploy, route, baseline, template, env
  std::string verb;           // create list status … | deploy | set list help …
  std::string sandbox;        // named explicitly (NAME, to SANDBOX, in SANDBOX); "" = default
  std::string service;        // deploy, route set, logs
  std::string branch;         // deploy
  std::string route;          // route set: "sandbox", "baseline" or an http(s) URL
  std::string template_name;  // sandbox create … from TEMPLATE
  std::vector<std::pair<std::string, std::string>> services;  // create, template: SERVICE@BRANCH
  // template create/update: SERVICE=baseline or SERVICE=URL (canonical form)
  std::vector<std::pair<std::string, std::string>> service_routes;
  std::string gateway;        // create, template: --gateway SERVICE
  int memory_mb = 0;          // create: --memory MB, each container's limit; 0: the default
  double cpus = 0;            // create: --cpus N; 0: the default
  std::string engine;         // create: --engine NAME (or engine=NAME); "": placed by room
  std::string name;           // template, environment or snapshot NAME
  std::string target;         // clone: DST
  std::string url;            // baseline set
  std::string key;            // env set/unset: KEY; set-file: PATH in the container
  std::string value;          // env set: VALUE
  bool secret = false;        // env set/set-file --secret
  bool as_env = false;        // env set --secret --env: also a variable, not only a file
  std::string reason;         // lock: the rest of the words
  std::string volume;         // seed create --from: VOLUME of SERVICE:VOLUME
  std::string file;           // seed create --from-file: an absolute path
  std::string image;          // seed create --image: the helper image for its copies
  int64_t refresh_every = 0;  // seed create --refresh-every DURATION, in seconds; 0: never
  bool with_data = false;     // sandbox snapshot --with-data: a copy of each volume too
  // Content that does not fit a chat line: the file the CLI read for
  // `env set-file` (stdin) and `template import FILE`; for `template import`
  // from chat, the JSON typed after the verb.
  std::string payload;
  int lines = 50;                 // logs
  Role required = Role::kViewer;  // the least role allowed to run it
};

// Parses the words after the verb into *command; an InvalidArgument message
// says what is wrong (ParseCommand appends the usage line).
using ArgParser = Status (*)(const std::vector<std::string>& args, Command* command);
// Runs a parsed command (role already checked; HandleCommand writes the
// audit row and commits).
using CommandHandler = Status (*)(const HandlerContext& ctx, const Request& req, Reply* reply);

// What running a command does to the store.
enum class Effect {
  kRead,                 // answers from one read snapshot; not audited one by one
  kReadEngine,           // a read that waits on the engine (logs): holds no snapshot
  kWrite,                // its changes and its audit row commit in one transaction
  kWriteOwnTransaction,  // commits its own (env rotate-key: the key file is
                         // renamed only after the re-encrypted values commit)
};
// Where the CLI finds what does not fit a command line (Command::payload).
enum class Payload {
  kNone,
  kStdin,         // env set-file: the file's content on standard input
  kFileArgument,  // template import FILE: the words' last one names a file
};
// What an audit row or log line must not show of the command's text.
enum class Redact {
  kNone,
  kValues,  // env set: every word after NAME becomes KEY=•••• (a secret)
};

struct CommandSpec {
  const char* family;
  const char* verb;  // Command::verb
  bool typed;        // the user types the verb; false when the family word is the verb
  const char* args;  // usage after "/family [verb]"
  const char* description;
  Role required;
  ArgParser parse;
  CommandHandler handler;
  Effect effect;
  Payload payload = Payload::kNone;
  Redact redact = Redact::kNone;
};

// The row of `family` and `verb` (as in Command), or null. Family "" with
// verb "help" is help about every family.
const CommandSpec* FindCommand(const std::string& family, const std::string& verb);
// The rows of `family` in table order; every row when `family` is "".
std::vector<const CommandSpec*> CommandsOf(const std::string& family);
// The families in table order.
std::vector<std::string> CommandFamilies();
// "/sandbox create NAME [from TEMPLATE] ...": the row's usage line.
std::string UsageOf(const CommandSpec& spec);
// Whether a command writes (and so has an audit row even when it succeeds).
inline bool Writes(const CommandSpec& spec) {
  return spec.effect == Effect::kWrite || spec.effect == Effect::kWriteOwnTransaction;
}

// Parses `text` (everything after the command word) for `family`
// ("sandbox", "/sandbox", "deploy", …). Returns:
//   Ok                 → *command is filled; command->verb == "help" when help
//                        was asked for (or the family came alone): show
//                        HelpText(family)
//   InvalidArgument    → message is the answer for the user: what is wrong,
//                        the usage line, and "did you mean …?" when a word is
//                        close to a known one
//   NotFound           → unknown family, with suggestions
// Extra whitespace is ignored; &amp; &lt; &gt; in a word are decoded; words
// are case-sensitive except the family and verb. A chat door undoes its
// transport's escaping first (bot/slack_text.h).
Status ParseCommand(const std::string& family, const std::string& text, Command* command);

// The text of a command as it may appear in an audit row or a log line,
// when it may not have parsed: in a family with a redacted argument, unless
// the verb is one that redacts nothing, what follows NAME becomes
// "KEY=••••" (it may be a secret). Other families are returned unchanged.
std::string RedactCommandText(const std::string& family, const std::string& text);

// Usage of every verb of a family ("sandbox", "deploy", "route"), one line
// each with a short description; of all families when `family` is "".
std::string HelpText(const std::string& family);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_COMMAND_H_
