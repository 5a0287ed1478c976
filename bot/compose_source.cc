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
  // What the services' secrets and configs hold, read once from the commit.
  for (const std::string& name : out->enabled) {
    const ComposeService& svc = *out->project.Find(name);
    for (const bool secret : {true, false}) {
      const auto& top = secret ? out->project.secrets : out->project.configs;
      auto& contents = secret ? out->contents.secrets : out->contents.configs;
      const std::string kind = secret ? "secrets" : "configs";
      for (const ComposeFileRef& ref : secret ? svc.secrets : svc.configs) {
        if (ref.mode >= 0 || !ref.uid.empty() || !ref.gid.empty()) {
          out->warnings.push_back({file, svc.line, "services." + name + "." + kind,
                                   "uid, gid and mode are not applied: the file is read-only, "
                                   "mode 0444, owned by root"});
        }
        const ComposeFileSource& src = top.at(ref.source);
        if (src.external || contents.count(ref.source)) continue;
        std::string content;
        if (!src.file.empty()) {
          s = git->ReadFile(sha, src.file, kMaxComposeBytes, &content);
          if (s.IsNotFound()) {
            return Status::InvalidArgument(file + ": " + kind + "." + ref.source + ".file: " +
                                           src.file + " is not in commit " + sha.substr(0, 12));
          }
          if (!s.ok()) return s;
        } else {
          auto it = vars.find(src.environment);
          if (it == vars.end()) {
            return Status::InvalidArgument(
                file + ": " + kind + "." + ref.source + ".environment: " + src.environment +
                " is not set (in .env beside the file, or SANDBOT_SANDBOX, SANDBOT_BRANCH, "
                "SANDBOT_COMMIT)");
          }
          content = it->second;
        }
        contents[ref.source] = content;
      }
    }
  }
  if (out->enabled.empty()) {
    return Status::InvalidArgument(file + ": no service runs without a profile");
  }
  return Status::Ok();
}

}  // namespace sandbot
