#include "bot/data_modes.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/engine_names.h"

namespace sandbot {

namespace fs = std::filesystem;

namespace {

// Takes the permissions of "others" off `path` (never through a symlink).
// False when it could not.
bool CloseToOthers(const std::string& path, std::vector<std::string>* fixed) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) return true;
  if ((st.st_mode & 0007) == 0) return true;
  if (chmod(path.c_str(), st.st_mode & 07770) != 0) return false;
  fixed->push_back(path);
  return true;
}

}  // namespace

Status SecureDataFolder(const std::string& data_dir, std::vector<std::string>* fixed) {
  umask(kDaemonUmask);
  if (!CloseToOthers(data_dir, fixed)) {
    return Status::Unavailable("cannot restrict " + data_dir + ": " + std::strerror(errno));
  }
  // Their contents have modes of their own (see the header).
  const fs::path work = fs::path(WorkRoot(data_dir)).filename();
  const fs::path secrets = fs::path(SandboxSecretsDir(data_dir, "x")).parent_path().filename();
  std::error_code ec;
  fs::recursive_directory_iterator it(data_dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Status::Unavailable("cannot read " + data_dir + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;  // a file gone meanwhile: the rest is mended next start
    const fs::path& path = it->path();
    // Best effort: a file that cannot be changed keeps its mode, and the
    // daemon starts all the same (it is said in the log by the caller).
    CloseToOthers(path.string(), fixed);
    if (it.depth() == 0 && (path.filename() == work || path.filename() == secrets)) {
      it.disable_recursion_pending();
    }
  }
  return Status::Ok();
}

}  // namespace sandbot
