// The one command grammar shared by Slack, Mattermost, Teams and the CLI.
// Front doors only translate transport: they hand the command's family (the
// slash command without '/', or the first word) and the rest of the text to
// ParseCommand, and get back a Command or an answer for the user (help, or an
// error with usage and "did you mean").
//
//   sandbox create NAME [from TEMPLATE] [SERVICE@BRANCH ...] [--gateway SERVICE]
//                  [--memory MB] [--cpus N]
//   sandbox list | status [NAME] | destroy NAME | logs NAME SERVICE [LINES]
//   sandbox use NAME            make NAME this channel's default sandbox
//   deploy SERVICE BRANCH [to SANDBOX]
//   route SERVICE sandbox|baseline|URL [in SANDBOX]
//   route list [SANDBOX]
//   sandbox clone SRC DST | suspend NAME | resume NAME
//   sandbox snapshot NAME SNAP | restore NAME SNAP | lock NAME [REASON] | unlock NAME
//   baseline set SERVICE URL | unset SERVICE | list
//   template create|update NAME [SERVICE@BRANCH | SERVICE=baseline|URL ...] [--gateway SERVICE]
//   template show NAME | list | delete NAME | export NAME | import [JSON]
//   env create NAME | set NAME KEY=VALUE [--secret] [--env] | set-file NAME PATH [--secret]
//   env unset NAME KEY | show NAME | list | attach NAME SANDBOX [SERVICE]
//   env detach NAME SANDBOX [SERVICE] | delete NAME | rotate-key
//   FAMILY help; a family alone shows its help
//
// Parsing is pure: it does not know which sandboxes or services exist (the
// handlers check and suggest those).
#ifndef SANDBOT_HANDLERS_COMMAND_H_
#define SANDBOT_HANDLERS_COMMAND_H_

#include <string>
#include <utility>
#include <vector>

#include "handlers/did_you_mean.h"
#include "handlers/names.h"
#include "util/status.h"

namespace sandbot {

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
  std::string gateway;  // create, template: --gateway SERVICE
  int memory_mb = 0;    // create: --memory MB, each container's limit; 0: the default
  double cpus = 0;      // create: --cpus N; 0: the default
  std::string name;     // template, environment or snapshot NAME
  std::string target;   // clone: DST
  std::string url;      // baseline set
  std::string key;      // env set/unset: KEY; set-file: PATH in the container
  std::string value;    // env set: VALUE
  bool secret = false;  // env set/set-file --secret
  bool as_env = false;  // env set --secret --env: also a variable, not only a file
  std::string reason;   // lock: the rest of the words
  // Content that does not fit a chat line: the file the CLI read for
  // `env set-file` (stdin) and `template import FILE`; for `template import`
  // from chat, the JSON typed after the verb.
  std::string payload;
  int lines = 50;                 // logs
  Role required = Role::kViewer;  // the least role allowed to run it
};

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

// Usage of every verb of a family ("sandbox", "deploy", "route"), one line
// each with a short description; of all families when `family` is "".
std::string HelpText(const std::string& family);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_COMMAND_H_
