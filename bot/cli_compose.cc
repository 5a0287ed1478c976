#include "bot/cli_compose.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "bot/cli_util.h"
#include "compose/compose_file.h"
#include "compose/compose_render.h"
#include "hooks/git_repo.h"
#include "store/repos.h"

namespace sandbot {
namespace {

// A compose file, and every file it names, is small; larger is an accident.
constexpr size_t kMaxComposeBytes = 1 << 20;

Status ReadDiskFile(const std::string& path, std::string* content) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::NotFound("no file " + path);
  }
  if (static_cast<size_t>(st.st_size) > kMaxComposeBytes) {
    return Status::InvalidArgument(path + " is larger than 1 MiB");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Status::Unavailable("cannot read " + path);
  *content = text.str();
  return Status::Ok();
}

// "a/b/compose.yaml" -> "a/b"; "compose.yaml" -> "".
std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

bool IsFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Where the file and the files it names come from.
struct Source {
  std::string file;  // the compose file, relative to `root` on disk or in the commit
  std::string root;  // disk: the folder standing for the checkout; commit: "."
  std::function<Status(const std::string&, std::string*)> read;  // root-relative
};

Status DiskSource(const std::string& target, const std::string& compose, Source* src) {
  std::string path = target;
  if (path.empty() || (!IsFile(path) && !compose.empty())) {
    // A folder (or the current one): the first standard name in it.
    const std::string dir = path.empty() ? "." : path;
    path.clear();
    if (!compose.empty()) {
      path = dir + "/" + compose;
    } else {
      for (const std::string& name : ComposeFileNames()) {
        if (IsFile(dir + "/" + name)) {
          path = dir + "/" + name;
          break;
        }
      }
      if (path.empty())
        return Status::NotFound(
            "no compose.yaml (or compose.yml, docker-compose.yaml, docker-compose.yml) in " +
            Absolute(dir));
    }
  } else if (!IsFile(path)) {
    std::string found;
    for (const std::string& name : ComposeFileNames()) {
      if (IsFile(path + "/" + name)) {
        found = path + "/" + name;
        break;
      }
    }
    if (found.empty()) return Status::NotFound("no compose file at " + path);
    path = found;
  }
  const std::string abs = Absolute(path);
  src->root = DirOf(abs).empty() ? "/" : DirOf(abs);
  src->file = abs.substr(abs.rfind('/') + 1);
  const std::string root = src->root;
  src->read = [root](const std::string& rel, std::string* content) {
    return ReadDiskFile(root + "/" + rel, content);
  };
  return Status::Ok();
}

Status CommitSource(const Config& config, const std::string& target, const std::string& compose,
                    Source* src, std::string* shown) {
  const size_t at = target.find('@');
  const std::string name = target.substr(0, at), branch = target.substr(at + 1);
  if (name.empty() || branch.empty()) {
    return Status::InvalidArgument("'" + target + "' is not REPO@BRANCH");
  }
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  Repo repo;
  if (s.ok()) s = GetRepo(db.get(), name, &repo);
  if (!s.ok()) return s;
  std::shared_ptr<GitRepo> git;
  {
    std::unique_ptr<GitRepo> opened;
    s = GitRepo::Open(repo.path, &opened);
    if (!s.ok()) return s;
    git = std::move(opened);
  }
  std::string sha;
  s = git->ResolveCommit("refs/heads/" + branch, &sha);
  if (!s.ok()) return s;
  // The repo's own compose file (repo add --compose) unless --compose names another.
  const std::string file = compose.empty() ? repo.compose_file : compose;
  src->root = ".";
  src->read = [git, sha](const std::string& rel, std::string* content) {
    return git->ReadFile(sha, rel, kMaxComposeBytes, content);
  };
  if (!file.empty()) {
    std::string rel;
    if (!NormalRelativePath(file, &rel)) {
      return Status::InvalidArgument("--compose must be a path inside the repository");
    }
    src->file = rel;
  } else {
    for (const std::string& file : ComposeFileNames()) {
      bool has = false;
      s = git->HasFile(sha, file, &has);
      if (!s.ok()) return s;
      if (has) {
        src->file = file;
        break;
      }
    }
    if (src->file.empty()) {
      return Status::NotFound(
          "no compose.yaml (or compose.yml, docker-compose.yaml, docker-compose.yml) in " + name +
          "@" + branch + " (" + sha.substr(0, 12) + ")");
    }
  }
  *shown = name + "@" + branch + ":" + src->file;
  return Status::Ok();
}

}  // namespace

void ComposeCli::Add(CLI::App* app) {
  auto* compose = app->add_subcommand("compose", "Compose files as sandbot reads them");
  compose->require_subcommand(1);
  config_ = compose->add_subcommand(
      "config",
      "Print a compose file as sandbot understands it (interpolated, normalised, checked): "
      "TARGET is a file or folder on disk (default: the current folder) or REPO@BRANCH, read "
      "from the branch's commit. Variables come from the environment, then .env beside the "
      "file. Warnings name keys sandbot does not support; refusals exit non-zero.");
  config_->add_option("target", target_, "FILE, FOLDER or REPO@BRANCH");
  config_->add_option("--compose", compose_file_,
                      "The compose file's path (in the folder or the repository) when it is not "
                      "compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml "
                      "(REPO@BRANCH: default the repo's own, from repo add --compose)");
  config_->add_flag("--json", json_, "Print JSON instead of YAML");
  config_->add_flag("-q,--quiet", quiet_, "Only check: print nothing but problems");
}

int ComposeCli::Run(const Config& config) const {
  if (!config_ || !config_->parsed()) return -1;
  Source src;
  std::string shown;
  Status s;
  const bool from_commit = !target_.empty() && target_.find('@') != std::string::npos &&
                           !IsFile(target_) && !IsFile(target_ + "/compose.yaml");
  if (from_commit) {
    s = CommitSource(config, target_, compose_file_, &src, &shown);
  } else {
    s = DiskSource(target_, compose_file_, &src);
    shown = src.root + "/" + src.file;
  }
  std::string text;
  if (s.ok()) s = src.read(src.file, &text);
  if (!s.ok()) return Fail(s);

  ComposeOptions options;
  options.file = shown;
  options.base = DirOf(src.file);
  std::string dotenv;
  const std::string dotenv_path = options.base.empty() ? ".env" : options.base + "/.env";
  std::map<std::string, std::string> vars;
  if (src.read(dotenv_path, &dotenv).ok()) vars = ParseDotEnv(dotenv);
  options.lookup = [&vars](const std::string& name, std::string* value) {
    if (const char* v = std::getenv(name.c_str())) {
      *value = v;
      return true;
    }
    auto it = vars.find(name);
    if (it == vars.end()) return false;
    *value = it->second;
    return true;
  };
  options.read_file = src.read;
  for (const std::string& range : {config.ports, config.gateway_ports}) {
    int lo = 0, hi = 0;
    if (ParsePortRange(range, &lo, &hi).ok()) options.host_port_ranges.emplace_back(lo, hi);
  }
  ComposeProject project;
  std::vector<ComposeProblem> errors, warnings;
  s = ParseCompose(text, options, &project, &errors, &warnings);
  for (const ComposeProblem& w : warnings) std::cerr << "warning: " << w.ToString() << "\n";
  if (!s.ok()) return Fail(s);
  if (quiet_) return 0;
  const nlohmann::json doc = ComposeToJson(project, src.root);
  if (json_) {
    // The parser admits UTF-8 only; replace rather than throw all the same.
    std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << JsonToYaml(doc);
  }
  return 0;
}

}  // namespace sandbot
