// GitRepo: the only place sandbot talks to git, through libgit2 (never the git
// CLI). Reads pushed commits of bare repositories and turns them into build
// contexts (a tar stream) or work folders.
//
// Thread-safety: one GitRepo per thread; libgit2 is initialised once per
// process by the first Open/InitBare.
#ifndef SANDBOT_HOOKS_GIT_REPO_H_
#define SANDBOT_HOOKS_GIT_REPO_H_

#include <memory>
#include <string>
#include <vector>

#include "util/status.h"

struct git_repository;

namespace sandbot {

class GitRepo {
 public:
  ~GitRepo();
  GitRepo(const GitRepo&) = delete;
  GitRepo& operator=(const GitRepo&) = delete;

  static Status Open(const std::string& path, std::unique_ptr<GitRepo>* out);
  // Creates a bare repository at `path` (parents included) whose HEAD points
  // at refs/heads/{default_branch}. Conflict when something already exists.
  static Status InitBare(const std::string& path, const std::string& default_branch);

  Status SetConfig(const std::string& key, const std::string& value);
  Status SetConfigBool(const std::string& key, bool value);

  // Resolves a full or abbreviated sha, or a ref name, to a 40-hex commit id.
  Status ResolveCommit(const std::string& spec, std::string* sha);
  // Whether the commit's tree has a blob at `path` ("Dockerfile", "a/b").
  Status HasFile(const std::string& sha, const std::string& path, bool* has);
  // The content of the regular file at `path` in the commit ("compose.yaml",
  // "app/.env"): NotFound when there is none (a folder, a symlink or a
  // submodule is not one), InvalidArgument when larger than `max_bytes`.
  Status ReadFile(const std::string& sha, const std::string& path, size_t max_bytes,
                  std::string* content);
  // The commit's whole tree as an uncompressed POSIX tar (ustar, with pax
  // headers for long names): regular files keep their executable bit,
  // symlinks stay symlinks, submodules are skipped. Entry times are the
  // commit time so the same commit always gives the same bytes.
  Status ExportTar(const std::string& sha, std::string* tar);
  // The same for the folder `subdir` of the commit ("app/api"; "" or "." is
  // the root), its entries at the tar's root: a Compose build context.
  // NotFound when the commit has no such folder.
  Status ExportTar(const std::string& sha, const std::string& subdir, std::string* tar);
  // Writes the commit's tree into `dir` (created if missing, must be empty).
  Status Checkout(const std::string& sha, const std::string& dir);
  // The branch HEAD points at ("main"), even in an empty repository.
  std::string DefaultBranch();
  // Fetches `refspecs` ("+refs/pull/7/head:refs/pull/7/head") from `url`
  // (https, ssh, or a local path). With a `password`, HTTP asks are answered
  // with basic auth `user`:`password`; it never appears in a message.
  Status Fetch(const std::string& url, const std::vector<std::string>& refspecs,
               const std::string& user, const std::string& password);

 private:
  explicit GitRepo(git_repository* repo) : repo_(repo) {}
  git_repository* repo_;
};

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_GIT_REPO_H_
