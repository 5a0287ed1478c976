#include "bot/compose_source.h"

#include <map>

#include "compose/interpolate.h"
#include "handlers/compose_plan.h"

namespace sandbot {

namespace {

// A compose file, and every file it names, is small; larger is an accident.
constexpr size_t kMaxComposeBytes = 1 << 20;

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

}  // namespace

Status LoadComposeCommit(GitRepo* git, const std::string& sha, const std::string& compose_file,
                         const std::string& sandbox, const std::string& branch,
                         const std::vector<std::pair<int, int>>& host_port_ranges,
                         ComposeCommit* out) {
  *out = ComposeCommit();
  std::string file = compose_file;
  if (file.empty()) {
    for (const std::string& name : ComposeFileNames()) {
      bool has = false;
      Status s = git->HasFile(sha, name, &has);
      if (!s.ok()) return s;
      if (has) {
        file = name;
        break;
      }
    }
    if (file.empty()) return Status::Ok();
  }
  std::string text;
  Status s = git->ReadFile(sha, file, kMaxComposeBytes, &text);
  if (s.IsNotFound() && compose_file.empty()) return Status::Ok();
  if (!s.ok()) return s;
  ComposeOptions options;
  options.file = file;
  options.base = DirOf(file);
  std::string dotenv;
  std::map<std::string, std::string> vars;
  if (git->ReadFile(sha, options.base.empty() ? ".env" : options.base + "/.env", kMaxComposeBytes,
                    &dotenv)
          .ok()) {
    vars = ParseDotEnv(dotenv);
  }
  vars["SANDBOT_SANDBOX"] = sandbox;
  vars["SANDBOT_BRANCH"] = branch;
  vars["SANDBOT_COMMIT"] = sha;
  options.lookup = [&vars](const std::string& name, std::string* value) {
    auto it = vars.find(name);
    if (it == vars.end()) return false;
    *value = it->second;
    return true;
  };
  options.read_file = [git, &sha](const std::string& rel, std::string* content) {
    return git->ReadFile(sha, rel, kMaxComposeBytes, content);
  };
  options.host_port_ranges = host_port_ranges;
  std::vector<ComposeProblem> errors;
  s = ParseCompose(text, options, &out->project, &errors, &out->warnings);
  if (!s.ok()) return s;
  out->file = file;
  out->enabled = EnabledServices(out->project, {});
  // Parsed, but not yet part of a deploy: said so, never dropped in silence.
  auto not_yet = [&](int line, const std::string& key, const std::string& what) {
    out->warnings.push_back({file, line, key, what + " are not deployed by sandbot yet; ignored"});
  };
  for (const ComposeService& s : out->project.services) {
    if (!s.secrets.empty()) not_yet(s.line, "services." + s.name + ".secrets", "secrets");
    if (!s.configs.empty()) not_yet(s.line, "services." + s.name + ".configs", "configs");
  }
  if (!out->project.gateway.empty()) {
    not_yet(0, "x-sandbot.gateway", "gateways named in the file");
  }
  if (out->enabled.empty()) {
    return Status::InvalidArgument(file + ": no service runs without a profile");
  }
  return Status::Ok();
}

}  // namespace sandbot
