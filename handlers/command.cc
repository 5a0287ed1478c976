// The command grammar: one table (kCommands) drives parsing, help, "did you
// mean" and the role each command needs. To add a command, add a row and its
// argument parser.
#include "handlers/command.h"

#include <algorithm>
#include <cctype>
#include <cstddef>

#include "handlers/names.h"

namespace sandbot {

namespace {

using Words = std::vector<std::string>;

// Parses the words after the verb word into *command; InvalidArgument errors
// get the usage line appended by the caller.
using ArgParser = Status (*)(const Words& args, Command* command);

struct CommandSpec {
  const char* family;
  const char* verb;  // Command::verb
  bool typed;        // the user types the verb; false when the family word is the verb
  const char* args;  // usage after "/family [verb]"
  const char* description;
  Role required;
  ArgParser parse;
};

constexpr size_t kMaxTemplateName = 64;
constexpr int kMaxLogLines = 1000;
constexpr size_t kMaxEcho = 40;  // characters of user input repeated in messages

// ----- small helpers -----

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool IsKeyword(const std::string& word, const char* keyword) { return Lower(word) == keyword; }

// User input repeated in an answer: bounded, so a 60 KB word stays out of it.
std::string Echo(const std::string& word) {
  if (word.size() <= kMaxEcho) return word;
  size_t cut = kMaxEcho;  // not in the middle of a UTF-8 sequence
  while (cut > 0 && (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) --cut;
  return word.substr(0, cut) + "…";
}

// ----- argument validation -----

Status CheckSandbox(const std::string& name, Command* command) {
  Status s = ValidateSandboxName(name);
  if (s.ok()) command->sandbox = name;
  return s;
}

Status CheckService(const std::string& name, Command* command) {
  Status s = ValidateServiceName(name);
  if (s.ok()) command->service = name;
  return s;
}

Status CheckBranch(const std::string& service, const std::string& branch) {
  Status s = ValidateBranchName(branch);
  if (s.ok()) return s;
  return Status::InvalidArgument("bad branch for " + Echo(service) + ": " + s.message());
}

Status CheckTemplate(const std::string& name) {
  bool ok = !name.empty() && name.size() <= kMaxTemplateName;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + Echo(name) +
                                 "' is not a valid template name: use letters, digits, '-' and "
                                 "'_', at most 64 characters (e.g. QA-DEFAULT)");
}

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// sandbox, baseline, or an http(s) URL with a host. *route is the canonical
// form (keywords and scheme in lower case).
Status CheckRouteTarget(const std::string& word, std::string* route) {
  std::string lower = Lower(word);
  if (lower == "sandbox" || lower == "baseline") {
    *route = lower;
    return Status::Ok();
  }
  const std::string hint =
      ": route to sandbox, baseline or an http:// or https:// URL (e.g. http://10.0.0.5:9000)";
  size_t colon = word.find(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("'" + Echo(word) + "' is not a route" + hint);
  }
  std::string scheme = Lower(word.substr(0, colon));
  if ((scheme != "http" && scheme != "https") || word.compare(colon, 3, "://") != 0) {
    return Status::InvalidArgument("'" + Echo(word) + "' is not an allowed URL" + hint);
  }
  size_t host_start = colon + 3;
  size_t end = word.find_first_of("/?#", host_start);
  if (end == std::string::npos) end = word.size();
  std::string authority = word.substr(host_start, end - host_start);
  std::string host = authority, port;
  if (!authority.empty() && authority[0] == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos)
      host.clear();
    else {
      host = authority.substr(0, close + 1);
      port = authority.substr(close + 1);
    }
  } else {
    size_t p = authority.find(':');
    if (p != std::string::npos) {
      host = authority.substr(0, p);
      port = authority.substr(p);
    }
  }
  bool host_ok = !host.empty();
  if (host_ok && host[0] == '[') {
    for (size_t i = 1; i + 1 < host.size(); ++i) {
      char c = host[i];
      host_ok = host_ok && (std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.');
    }
    host_ok = host_ok && host.size() > 2;
  } else {
    for (char c : host) host_ok = host_ok && IsHostChar(c);
  }
  if (!host_ok) {
    return Status::InvalidArgument("'" + Echo(word) + "' has no valid host" + hint);
  }
  if (!port.empty()) {
    bool port_ok = port.size() >= 2 && port.size() <= 6 && port[0] == ':';
    for (size_t i = 1; port_ok && i < port.size(); ++i) port_ok = port[i] >= '0' && port[i] <= '9';
    if (port_ok) {
      long n = std::stol(port.substr(1));
      port_ok = n >= 1 && n <= 65535;
    }
    if (!port_ok) {
      return Status::InvalidArgument("'" + Echo(word) + "' has no valid port" + hint);
    }
  }
  for (unsigned char c : word) {
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' ||
        c == '`') {
      return Status::InvalidArgument("'" + Echo(word) + "' contains characters a URL cannot have" +
                                     hint);
    }
  }
  *route = scheme + word.substr(colon);
  return Status::Ok();
}

Status Missing(const char* what) { return Status::InvalidArgument(std::string("missing ") + what); }
Status Unexpected(const std::string& word) {
  return Status::InvalidArgument("unexpected '" + Echo(word) + "'");
}

// Optional trailing "KEYWORD SANDBOX" (to/in) starting at args[i].
Status TrailingSandbox(const Words& args, size_t i, const char* keyword, Command* command) {
  if (args.size() <= i) return Status::Ok();
  if (!IsKeyword(args[i], keyword)) return Unexpected(args[i]);
  if (args.size() == i + 1) {
    return Status::InvalidArgument(std::string("'") + keyword + "' needs a sandbox name after it");
  }
  if (args.size() > i + 2) return Unexpected(args[i + 2]);
  return CheckSandbox(args[i + 1], command);
}

// ----- argument parsers, one per command -----

Status ParseNone(const Words& args, Command*) {
  return args.empty() ? Status::Ok() : Unexpected(args[0]);
}

Status ParseHelp(const Words&, Command*) { return Status::Ok(); }  // extra words are harmless

Status ParseOptionalSandbox(const Words& args, Command* command) {
  if (args.empty()) return Status::Ok();
  if (args.size() > 1) return Unexpected(args[1]);
  return CheckSandbox(args[0], command);
}

Status ParseSandbox(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME");
  return ParseOptionalSandbox(args, command);
}

// "--memory MB" (1-1048576) or "--cpus N" (above 0, at most 1024) at args[*i];
// moves *i to the value.
Status ParseLimit(const Words& args, size_t* i, Command* command) {
  const bool memory = IsKeyword(args[*i], "--memory");
  const char* usage = memory ? "'--memory' needs megabytes after it (e.g. --memory 256)"
                             : "'--cpus' needs a number of CPUs after it (e.g. --cpus 0.5)";
  if (*i + 1 == args.size()) return Status::InvalidArgument(usage);
  const std::string& value = args[++*i];
  if (value.empty() || value.size() > 10 ||
      value.find_first_not_of(memory ? "0123456789" : "0123456789.") != std::string::npos ||
      std::count(value.begin(), value.end(), '.') > 1 || value == ".") {
    return Status::InvalidArgument("'" + Echo(value) + "' is not a number: " + usage);
  }
  if (memory) {
    if (command->memory_mb) return Status::InvalidArgument("only one --memory is allowed");
    const long mb = std::stol(value);
    if (mb < 1 || mb > (1 << 20)) {
      return Status::InvalidArgument("--memory must be 1 to 1048576 MB, not " + value);
    }
    command->memory_mb = static_cast<int>(mb);
  } else {
    if (command->cpus > 0) return Status::InvalidArgument("only one --cpus is allowed");
    const double cpus = std::stod(value);
    if (cpus <= 0 || cpus > 1024) {
      return Status::InvalidArgument("--cpus must be above 0 and at most 1024, not " + value);
    }
    command->cpus = cpus;
  }
  return Status::Ok();
}

// "--gateway SERVICE" at args[*i]; moves *i to the service.
Status ParseGateway(const Words& args, size_t* i, Command* command) {
  if (!command->gateway.empty()) return Status::InvalidArgument("only one --gateway is allowed");
  if (*i + 1 == args.size()) {
    return Status::InvalidArgument("'--gateway' needs a service name after it (e.g. web)");
  }
  Status s = ValidateServiceName(args[++*i]);
  if (s.ok()) command->gateway = args[*i];
  return s;
}

Status ParseCreate(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME");
  Status s = CheckSandbox(args[0], command);
  if (!s.ok()) return s;
  bool has_template = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (IsKeyword(word, "--gateway")) {
      s = ParseGateway(args, &i, command);
      if (!s.ok()) return s;
      continue;
    }
    if (IsKeyword(word, "--memory") || IsKeyword(word, "--cpus")) {
      s = ParseLimit(args, &i, command);
      if (!s.ok()) return s;
      continue;
    }
    if (IsKeyword(word, "from")) {
      if (has_template) return Status::InvalidArgument("only one 'from TEMPLATE' is allowed");
      if (i + 1 == args.size()) {
        return Status::InvalidArgument("'from' needs a template name after it (e.g. QA-DEFAULT)");
      }
      s = CheckTemplate(args[++i]);
      if (!s.ok()) return s;
      command->template_name = args[i];
      has_template = true;
      continue;
    }
    size_t at = word.find('@');
    if (at == std::string::npos) {
      return Status::InvalidArgument("'" + Echo(word) +
                                     "' is not SERVICE@BRANCH (e.g. web@feature/login)");
    }
    std::string service = word.substr(0, at), branch = word.substr(at + 1);
    s = ValidateServiceName(service);
    if (!s.ok()) return s;
    s = CheckBranch(service, branch);
    if (!s.ok()) return s;
    for (const auto& existing : command->services) {
      if (existing.first == service) {
        return Status::InvalidArgument(service + " is named twice (" + service + "@" +
                                       Echo(existing.second) + " and " + Echo(word) +
                                       "); give one branch per service");
      }
    }
    command->services.emplace_back(service, branch);
  }
  return Status::Ok();
}

Status ParseLogs(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME and SERVICE");
  if (args.size() < 2) return Missing("SERVICE");
  if (args.size() > 3) return Unexpected(args[3]);
  Status s = CheckSandbox(args[0], command);
  if (s.ok()) s = CheckService(args[1], command);
  if (!s.ok() || args.size() < 3) return s;
  const std::string& lines = args[2];
  bool ok = !lines.empty() && lines.size() <= 4;
  for (char c : lines) ok = ok && c >= '0' && c <= '9';
  int n = ok ? std::stoi(lines) : 0;
  if (n < 1 || n > kMaxLogLines) {
    return Status::InvalidArgument("LINES must be a whole number from 1 to 1000, not '" +
                                   Echo(lines) + "'");
  }
  command->lines = n;
  return Status::Ok();
}

Status ParseDeploy(const Words& args, Command* command) {
  if (args.empty()) return Missing("SERVICE and BRANCH");
  if (args.size() < 2) return Missing("BRANCH");
  Status s = CheckService(args[0], command);
  if (s.ok()) s = CheckBranch(args[0], args[1]);
  if (!s.ok()) return s;
  command->branch = args[1];
  return TrailingSandbox(args, 2, "to", command);
}

Status ParseRouteSet(const Words& args, Command* command) {
  if (args.empty()) return Missing("SERVICE and where to route it");
  if (args.size() < 2) return Missing("where to route it (sandbox, baseline or a URL)");
  Status s = CheckService(args[0], command);
  if (s.ok()) s = CheckRouteTarget(args[1], &command->route);
  if (!s.ok()) return s;
  return TrailingSandbox(args, 2, "in", command);
}

Status ParseTwoSandboxes(const Words& args, Command* command) {
  if (args.empty()) return Missing("SRC and DST");
  if (args.size() < 2) return Missing("DST (the new sandbox's name)");
  if (args.size() > 2) return Unexpected(args[2]);
  Status s = CheckSandbox(args[0], command);
  if (!s.ok()) return s;
  s = ValidateSandboxName(args[1]);
  if (s.ok()) command->target = args[1];
  return s;
}

Status CheckSnapshot(const std::string& name, Command* command) {
  Status s = CheckTemplate(name);  // the same alphabet as template names
  if (!s.ok()) {
    return Status::InvalidArgument("'" + Echo(name) +
                                   "' is not a valid snapshot name: use letters, digits, '-' and "
                                   "'_', at most 64 characters (e.g. before-release)");
  }
  command->name = name;
  return s;
}

Status ParseSandboxAndSnapshot(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME and SNAP");
  if (args.size() < 2) return Missing("SNAP (the snapshot's name)");
  if (args.size() > 2) return Unexpected(args[2]);
  Status s = CheckSandbox(args[0], command);
  return s.ok() ? CheckSnapshot(args[1], command) : s;
}

Status ParseLock(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME");
  Status s = CheckSandbox(args[0], command);
  if (!s.ok()) return s;
  for (size_t i = 1; i < args.size(); ++i) command->reason += (i > 1 ? " " : "") + args[i];
  if (command->reason.size() > 200) {
    return Status::InvalidArgument("the reason is too long: at most 200 characters");
  }
  return Status::Ok();
}

Status ParseBaselineSet(const Words& args, Command* command) {
  if (args.empty()) return Missing("SERVICE and URL");
  if (args.size() < 2) return Missing("URL (e.g. https://payment-dev.example.com)");
  if (args.size() > 2) return Unexpected(args[2]);
  Status s = CheckService(args[0], command);
  if (s.ok()) s = CheckRouteTarget(args[1], &command->url);
  if (s.ok() && (command->url == "sandbox" || command->url == "baseline")) {
    s = Status::InvalidArgument("a baseline is an http:// or https:// URL, not '" + args[1] + "'");
  }
  return s;
}

Status ParseService(const Words& args, Command* command) {
  if (args.empty()) return Missing("SERVICE");
  if (args.size() > 1) return Unexpected(args[1]);
  return CheckService(args[0], command);
}

Status CheckName(const std::string& name, const char* what, Command* command) {
  Status s = CheckTemplate(name);
  if (!s.ok()) {
    return Status::InvalidArgument("'" + Echo(name) + "' is not a valid " + what +
                                   " name: use letters, digits, '-' and '_', at most 64 "
                                   "characters");
  }
  command->name = name;
  return s;
}

Status ParseTemplateName(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME (e.g. QA-DEFAULT)");
  if (args.size() > 1) return Unexpected(args[1]);
  Status s = CheckTemplate(args[0]);
  if (s.ok()) command->name = args[0];
  return s;
}

// NAME [SERVICE@BRANCH | SERVICE=baseline | SERVICE=URL ...] [--gateway SERVICE]
Status ParseTemplateSpec(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME (e.g. QA-DEFAULT)");
  Status s = CheckTemplate(args[0]);
  if (!s.ok()) return s;
  command->name = args[0];
  std::vector<std::string> seen;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (IsKeyword(word, "--gateway")) {
      s = ParseGateway(args, &i, command);
      if (!s.ok()) return s;
      continue;
    }
    size_t at = word.find('@'), eq = word.find('=');
    size_t cut = std::min(at, eq);
    if (cut == std::string::npos) {
      return Status::InvalidArgument("'" + Echo(word) +
                                     "' is not SERVICE@BRANCH or SERVICE=baseline (e.g. "
                                     "web@develop payment=baseline)");
    }
    std::string service = word.substr(0, cut), rest = word.substr(cut + 1);
    s = ValidateServiceName(service);
    if (!s.ok()) return s;
    if (std::find(seen.begin(), seen.end(), service) != seen.end()) {
      return Status::InvalidArgument(service + " is named twice; give one entry per service");
    }
    seen.push_back(service);
    if (cut == at) {
      s = CheckBranch(service, rest);
      if (!s.ok()) return s;
      command->services.emplace_back(service, rest);
      continue;
    }
    std::string route;
    s = CheckRouteTarget(rest, &route);
    if (s.ok() && route == "sandbox") {
      s = Status::InvalidArgument(service + "=sandbox needs a branch: write " + service +
                                  "@BRANCH");
    }
    if (!s.ok()) return s;
    command->service_routes.emplace_back(service, route);
  }
  return Status::Ok();
}

Status ParseTemplateImport(const Words& args, Command* command) {
  // The CLI sends the file as the payload; chat users paste the JSON.
  for (size_t i = 0; i < args.size(); ++i) command->payload += (i ? " " : "") + args[i];
  return Status::Ok();
}

Status ParseEnvName(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME (e.g. payments-test)");
  if (args.size() > 1) return Unexpected(args[1]);
  return CheckName(args[0], "environment", command);
}

// NAME KEY=VALUE [--secret] [--env]; VALUE may hold spaces (words are
// joined by one space).
Status ParseEnvSet(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME and KEY=VALUE");
  Status s = CheckName(args[0], "environment", command);
  if (!s.ok()) return s;
  bool have_pair = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (IsKeyword(word, "--secret")) {
      command->secret = true;
    } else if (IsKeyword(word, "--env")) {
      command->as_env = true;
    } else if (!have_pair) {
      // Errors here never repeat the words: they may be a secret.
      size_t eq = word.find('=');
      if (eq == std::string::npos) {
        return Status::InvalidArgument(
            "expected KEY=VALUE after the environment name (e.g. API_KEY=abc)");
      }
      if (!ValidateEnvKey(word.substr(0, eq)).ok()) {
        return Status::InvalidArgument(
            "the name before '=' is not a valid variable name: letters, digits and '_', not "
            "starting with a digit (e.g. API_KEY)");
      }
      command->key = word.substr(0, eq);
      command->value = word.substr(eq + 1);
      have_pair = true;
    } else {
      command->value += " " + word;
    }
  }
  if (!have_pair) return Missing("KEY=VALUE");
  if (command->as_env && !command->secret) {
    return Status::InvalidArgument(
        "--env only applies to --secret values (variables are always "
        "in the environment)");
  }
  return Status::Ok();
}

Status ParseEnvSetFile(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME and PATH");
  Status s = CheckName(args[0], "environment", command);
  if (!s.ok()) return s;
  if (args.size() < 2) return Missing("PATH (where the file appears in the containers)");
  s = ValidateContainerPath(args[1]);
  if (!s.ok()) return s;
  command->key = args[1];
  for (size_t i = 2; i < args.size(); ++i) {
    if (!IsKeyword(args[i], "--secret")) return Unexpected(args[i]);
    command->secret = true;
  }
  return Status::Ok();
}

Status ParseEnvUnset(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME and KEY");
  if (args.size() < 2) return Missing("KEY (or the file's PATH)");
  if (args.size() > 2) return Unexpected(args[2]);
  Status s = CheckName(args[0], "environment", command);
  if (!s.ok()) return s;
  s = args[1].rfind('/', 0) == 0 ? ValidateContainerPath(args[1]) : ValidateEnvKey(args[1]);
  if (s.ok()) command->key = args[1];
  return s;
}

// NAME SANDBOX [SERVICE]
Status ParseEnvAttach(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME and SANDBOX");
  if (args.size() < 2) return Missing("SANDBOX");
  if (args.size() > 3) return Unexpected(args[3]);
  Status s = CheckName(args[0], "environment", command);
  if (s.ok()) s = CheckSandbox(args[1], command);
  if (s.ok() && args.size() == 3) s = CheckService(args[2], command);
  return s;
}

// The table. Rows of a family appear in help in this order; the first rows
// win ties in "did you mean".
const CommandSpec kCommands[] = {
    {"sandbox", "create", true,
     "NAME [from TEMPLATE] [SERVICE@BRANCH ...] [--gateway SERVICE] [--memory MB] [--cpus N]",
     "create a sandbox; the gateway's URL is its main URL", Role::kDeployer, ParseCreate},
    {"sandbox", "list", true, "", "list sandboxes", Role::kViewer, ParseNone},
    {"sandbox", "status", true, "[NAME]", "show a sandbox's services, branches and URLs",
     Role::kViewer, ParseOptionalSandbox},
    {"sandbox", "destroy", true, "NAME", "destroy a sandbox and its containers", Role::kDeployer,
     ParseSandbox},
    {"sandbox", "logs", true, "NAME SERVICE [LINES]",
     "show the last LINES (default 50, at most 1000) log lines of a service", Role::kViewer,
     ParseLogs},
    {"sandbox", "use", true, "NAME", "make NAME this channel's default sandbox", Role::kDeployer,
     ParseSandbox},
    {"sandbox", "clone", true, "SRC DST",
     "a copy of SRC: same services, commits, environments and routes, new ports", Role::kDeployer,
     ParseTwoSandboxes},
    {"sandbox", "suspend", true, "NAME", "stop its containers, keep its configuration and ports",
     Role::kDeployer, ParseSandbox},
    {"sandbox", "resume", true, "NAME", "start a suspended sandbox again", Role::kDeployer,
     ParseSandbox},
    {"sandbox", "snapshot", true, "NAME SNAP", "record its commits, environments and routes",
     Role::kDeployer, ParseSandboxAndSnapshot},
    {"sandbox", "restore", true, "NAME SNAP", "recreate exactly what snapshot SNAP recorded",
     Role::kDeployer, ParseSandboxAndSnapshot},
    {"sandbox", "lock", true, "NAME [REASON]",
     "freeze it while you test: deploys wait in the queue until unlock", Role::kDeployer,
     ParseLock},
    {"sandbox", "unlock", true, "NAME", "unlock (holder or admin) and apply what waited",
     Role::kDeployer, ParseSandbox},
    {"sandbox", "help", true, "", "show these commands", Role::kViewer, ParseHelp},
    {"deploy", "deploy", false, "SERVICE BRANCH [to SANDBOX]", "deploy BRANCH of SERVICE",
     Role::kDeployer, ParseDeploy},
    {"deploy", "help", true, "", "show these commands", Role::kViewer, ParseHelp},
    {"route", "set", false, "SERVICE sandbox|baseline|URL [in SANDBOX]",
     "send SERVICE's traffic to the sandbox's container, the baseline or a URL", Role::kDeployer,
     ParseRouteSet},
    {"route", "list", true, "[SANDBOX]", "show where each service of a sandbox is routed",
     Role::kViewer, ParseOptionalSandbox},
    {"route", "help", true, "", "show these commands", Role::kViewer, ParseHelp},
    {"baseline", "set", true, "SERVICE URL",
     "the shared environment's URL of SERVICE (e.g. https://payment-dev.example.com)", Role::kAdmin,
     ParseBaselineSet},
    {"baseline", "unset", true, "SERVICE", "forget SERVICE's baseline URL", Role::kAdmin,
     ParseService},
    {"baseline", "list", true, "", "every known service and its baseline URL", Role::kViewer,
     ParseNone},
    {"baseline", "help", true, "", "show these commands", Role::kViewer, ParseHelp},
    {"template", "create", true,
     "NAME [SERVICE@BRANCH | SERVICE=baseline|URL ...] [--gateway SERVICE]",
     "a sandbox recipe, e.g. QA-DEFAULT web@develop --gateway web", Role::kAdmin,
     ParseTemplateSpec},
    {"template", "update", true,
     "NAME [SERVICE@BRANCH | SERVICE=baseline|URL ...] [--gateway SERVICE]",
     "change the entries named, keep the others", Role::kAdmin, ParseTemplateSpec},
    {"template", "show", true, "NAME", "show a template", Role::kViewer, ParseTemplateName},
    {"template", "list", true, "", "list templates", Role::kViewer, ParseNone},
    {"template", "delete", true, "NAME", "delete a template", Role::kAdmin, ParseTemplateName},
    {"template", "export", true, "NAME", "print a template as JSON", Role::kViewer,
     ParseTemplateName},
    {"template", "import", true, "[JSON]",
     "create or replace a template from exported JSON (CLI: a file)", Role::kAdmin,
     ParseTemplateImport},
    {"template", "help", true, "", "show these commands", Role::kViewer, ParseHelp},
    {"env", "create", true, "NAME", "a named set of variables, secrets and files", Role::kDeployer,
     ParseEnvName},
    {"env", "set", true, "NAME KEY=VALUE [--secret] [--env]",
     "set a variable; --secret: encrypted, a file under /run/secrets/ (--env: also a variable)",
     Role::kDeployer, ParseEnvSet},
    {"env", "set-file", true, "NAME PATH [--secret]",
     "a file at PATH in the containers, from the CLI's standard input", Role::kDeployer,
     ParseEnvSetFile},
    {"env", "unset", true, "NAME KEY", "remove a variable, secret or file (by PATH)",
     Role::kDeployer, ParseEnvUnset},
    {"env", "show", true, "NAME", "its entries, secrets shown as ••••", Role::kViewer,
     ParseEnvName},
    {"env", "list", true, "", "list environments and where they are attached", Role::kViewer,
     ParseNone},
    {"env", "attach", true, "NAME SANDBOX [SERVICE]",
     "inject it into a sandbox (or one service) on every deploy", Role::kDeployer, ParseEnvAttach},
    {"env", "detach", true, "NAME SANDBOX [SERVICE]", "stop injecting it", Role::kDeployer,
     ParseEnvAttach},
    {"env", "delete", true, "NAME", "delete an environment that is attached nowhere",
     Role::kDeployer, ParseEnvName},
    {"env", "rotate-key", true, "", "re-encrypt every secret under a new key", Role::kAdmin,
     ParseNone},
    {"env", "help", true, "", "show these commands", Role::kViewer, ParseHelp},
};

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

std::string UsageOf(const CommandSpec& spec) {
  std::string usage = std::string("/") + spec.family;
  if (spec.typed) usage += std::string(" ") + spec.verb;
  if (*spec.args) usage += std::string(" ") + spec.args;
  return usage;
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

// Slack's "<http://x|label>", "<@U123|ana>", "<#C1>": keep the label, or
// the target when there is none. A '<' without a closing '>' stays.
std::string UnwrapSlack(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t close = text[i] == '<' ? text.find('>', i + 1) : std::string::npos;
    if (close == std::string::npos) {
      out.push_back(text[i++]);
      continue;
    }
    std::string inner = text.substr(i + 1, close - i - 1);
    size_t bar = inner.find('|');
    out += bar == std::string::npos ? inner : inner.substr(bar + 1);
    i = close + 1;
  }
  return out;
}

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

// Length of the whitespace sequence at text[i] (0 when none): ASCII spaces,
// tabs, line breaks, and U+00A0 (C2 A0) that Slack clients insert.
size_t SpaceAt(const std::string& text, size_t i) {
  char c = text[i];
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') return 1;
  if (static_cast<unsigned char>(c) == 0xC2 && i + 1 < text.size() &&
      static_cast<unsigned char>(text[i + 1]) == 0xA0) {
    return 2;
  }
  return 0;
}

Words Tokenize(const std::string& text) {
  Words words;
  std::string word;
  for (size_t i = 0; i < text.size();) {
    size_t n = SpaceAt(text, i);
    if (n == 0) {
      word.push_back(text[i++]);
      continue;
    }
    if (!word.empty()) words.push_back(DecodeEntities(word));
    word.clear();
    i += n;
  }
  if (!word.empty()) words.push_back(DecodeEntities(word));
  return words;
}

// Levenshtein distance, with a swap of two adjacent characters counting as
// one edit (optimal string alignment): "wbe" is one typo away from "web".
size_t EditDistance(const std::string& a, const std::string& b) {
  const size_t m = b.size();
  std::vector<size_t> before(m + 1), previous(m + 1), row(m + 1);
  for (size_t j = 0; j <= m; ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return previous[m];
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
  std::string message = "unknown command '" + family + " " + Echo(verb) + "'.";
  if (!guess.empty()) message += " Did you mean '" + family + " " + guess + "'?";
  return Status::InvalidArgument(message + "\n" + HelpText(family));
}

}  // namespace

Status ValidateEnvKey(const std::string& key) {
  bool ok = !key.empty() && key.size() <= 128 && !(key[0] >= '0' && key[0] <= '9');
  for (char c : key) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + Echo(key) +
                                 "' is not a valid variable name: letters, digits and '_', not "
                                 "starting with a digit (e.g. API_KEY)");
}

Status ValidateContainerPath(const std::string& path) {
  bool ok = path.size() >= 2 && path.size() <= 256 && path[0] == '/' && path.back() != '/';
  for (char c : path) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-' || c == '/');
  }
  ok = ok && path.find("//") == std::string::npos && path.find("/../") == std::string::npos &&
       path.find("/./") == std::string::npos &&
       (path.size() < 3 || path.compare(path.size() - 3, 3, "/..") != 0);
  // sandbot mounts its own folders there.
  for (const char* reserved : {"/etc/sandbot", "/run/secrets"}) {
    const std::string r = reserved;
    if (ok && (path == r || path.rfind(r + "/", 0) == 0)) {
      return Status::InvalidArgument(path + " is inside " + r +
                                     ", which sandbot mounts itself; choose another path");
    }
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + Echo(path) +
                                 "' is not a valid file path: absolute, letters, digits, '.', "
                                 "'_', '-' and '/', without '..' (e.g. /etc/app/config.yml)");
}

Status ParseRouteTarget(const std::string& word, std::string* route) {
  return CheckRouteTarget(word, route);
}

Status ValidateTemplateName(const std::string& name) { return CheckTemplate(name); }

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
  Words words = Tokenize(UnwrapSlack(text));
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
    return Status::NotFound("unknown command '/" + Echo(family) + "'." +
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

std::string DidYouMean(const std::string& word, const std::vector<std::string>& candidates) {
  if (word.empty()) return "";
  const size_t threshold = std::max<size_t>(1, word.size() / 3);
  std::string best;
  size_t best_distance = threshold + 1;
  for (const std::string& candidate : candidates) {
    size_t gap = candidate.size() > word.size() ? candidate.size() - word.size()
                                                : word.size() - candidate.size();
    if (gap >= best_distance) continue;  // cannot beat the best so far
    size_t d = EditDistance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace sandbot
