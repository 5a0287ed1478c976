#include "bot/secret_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>

#include "handlers/names.h"

namespace sandbot {

namespace fs = std::filesystem;

namespace {

Status PrivateDir(const std::string& path) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Unavailable("cannot create " + path + ": " + std::strerror(errno));
  }
  if (chmod(path.c_str(), 0700) != 0) {
    return Status::Unavailable("cannot restrict " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Status WriteFile(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("cannot create " + path + ": " + std::strerror(errno));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      return Status::Unavailable("cannot write " + path + ": " + std::strerror(err) +
                                 " (disk full?)");
    }
    done += static_cast<size_t>(n);
  }
  // Readable by a non-root user in the container; the 0700 folders above
  // keep everyone else on the host out.
  int rc = fchmod(fd, 0444);
  close(fd);
  if (rc != 0) return Status::Unavailable("cannot set the mode of " + path);
  return Status::Ok();
}

// "/etc/app/app.conf" → "app.conf": a readable name on the host side.
std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Status WriteServiceFiles(const std::string& data_dir, const std::string& sandbox,
                         const std::string& service, const ResolvedEnv& env,
                         std::vector<std::string>* binds) {
  Status valid = ValidateSandboxName(sandbox);
  if (valid.ok()) valid = ValidateServiceName(service);
  if (!valid.ok()) return valid;
  // An entry stored before paths were checked as they are now (`/etc/.`,
  // `/var/run/secrets/TOKEN`) is refused here, before anything changes.
  for (const ResolvedFile& f : env.files) {
    Status path = ValidateContainerPath(f.path);
    if (!path.ok()) {
      return Status::InvalidArgument(
          "an attached environment's file cannot be mounted: " + path.message() +
          "; remove it with `/env unset ENV " + f.path + "`");
    }
  }
  const std::string dir = SecretsDir(data_dir, sandbox, service);
  RemoveServiceFiles(data_dir, sandbox, service);
  if (env.secrets.empty() && env.files.empty()) return Status::Ok();
  const fs::path p(dir);
  for (const fs::path& d :
       {p.parent_path().parent_path(), p.parent_path(), p, p / "run", p / "files"}) {
    Status s = PrivateDir(d.string());
    if (!s.ok()) return s;
  }
  for (const auto& [key, value] : env.secrets) {
    const std::string host = (p / "run" / key).string();
    Status s = WriteFile(host, value);
    if (!s.ok()) return s;
    binds->push_back(host + ":/run/secrets/" + key + ":ro");
  }
  int n = 0;
  for (const ResolvedFile& f : env.files) {
    const std::string host =
        (p / "files" / (std::to_string(n++) + "-" + BaseName(f.path))).string();
    Status s = WriteFile(host, f.content);
    if (!s.ok()) return s;
    binds->push_back(host + ":" + f.path + ":ro");
  }
  return Status::Ok();
}

Status ResolveForService(Db* db, const SecretKeys* keys, const std::string& sandbox,
                         const std::string& service, ResolvedEnv* env) {
  static const SecretKeys kNone{SecretBox()};
  return ResolveEnvironment(db, keys ? *keys : kNone, sandbox, service, env);
}

Status InjectEnvironment(const std::string& data_dir, const std::string& sandbox,
                         const std::string& service, const ResolvedEnv& env, ContainerSpec* spec,
                         std::string* summary) {
  summary->clear();
  Status s = WriteServiceFiles(data_dir, sandbox, service, env, &spec->binds);
  if (!s.ok() || env.empty()) return s;
  std::set<std::string> taken;
  for (const std::string& kv : spec->env) taken.insert(kv.substr(0, kv.find('=')));
  std::string vars, ignored;
  for (const std::string& kv : env.env) {
    const std::string key = kv.substr(0, kv.find('='));
    if (taken.count(key)) {
      ignored += (ignored.empty() ? "" : ", ") + key;
      continue;
    }
    spec->env.push_back(kv);
    vars += (vars.empty() ? "" : ", ") + key;
  }
  std::string secrets, files;
  for (const auto& kv : env.secrets) secrets += (secrets.empty() ? "" : ", ") + kv.first;
  for (const ResolvedFile& f : env.files) files += (files.empty() ? "" : ", ") + f.path;
  std::string from;
  for (const std::string& e : env.sources) from += (from.empty() ? "" : ", ") + e;
  *summary = "environment " + from + ":";
  if (!vars.empty()) *summary += " variables " + vars + ";";
  if (!secrets.empty()) *summary += " secrets " + secrets + " (/run/secrets);";
  if (!files.empty()) *summary += " files " + files + ";";
  if (!ignored.empty()) *summary += " ignored " + ignored + " (set by sandbot);";
  summary->pop_back();
  return Status::Ok();
}

void RemoveServiceFiles(const std::string& data_dir, const std::string& sandbox,
                        const std::string& service) {
  // Names come from the store or engine labels: never a path outside.
  if (!ValidateSandboxName(sandbox).ok() || !ValidateServiceName(service).ok()) return;
  std::error_code ec;
  fs::remove_all(SecretsDir(data_dir, sandbox, service), ec);
}

void RemoveSandboxFiles(const std::string& data_dir, const std::string& sandbox) {
  if (!ValidateSandboxName(sandbox).ok()) return;
  std::error_code ec;
  fs::remove_all(SandboxSecretsDir(data_dir, sandbox), ec);
}

}  // namespace sandbot
