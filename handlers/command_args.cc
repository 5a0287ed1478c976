// The argument parsers of the command table (handlers/command.cc): one per
// shape of arguments, each filling the fields of Command its verb uses.
#include "handlers/command_args.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>

#include "handlers/names.h"

namespace sandbot {

bool ValidEngineRef(const std::string& n) {
  if (n.empty() || n.size() > 32 || n[0] < 'a' || n[0] > 'z') return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

namespace {

constexpr int kMaxLogLines = 1000;

bool IsKeyword(const std::string& word, const char* keyword) { return Lower(word) == keyword; }

}  // namespace

namespace {

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
  return Status::InvalidArgument("bad branch for " + EchoWord(service) + ": " + s.message());
}

Status Missing(const char* what) { return Status::InvalidArgument(std::string("missing ") + what); }
Status Unexpected(const std::string& word) {
  return Status::InvalidArgument("unexpected '" + EchoWord(word) + "'");
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

}  // namespace

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

namespace {

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
    return Status::InvalidArgument("'" + EchoWord(value) + "' is not a number: " + usage);
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

// "--engine NAME" or "engine=NAME" at args[*i]: the engine a new sandbox
// goes to (bot/engine_config.h names them); moves *i past NAME.
Status ParseEngine(const Words& args, size_t* i, Command* command) {
  if (!command->engine.empty()) return Status::InvalidArgument("only one --engine is allowed");
  std::string name;
  if (args[*i].rfind("engine=", 0) == 0) {
    name = args[*i].substr(7);
  } else if (*i + 1 < args.size()) {
    name = args[++*i];
  }
  if (!ValidEngineRef(name)) {
    return Status::InvalidArgument(
        "'--engine' needs an engine's name after it (lower-case letters, digits and '-', "
        "e.g. --engine build-2; sandbot engine list)");
  }
  command->engine = name;
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

}  // namespace

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
    if (IsKeyword(word, "--engine") || word.rfind("engine=", 0) == 0) {
      s = ParseEngine(args, &i, command);
      if (!s.ok()) return s;
      continue;
    }
    if (IsKeyword(word, "from")) {
      if (has_template) return Status::InvalidArgument("only one 'from TEMPLATE' is allowed");
      if (i + 1 == args.size()) {
        return Status::InvalidArgument("'from' needs a template name after it (e.g. QA-DEFAULT)");
      }
      s = ValidateTemplateName(args[++i]);
      if (!s.ok()) return s;
      command->template_name = args[i];
      has_template = true;
      continue;
    }
    size_t at = word.find('@');
    if (at == std::string::npos) {
      return Status::InvalidArgument("'" + EchoWord(word) +
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
                                       EchoWord(existing.second) + " and " + EchoWord(word) +
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
                                   EchoWord(lines) + "'");
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
  if (s.ok()) s = ParseRouteTarget(args[1], &command->route);
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

namespace {

// A snapshot's or template's name: the alphabet of template names. `example`
// ends the refusal when given.
Status CheckName(const std::string& name, const char* what, Command* command,
                 const char* example = nullptr) {
  Status s = ValidateTemplateName(name);
  if (!s.ok()) {
    return Status::InvalidArgument("'" + EchoWord(name) + "' is not a valid " + what +
                                   " name: use letters, digits, '-' and '_', at most 64 "
                                   "characters" +
                                   (example ? std::string(" (e.g. ") + example + ")" : ""));
  }
  command->name = name;
  return s;
}

}  // namespace

Status ParseSandboxAndSnapshot(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME and SNAP");
  if (args.size() < 2) return Missing("SNAP (the snapshot's name)");
  if (args.size() > 2) return Unexpected(args[2]);
  Status s = CheckSandbox(args[0], command);
  return s.ok() ? CheckName(args[1], "snapshot", command, "before-release") : s;
}

Status ParseSandboxSnapshot(const Words& args, Command* command) {
  Words rest;
  for (const std::string& word : args) {
    if (Lower(word) == "--with-data" && !command->with_data) {
      command->with_data = true;
    } else {
      rest.push_back(word);
    }
  }
  return ParseSandboxAndSnapshot(rest, command);
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
  if (s.ok()) s = ParseRouteTarget(args[1], &command->url);
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

Status ParseTemplateName(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME (e.g. QA-DEFAULT)");
  if (args.size() > 1) return Unexpected(args[1]);
  Status s = ValidateTemplateName(args[0]);
  if (s.ok()) command->name = args[0];
  return s;
}

// NAME [SERVICE@BRANCH | SERVICE=baseline | SERVICE=URL ...] [--gateway SERVICE]
// [--engine NAME]
Status ParseTemplateSpec(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME (e.g. QA-DEFAULT)");
  Status s = ValidateTemplateName(args[0]);
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
    if (IsKeyword(word, "--engine") || word.rfind("engine=", 0) == 0) {
      s = ParseEngine(args, &i, command);
      if (!s.ok()) return s;
      continue;
    }
    size_t at = word.find('@'), eq = word.find('=');
    size_t cut = std::min(at, eq);
    if (cut == std::string::npos) {
      return Status::InvalidArgument("'" + EchoWord(word) +
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
    s = ParseRouteTarget(rest, &route);
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
  // Errors here never repeat the words: they may be a secret (a forgotten
  // NAME makes KEY=VALUE the first word).
  if (!ValidateTemplateName(args[0]).ok()) {
    return Status::InvalidArgument(
        "the first word is not an environment name (letters, digits, '-' and '_'; not repeated "
        "here: it may be a secret): write NAME KEY=VALUE (e.g. payments-test API_KEY=abc)");
  }
  command->name = args[0];
  bool have_pair = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (IsKeyword(word, "--secret")) {
      command->secret = true;
    } else if (IsKeyword(word, "--env")) {
      command->as_env = true;
    } else if (!have_pair) {
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
  s = args[1].rfind('/', 0) == 0 ? ValidateRemovablePath(args[1]) : ValidateEnvKey(args[1]);
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

}  // namespace sandbot

namespace sandbot {

Status ValidateSeedName(const std::string& name) {
  Status s = ValidateSandboxName(name);
  if (s.ok()) return s;
  return Status::InvalidArgument("bad seed name " + EchoWord(name) +
                                 ": lower-case letters, digits and single '-' (e.g. pg-weekly)");
}

Status ValidateVolumeName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 && std::isalnum(static_cast<unsigned char>(name[0]));
  for (char c : name) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("bad volume name " + EchoWord(name) +
                                 ": letters, digits, '_', '.' and '-', at most 64, starting with "
                                 "a letter or digit");
}

namespace {

Status CheckImage(const std::string& image) {
  bool ok = !image.empty() && image.size() <= 255 && image[0] != '-';
  for (char c : image) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._/:@-", c) != nullptr);
  }
  return ok ? Status::Ok()
            : Status::InvalidArgument("bad image " + EchoWord(image) + ": expected NAME[:TAG]");
}

Status CheckSeedFile(const std::string& path) {
  if (path.empty() || path[0] != '/') {
    return Status::InvalidArgument(
        "--from-file needs an absolute path (the CLI makes a relative "
        "one absolute)");
  }
  if (path.size() > 4096) return Status::InvalidArgument("the path is longer than 4096 bytes");
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("the path holds a control character");
    }
  }
  return Status::Ok();
}

}  // namespace

bool ParseRefreshEvery(const std::string& text, int64_t* seconds) {
  // NUMBER then one unit: 30m, 12h, 7d, 2w; at least a minute (each
  // refresh copies the whole volume), at most a year.
  if (text.size() < 2 || text.size() > 8) return false;
  int64_t n = 0;
  size_t i = 0;
  for (; i + 1 < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    n = n * 10 + (text[i] - '0');
  }
  static const std::pair<char, int64_t> kUnits[] = {
      {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
  for (const auto& [unit, size] : kUnits) {
    if (text[i] == unit) {
      *seconds = n * size;
      return *seconds >= 60 && *seconds <= 366 * 86400;
    }
  }
  return false;
}

Status ParseSeedCreate(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME (e.g. pg-weekly)");
  Status s = ValidateSeedName(args[0]);
  if (!s.ok()) return s;
  command->name = args[0];
  bool from = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string word = Lower(args[i]);
    if (word == "--from" && !from) {
      if (i + 2 >= args.size()) return Missing("SANDBOX SERVICE:VOLUME after --from");
      s = CheckSandbox(args[i + 1], command);
      if (!s.ok()) return s;
      const std::string& sv = args[i + 2];
      size_t colon = sv.find(':');
      if (colon == std::string::npos) {
        return Status::InvalidArgument("expected SERVICE:VOLUME after the sandbox, got " +
                                       EchoWord(sv));
      }
      s = CheckService(sv.substr(0, colon), command);
      if (s.ok()) s = ValidateVolumeName(sv.substr(colon + 1));
      if (!s.ok()) return s;
      command->volume = sv.substr(colon + 1);
      from = true;
      i += 2;
    } else if (word == "--from-file" && !from) {
      if (i + 1 >= args.size()) return Missing("PATH after --from-file");
      s = CheckSeedFile(args[i + 1]);
      if (!s.ok()) return s;
      command->file = args[i + 1];
      from = true;
      ++i;
    } else if (word == "--image" && command->image.empty()) {
      if (i + 1 >= args.size()) return Missing("IMAGE after --image");
      s = CheckImage(args[i + 1]);
      if (!s.ok()) return s;
      command->image = args[i + 1];
      ++i;
    } else if (word == "--refresh-every" && command->refresh_every == 0) {
      if (i + 1 >= args.size()) return Missing("DURATION after --refresh-every (e.g. 7d)");
      if (!ParseRefreshEvery(Lower(args[i + 1]), &command->refresh_every)) {
        return Status::InvalidArgument("bad --refresh-every " + EchoWord(args[i + 1]) +
                                       ": a number and m, h, d or w (e.g. 12h, 7d), from 1m to "
                                       "a year");
      }
      ++i;
    } else {
      return Unexpected(args[i]);
    }
  }
  if (!from) return Missing("--from SANDBOX SERVICE:VOLUME or --from-file PATH");
  return Status::Ok();
}

Status ParseSeedName(const Words& args, Command* command) {
  if (args.empty()) return Missing("NAME");
  if (args.size() > 1) return Unexpected(args[1]);
  Status s = ValidateSeedName(args[0]);
  if (s.ok()) command->name = args[0];
  return s;
}

}  // namespace sandbot
