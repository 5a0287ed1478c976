// The command table (kCommands) and the grammar it drives: parsing, help,
// "did you mean", roles, and which handler runs each command. The argument
// parsers live in handlers/command_args.cc, the word rules in
// handlers/names.cc.
#include "handlers/command.h"

#include <algorithm>
#include <cstddef>

#include "handlers/baseline_commands.h"
#include "handlers/command_args.h"
#include "handlers/deploy_commands.h"
#include "handlers/did_you_mean.h"
#include "handlers/dispatch.h"
#include "handlers/env_commands.h"
#include "handlers/lifecycle.h"
#include "handlers/names.h"
#include "handlers/route_commands.h"
#include "handlers/sandbox_commands.h"
#include "handlers/seed_commands.h"
#include "handlers/template_commands.h"
#include "handlers/web_commands.h"

namespace sandbot {

namespace {

constexpr char kMask[] = "••••";

// The table. Rows of a family appear in help in this order; the first rows
// win ties in "did you mean". The README's grammar block is checked against
// it (tests/unit/readme_test.cc).
const CommandSpec kCommands[] = {
    {"sandbox", "create", true,
     "NAME [from TEMPLATE] [SERVICE@BRANCH ...] [--gateway SERVICE] [--memory MB] [--cpus N] "
     "[--engine NAME]",
     "create a sandbox (SERVICE: a repo, or a compose service of a repo named here); the "
     "gateway's URL is its main URL",
     Role::kDeployer, ParseCreate, HandleSandboxCreate, Effect::kWrite},
    {"sandbox", "list", true, "", "list sandboxes", Role::kViewer, ParseNone, HandleSandboxList,
     Effect::kRead},
    {"sandbox", "status", true, "[NAME]", "show a sandbox's services, branches and URLs",
     Role::kViewer, ParseOptionalSandbox, HandleSandboxStatus, Effect::kRead},
    {"sandbox", "destroy", true, "NAME", "destroy a sandbox and its containers", Role::kDeployer,
     ParseSandbox, HandleSandboxDestroy, Effect::kWrite},
    {"sandbox", "logs", true, "NAME SERVICE [LINES]",
     "show the last LINES (default 50, at most 1000) log lines of a service", Role::kViewer,
     ParseLogs, HandleSandboxLogs, Effect::kReadEngine},
    {"sandbox", "use", true, "NAME", "make NAME this channel's default sandbox", Role::kDeployer,
     ParseSandbox, HandleSandboxUse, Effect::kWrite},
    {"sandbox", "rename", true, "OLD NEW",
     "give a sandbox a new name: containers, network and folders; ports and URLs kept",
     Role::kDeployer, ParseTwoSandboxes, HandleSandboxRename, Effect::kWrite},
    {"sandbox", "clone", true, "SRC DST",
     "a copy of SRC: same services, commits, environments and routes, new ports", Role::kDeployer,
     ParseTwoSandboxes, HandleSandboxClone, Effect::kWrite},
    {"sandbox", "suspend", true, "NAME", "stop its containers, keep its configuration and ports",
     Role::kDeployer, ParseSandbox, HandleSandboxSuspend, Effect::kWrite},
    {"sandbox", "resume", true, "NAME", "start a suspended sandbox again", Role::kDeployer,
     ParseSandbox, HandleSandboxResume, Effect::kWrite},
    {"sandbox", "snapshot", true, "NAME SNAP [--with-data]",
     "record its commits, environments and routes (and a copy of each volume's content)",
     Role::kDeployer, ParseSandboxSnapshot, HandleSandboxSnapshot, Effect::kWrite},
    {"sandbox", "restore", true, "NAME SNAP", "recreate exactly what snapshot SNAP recorded",
     Role::kDeployer, ParseSandboxAndSnapshot, HandleSandboxRestore, Effect::kWrite},
    {"sandbox", "lock", true, "NAME [REASON]",
     "freeze it while you test: deploys wait in the queue until unlock", Role::kDeployer, ParseLock,
     HandleSandboxLock, Effect::kWrite},
    {"sandbox", "unlock", true, "NAME", "unlock (holder or admin) and apply what waited",
     Role::kDeployer, ParseSandbox, HandleSandboxUnlock, Effect::kWrite},
    {"sandbox", "web", true, "", "a one-time link (10 minutes) that signs you in to the dashboard",
     Role::kViewer, ParseNone, HandleSandboxWeb, Effect::kWrite},
    {"sandbox", "web-sessions", true, "", "live dashboard sessions: yours (an admin's: everyone's)",
     Role::kViewer, ParseNone, HandleWebSessions, Effect::kRead},
    {"sandbox", "web-revoke", true, "ID", "sign a dashboard session out (yours; an admin: any)",
     Role::kViewer, ParseWebSessionId, HandleWebRevoke, Effect::kWrite},
    {"sandbox", "help", true, "", "show these commands", Role::kViewer, ParseHelp, HandleHelp,
     Effect::kRead},
    {"deploy", "deploy", false, "SERVICE BRANCH [to SANDBOX]", "deploy BRANCH of SERVICE",
     Role::kDeployer, ParseDeploy, HandleDeploy, Effect::kWrite},
    {"deploy", "help", true, "", "show these commands", Role::kViewer, ParseHelp, HandleHelp,
     Effect::kRead},
    {"route", "set", false, "SERVICE sandbox|baseline|URL [in SANDBOX]",
     "send SERVICE's traffic to the sandbox's container, the baseline or a URL", Role::kDeployer,
     ParseRouteSet, HandleRouteSet, Effect::kWrite},
    {"route", "list", true, "[SANDBOX]", "show where each service of a sandbox is routed",
     Role::kViewer, ParseOptionalSandbox, HandleRouteList, Effect::kRead},
    {"route", "help", true, "", "show these commands", Role::kViewer, ParseHelp, HandleHelp,
     Effect::kRead},
    {"baseline", "set", true, "SERVICE URL",
     "the shared environment's URL of SERVICE (e.g. https://payment-dev.example.com)", Role::kAdmin,
     ParseBaselineSet, HandleBaselineSet, Effect::kWrite},
    {"baseline", "unset", true, "SERVICE", "forget SERVICE's baseline URL", Role::kAdmin,
     ParseService, HandleBaselineUnset, Effect::kWrite},
    {"baseline", "list", true, "", "every known service and its baseline URL", Role::kViewer,
     ParseNone, HandleBaselineList, Effect::kRead},
    {"baseline", "help", true, "", "show these commands", Role::kViewer, ParseHelp, HandleHelp,
     Effect::kRead},
    {"template", "create", true,
     "NAME [SERVICE@BRANCH | SERVICE=baseline|URL ...] [--gateway SERVICE] [--engine NAME]",
     "a sandbox recipe, e.g. QA-DEFAULT web@develop --gateway web", Role::kAdmin, ParseTemplateSpec,
     HandleTemplateCreate, Effect::kWrite},
    {"template", "update", true,
     "NAME [SERVICE@BRANCH | SERVICE=baseline|URL ...] [--gateway SERVICE] [--engine NAME]",
     "change the entries named, keep the others", Role::kAdmin, ParseTemplateSpec,
     HandleTemplateUpdate, Effect::kWrite},
    {"template", "show", true, "NAME", "show a template", Role::kViewer, ParseTemplateName,
     HandleTemplateShow, Effect::kRead},
    {"template", "list", true, "", "list templates", Role::kViewer, ParseNone, HandleTemplateList,
     Effect::kRead},
    {"template", "delete", true, "NAME", "delete a template", Role::kAdmin, ParseTemplateName,
     HandleTemplateDelete, Effect::kWrite},
    {"template", "export", true, "NAME", "print a template as JSON", Role::kViewer,
     ParseTemplateName, HandleTemplateExport, Effect::kRead},
    {"template", "import", true, "[JSON]",
     "create or replace a template from exported JSON (CLI: a file)", Role::kAdmin,
     ParseTemplateImport, HandleTemplateImport, Effect::kWrite, Payload::kFileArgument},
    {"template", "help", true, "", "show these commands", Role::kViewer, ParseHelp, HandleHelp,
     Effect::kRead},
    {"env", "create", true, "NAME", "a named set of variables, secrets and files", Role::kDeployer,
     ParseEnvName, HandleEnvCreate, Effect::kWrite},
    {"env", "set", true, "NAME KEY=VALUE [--secret] [--env]",
     "set a variable; --secret: encrypted, a file under /run/secrets/ (--env: also a variable)",
     Role::kDeployer, ParseEnvSet, HandleEnvSet, Effect::kWrite, Payload::kNone, Redact::kValues},
    {"env", "set-file", true, "NAME PATH [--secret]",
     "a file at PATH in the containers, from the CLI's standard input", Role::kDeployer,
     ParseEnvSetFile, HandleEnvSetFile, Effect::kWrite, Payload::kStdin},
    {"env", "unset", true, "NAME KEY", "remove a variable, secret or file (by PATH)",
     Role::kDeployer, ParseEnvUnset, HandleEnvUnset, Effect::kWrite},
    {"env", "show", true, "NAME", "its entries, secrets shown as ••••", Role::kViewer, ParseEnvName,
     HandleEnvShow, Effect::kRead},
    {"env", "list", true, "", "list environments and where they are attached", Role::kViewer,
     ParseNone, HandleEnvList, Effect::kRead},
    {"env", "attach", true, "NAME SANDBOX [SERVICE]",
     "inject it into a sandbox (or one service) on every deploy", Role::kDeployer, ParseEnvAttach,
     HandleEnvAttach, Effect::kWrite},
    {"env", "detach", true, "NAME SANDBOX [SERVICE]", "stop injecting it", Role::kDeployer,
     ParseEnvAttach, HandleEnvDetach, Effect::kWrite},
    {"env", "delete", true, "NAME", "delete an environment that is attached nowhere",
     Role::kDeployer, ParseEnvName, HandleEnvDelete, Effect::kWrite},
    {"env", "rotate-key", true, "", "re-encrypt every secret under a new key", Role::kAdmin,
     ParseNone, HandleEnvRotateKey, Effect::kWriteOwnTransaction},
    {"env", "help", true, "", "show these commands", Role::kViewer, ParseHelp, HandleHelp,
     Effect::kRead},
    {"seed", "create", true,
     "NAME --from SANDBOX SERVICE:VOLUME | --from-file PATH [--image IMAGE] "
     "[--refresh-every DURATION]",
     "a named copy of a volume's content (a file: from the CLI only), refreshed from its "
     "source every DURATION (7d) if given",
     Role::kDeployer, ParseSeedCreate, HandleSeedCreate, Effect::kWrite},
    {"seed", "list", true, "", "list seeds", Role::kViewer, ParseNone, HandleSeedList,
     Effect::kRead},
    {"seed", "show", true, "NAME", "a seed's state, source and generation", Role::kViewer,
     ParseSeedName, HandleSeedShow, Effect::kRead},
    {"seed", "refresh", true, "NAME",
     "a new generation from its source; sandboxes keep the copies they have", Role::kDeployer,
     ParseSeedName, HandleSeedRefresh, Effect::kWrite},
    {"seed", "delete", true, "NAME", "delete a seed (sandboxes keep their copies)", Role::kAdmin,
     ParseSeedName, HandleSeedDelete, Effect::kWrite},
    {"seed", "help", true, "", "show these commands", Role::kViewer, ParseHelp, HandleHelp,
     Effect::kRead},
};

// "/help" and "help" alone: every family's commands.
const CommandSpec kHelpAll = {
    "",        "help",     true,         "", "show every command", Role::kViewer,
    ParseHelp, HandleHelp, Effect::kRead};

// Families in table order, without repeats.
Words Families() {
  Words families;
  for (const CommandSpec& spec : kCommands) {
    if (std::find(families.begin(), families.end(), spec.family) == families.end()) {
      families.push_back(spec.family);
    }
  }
  return families;
}

std::string NormalizeFamily(const std::string& family) {
  size_t a = family.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return "";
  size_t b = family.find_last_not_of(" \t\r\n");
  std::string f = family.substr(a, b - a + 1);
  if (!f.empty() && f[0] == '/') f.erase(0, 1);
  return Lower(f);
}

bool IsFamily(const std::string& family) {
  for (const CommandSpec& spec : kCommands) {
    if (family == spec.family) return true;
  }
  return false;
}

// ----- text → words -----

// Slack escapes &, < and > in message text; decoded in one pass so "&amp;lt;"
// stays "&lt;".
std::string DecodeEntities(const std::string& text) {
  static const struct {
    const char* entity;
    char c;
  } kEntities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool matched = false;
    if (text[i] == '&') {
      for (const auto& e : kEntities) {
        std::string entity = e.entity;
        if (text.compare(i, entity.size(), entity) == 0) {
          out.push_back(e.c);
          i += entity.size();
          matched = true;
          break;
        }
      }
    }
    if (!matched) out.push_back(text[i++]);
  }
  return out;
}

// The length of the word separator at text[i], 0 when there is none: ASCII
// white space, and the Unicode spaces a chat client or a paste puts between
// words (no-break, figure, narrow, ideographic …), in UTF-8. The one
// definition of a separator: RedactCommandText splits with it too, so what
// the parser reads as a value is what redaction masks.
size_t SeparatorAt(const std::string& text, size_t i) {
  const auto byte = [&](size_t k) {
    return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u;
  };
  const unsigned c = byte(i);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return 1;
  if (c == 0xC2 && (byte(i + 1) == 0x85 || byte(i + 1) == 0xA0)) return 2;  // NEL, NBSP
  if (c == 0xE1 && byte(i + 1) == 0x9A && byte(i + 2) == 0x80) return 3;    // U+1680
  if (c == 0xE2 && byte(i + 1) == 0x80) {
    const unsigned d = byte(i + 2);
    // U+2000-U+200A spaces, U+2028/2029 line and paragraph separators, U+202F
    if ((d >= 0x80 && d <= 0x8A) || d == 0xA8 || d == 0xA9 || d == 0xAF) return 3;
  }
  if (c == 0xE2 && byte(i + 1) == 0x81 && byte(i + 2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && byte(i + 1) == 0x80 && byte(i + 2) == 0x80) return 3;  // U+3000
  return 0;
}

Words Tokenize(const std::string& text) {
  Words words;
  std::string word;
  for (size_t i = 0; i < text.size();) {
    const size_t separator = SeparatorAt(text, i);
    if (separator == 0) {
      word.push_back(text[i++]);
      continue;
    }
    i += separator;
    if (!word.empty()) words.push_back(DecodeEntities(word));
    word.clear();
  }
  if (!word.empty()) words.push_back(DecodeEntities(word));
  return words;
}

// Whether a verb of `family` redacts its arguments (env set): its words
// after the verb may be a secret, so a mistyped verb's may be too.
bool FamilyRedacts(const std::string& family) {
  for (const CommandSpec& spec : kCommands) {
    if (family == spec.family && spec.redact != Redact::kNone) return true;
  }
  return false;
}

Status Fill(const CommandSpec& spec, const Words& args, Command* command) {
  command->family = spec.family;
  command->verb = spec.verb;
  command->required = spec.required;
  Status s = spec.parse(args, command);
  if (s.ok() || s.code() != Status::Code::kInvalidArgument) return s;
  return Status::InvalidArgument(s.message() + "\nusage: " + UsageOf(spec));
}

// The typed verb of `family` closest to `word`, or "".
std::string GuessVerb(const std::string& family, const std::string& word) {
  Words verbs;
  for (const CommandSpec& spec : kCommands) {
    if (family == spec.family && spec.typed) verbs.push_back(spec.verb);
  }
  return DidYouMean(Lower(word), verbs);
}

Status UnknownVerb(const std::string& family, const std::string& verb) {
  std::string guess = GuessVerb(family, verb);
  // `env set\u200bKEY=VALUE` is one unknown word holding a secret: not repeated.
  std::string message = "unknown command '" + family + " " +
                        (FamilyRedacts(family) ? std::string("…") : EchoWord(verb)) + "'.";
  if (!guess.empty()) message += " Did you mean '" + family + " " + guess + "'?";
  return Status::InvalidArgument(message + "\n" + HelpText(family));
}

}  // namespace

std::string UsageOf(const CommandSpec& spec) {
  std::string usage = std::string("/") + spec.family;
  if (spec.typed) usage += std::string(" ") + spec.verb;
  if (*spec.args) usage += std::string(" ") + spec.args;
  return usage;
}

const CommandSpec* FindCommand(const std::string& family, const std::string& verb) {
  if (family.empty() && verb == "help") return &kHelpAll;
  for (const CommandSpec& spec : kCommands) {
    if (family == spec.family && verb == spec.verb) return &spec;
  }
  return nullptr;
}

std::vector<const CommandSpec*> CommandsOf(const std::string& family) {
  std::vector<const CommandSpec*> rows;
  for (const CommandSpec& spec : kCommands) {
    if (family.empty() || family == spec.family) rows.push_back(&spec);
  }
  return rows;
}

std::vector<std::string> CommandFamilies() { return Families(); }

std::string RedactCommandText(const std::string& family_in, const std::string& text) {
  const std::string family = NormalizeFamily(family_in);
  if (!FamilyRedacts(family)) return text;
  // Split exactly as ParseCommand does, whatever the words turn out to mean.
  const Words words = Tokenize(text);
  if (words.empty()) return "";
  const CommandSpec* spec = FindCommand(family, Lower(words[0]));
  // Verbs that redact nothing stay readable.
  if (spec && spec->typed && spec->redact == Redact::kNone) return text;
  // A redacting verb, or a word that is no verb: nothing after the verb is
  // shown, however it parses (a forgotten NAME, an odd separator, a value
  // with spaces), nor a word that is not the verb.
  std::string out = spec && spec->typed ? spec->verb : kMask;
  if (words.size() > 1) out += std::string(" ") + kMask;
  return out;
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kDeployer: return "deployer";
    case Role::kAdmin: return "admin";
  }
  return "unknown";
}

Status ParseCommand(const std::string& family_in, const std::string& text, Command* command) {
  *command = Command();
  Words words = Tokenize(text);
  std::string family = NormalizeFamily(family_in);

  if (family.empty() || family == "help") {
    // "/help" or "help": all families, or the one named after it.
    std::string about = words.empty() ? "" : NormalizeFamily(words[0]);
    command->verb = "help";
    if (about.empty() || IsFamily(about)) {
      command->family = about;
      return Status::Ok();
    }
    family = about;  // "help sandbx": fall through to the suggestion below
  }
  if (!IsFamily(family)) {
    std::string guess = DidYouMean(family, Families());
    std::string list;
    for (const std::string& f : Families()) list += (list.empty() ? "/" : ", /") + f;
    return Status::NotFound("unknown command '/" + EchoWord(family) + "'." +
                            (guess.empty() ? "" : " Did you mean '/" + guess + "'?") +
                            " Commands: " + list + ".");
  }

  if (words.empty()) {
    command->family = family;
    command->verb = "help";
    return Status::Ok();
  }
  // A typed verb wins over a service of the same name (`route list`).
  const std::string verb = Lower(words[0]);
  for (const CommandSpec& spec : kCommands) {
    if (family == spec.family && spec.typed && verb == spec.verb) {
      return Fill(spec, Words(words.begin() + 1, words.end()), command);
    }
  }
  for (const CommandSpec& spec : kCommands) {
    if (family != spec.family || spec.typed) continue;
    Status s = Fill(spec, words, command);
    if (s.ok()) return s;
    // `/route lst`: a mistyped verb rather than a service called "lst".
    return GuessVerb(family, words[0]).empty() ? s : UnknownVerb(family, words[0]);
  }
  return UnknownVerb(family, words[0]);
}

std::string HelpText(const std::string& family_in) {
  std::string family = NormalizeFamily(family_in);
  bool all = !IsFamily(family);
  std::string text;
  for (const CommandSpec& spec : kCommands) {
    if (!all && family != spec.family) continue;
    if (!text.empty()) text += "\n";
    text += UsageOf(spec) + " — " + spec.description;
  }
  return text;
}

}  // namespace sandbot
