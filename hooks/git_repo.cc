#include "hooks/git_repo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>

#include "hooks/tar_writer.h"

namespace sandbot {
namespace {

// RAII owners so every early return frees what it looked up.
template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object, git_object_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry, git_tree_entry_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob, git_blob_free>>;
using ConfigPtr = std::unique_ptr<git_config, Deleter<git_config, git_config_free>>;
using RefPtr = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;

// Beyond this a tree is hostile rather than a project; it also bounds recursion.
constexpr int kMaxTreeDepth = 256;

Status InitLibgit2() {
  static std::once_flag once;
  static int rc = 0;
  std::call_once(once, [] { rc = git_libgit2_init(); });
  if (rc < 0) return Status::Unavailable("cannot initialise libgit2");
  return Status::Ok();
}

// "<what>: <libgit2's reason>", with the code mapped from libgit2's error.
Status GitError(int rc, const std::string& what) {
  const git_error* e = git_error_last();
  std::string msg = what + ": " + (e && e->message ? e->message : "unknown libgit2 error");
  while (!msg.empty() && (msg.back() == ' ' || msg.back() == '\n')) msg.pop_back();
  switch (rc) {
    case GIT_ENOTFOUND:
    case GIT_EUNBORNBRANCH: return Status::NotFound(msg);
    case GIT_EEXISTS: return Status::Conflict(msg);
    case GIT_EAMBIGUOUS:
    case GIT_EINVALIDSPEC:
    case GIT_EPEEL: return Status::InvalidArgument(msg);
    case GIT_ELOCKED: return Status::Unavailable(msg);
    default: return Status::Internal(msg);
  }
}

Status ErrnoError(const std::string& what) {
  int err = errno;
  std::string msg = what + ": " + std::strerror(err);
  if (err == ENOSPC || err == EDQUOT || err == EROFS) return Status::Unavailable(msg);
  if (err == EACCES || err == EPERM) return Status::Forbidden(msg);
  return Status::Internal(msg);
}

// The repository as a person would name it: the work tree, else the git dir.
std::string RepoName(git_repository* repo) {
  const char* p = git_repository_workdir(repo);
  if (!p) p = git_repository_path(repo);
  std::string s = p ? p : "?";
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// What is at a path we are about to create something in.
enum class PathState { kMissing, kEmptyDir, kNonEmptyDir, kNotDir };

Status Inspect(const std::string& path, PathState* state) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      *state = PathState::kMissing;
      return Status::Ok();
    }
    return ErrnoError("cannot inspect " + path);
  }
  if (!S_ISDIR(st.st_mode)) {
    *state = PathState::kNotDir;
    return Status::Ok();
  }
  DIR* d = opendir(path.c_str());
  if (!d) return ErrnoError("cannot list " + path);
  *state = PathState::kEmptyDir;
  while (struct dirent* ent = readdir(d)) {
    if (std::strcmp(ent->d_name, ".") != 0 && std::strcmp(ent->d_name, "..") != 0) {
      *state = PathState::kNonEmptyDir;
      break;
    }
  }
  closedir(d);
  return Status::Ok();
}

// mkdir -p.
Status MakeDirs(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    std::string part = path.substr(0, pos);
    if (mkdir(part.c_str(), 0755) == 0) continue;
    if (errno != EEXIST) return ErrnoError("cannot create directory " + part);
    struct stat st;
    if (stat(part.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument("cannot create directory " + path + ": " + part +
                                     " exists and is not a directory");
    }
  }
  return Status::Ok();
}

// The repository's own config file, never ~/.gitconfig or /etc/gitconfig.
Status OpenLocalConfig(git_repository* repo, ConfigPtr* out) {
  git_config* all_raw = nullptr;
  int rc = git_repository_config(&all_raw, repo);
  if (rc < 0) return GitError(rc, "cannot read the config of " + RepoName(repo));
  ConfigPtr all(all_raw);
  git_config* local_raw = nullptr;
  rc = git_config_open_level(&local_raw, all.get(), GIT_CONFIG_LEVEL_LOCAL);
  if (rc < 0) return GitError(rc, "cannot open the config of " + RepoName(repo));
  out->reset(local_raw);
  return Status::Ok();
}

Status ConfigSetError(int rc, git_repository* repo, const std::string& key) {
  // libgit2 reports malformed keys with a generic code; name them as such.
  const git_error* e = git_error_last();
  if (rc == GIT_ERROR && e && e->klass == GIT_ERROR_CONFIG) rc = GIT_EINVALIDSPEC;
  return GitError(rc, "cannot set " + key + " in the config of " + RepoName(repo));
}

Status LoadCommit(git_repository* repo, const std::string& spec, CommitPtr* out) {
  if (spec.empty()) return Status::InvalidArgument("empty commit name");
  git_object* raw = nullptr;
  int rc = git_revparse_single(&raw, repo, spec.c_str());
  if (rc < 0) {
    if (rc == GIT_EUNBORNBRANCH) rc = GIT_ENOTFOUND;  // an unborn HEAD is just as absent
    return GitError(rc, (rc == GIT_ENOTFOUND ? "no commit named " : "cannot resolve ") + spec +
                            " in " + RepoName(repo));
  }
  ObjectPtr obj(raw);
  git_object* peeled = nullptr;
  rc = git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT);
  if (rc < 0) {
    return Status::InvalidArgument(spec + " in " + RepoName(repo) + " is a " +
                                   git_object_type2string(git_object_type(obj.get())) +
                                   ", not a commit");
  }
  out->reset(reinterpret_cast<git_commit*>(peeled));
  return Status::Ok();
}

// What a tree entry becomes on disk or in the tar.
enum class Kind { kDir, kFile, kExecutable, kSymlink };

// Called pre-order for every entry except submodules; `blob` is null for
// directories. Paths are relative, '/'-separated, without a trailing slash.
using Visitor = std::function<Status(const std::string& path, Kind kind, const git_blob* blob)>;

bool SafeName(const char* name) {
  return name[0] != '\0' && std::strcmp(name, ".") != 0 && std::strcmp(name, "..") != 0 &&
         std::strchr(name, '/') == nullptr;
}

Status WalkTree(git_repository* repo, const git_tree* tree, const std::string& prefix, int depth,
                const Visitor& visit) {
  if (depth > kMaxTreeDepth) {
    return Status::InvalidArgument("tree is nested deeper than " + std::to_string(kMaxTreeDepth) +
                                   " levels at " + prefix);
  }
  size_t n = git_tree_entrycount(tree);
  // Git never writes two entries with one name, but a crafted tree can (a
  // symlink "a" then a directory "a/"), hoping to write through the link.
  std::set<std::string> seen;
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry* e = git_tree_entry_byindex(tree, i);
    const char* name = git_tree_entry_name(e);
    // libgit2 does not reject these when parsing a pushed tree; never let
    // one escape the destination.
    if (!SafeName(name)) {
      return Status::InvalidArgument("tree has an unsafe entry name \"" + std::string(name) +
                                     "\" under \"" + prefix + "\"");
    }
    std::string path = prefix.empty() ? name : prefix + "/" + name;
    if (!seen.insert(name).second) {
      return Status::InvalidArgument("tree has two entries named " + path);
    }
    git_filemode_t mode = git_tree_entry_filemode(e);
    if (mode == GIT_FILEMODE_COMMIT) continue;  // submodule: not our content
    if (mode == GIT_FILEMODE_TREE) {
      git_tree* sub_raw = nullptr;
      int rc = git_tree_lookup(&sub_raw, repo, git_tree_entry_id(e));
      if (rc < 0) return GitError(rc, "cannot read directory " + path);
      TreePtr sub(sub_raw);
      Status s = visit(path, Kind::kDir, nullptr);
      if (!s.ok()) return s;
      s = WalkTree(repo, sub.get(), path, depth + 1, visit);
      if (!s.ok()) return s;
      continue;
    }
    Kind kind;
    switch (mode) {
      case GIT_FILEMODE_BLOB_EXECUTABLE: kind = Kind::kExecutable; break;
      case GIT_FILEMODE_LINK: kind = Kind::kSymlink; break;
      case GIT_FILEMODE_BLOB: kind = Kind::kFile; break;
      default:
        return Status::InvalidArgument("tree entry " + path + " has unknown mode " +
                                       std::to_string(static_cast<int>(mode)));
    }
    git_blob* blob_raw = nullptr;
    int rc = git_blob_lookup(&blob_raw, repo, git_tree_entry_id(e));
    if (rc < 0) return GitError(rc, "cannot read file " + path);
    BlobPtr blob(blob_raw);
    if (kind == Kind::kSymlink) {
      size_t size = static_cast<size_t>(git_blob_rawsize(blob.get()));
      const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
      if (size == 0 || std::memchr(data, '\0', size) != nullptr) {
        return Status::InvalidArgument("symlink " + path + " has an empty or binary target");
      }
    }
    Status s = visit(path, kind, blob.get());
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status CommitTree(git_commit* commit, const std::string& spec, TreePtr* tree) {
  git_tree* raw = nullptr;
  int rc = git_commit_tree(&raw, commit);
  if (rc < 0) return GitError(rc, "cannot read the tree of " + spec);
  tree->reset(raw);
  return Status::Ok();
}

// The commit `spec` names and its root tree.
Status LoadCommitTree(git_repository* repo, const std::string& spec, CommitPtr* commit,
                      TreePtr* tree) {
  Status s = LoadCommit(repo, spec, commit);
  return s.ok() ? CommitTree(commit->get(), spec, tree) : s;
}

// The tree entry at `path` in commit `sha`; Ok with *entry empty when the
// commit has nothing there.
Status LookUpPath(git_repository* repo, const std::string& sha, const std::string& path,
                  TreeEntryPtr* entry) {
  CommitPtr commit;
  TreePtr tree;
  Status s = LoadCommitTree(repo, sha, &commit, &tree);
  if (!s.ok()) return s;
  git_tree_entry* raw = nullptr;
  int rc = git_tree_entry_bypath(&raw, tree.get(), path.c_str());
  if (rc == GIT_ENOTFOUND) return Status::Ok();
  if (rc < 0) return GitError(rc, "cannot look up " + path + " in " + sha);
  entry->reset(raw);
  return Status::Ok();
}

// Writes `data` to a new file; O_EXCL|O_NOFOLLOW so nothing in the tree can
// redirect the write through a symlink or overwrite an earlier entry.
Status WriteNewFile(const std::string& path, const char* data, size_t size, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("cannot create " + path);
  size_t done = 0;
  while (done < size) {
    ssize_t w = write(fd, data + done, size - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      Status s = ErrnoError("cannot write " + path);
      close(fd);
      return s;
    }
    done += static_cast<size_t>(w);
  }
  // Exact modes regardless of the daemon's umask.
  if (fchmod(fd, mode) != 0) {
    Status s = ErrnoError("cannot chmod " + path);
    close(fd);
    return s;
  }
  if (close(fd) != 0) return ErrnoError("cannot write " + path);
  return Status::Ok();
}

}  // namespace

GitRepo::~GitRepo() { git_repository_free(repo_); }

Status GitRepo::Open(const std::string& path, std::unique_ptr<GitRepo>* out) {
  Status s = InitLibgit2();
  if (!s.ok()) return s;
  git_repository* raw = nullptr;
  int rc = git_repository_open(&raw, path.c_str());
  if (rc < 0) return GitError(rc, "cannot open repository " + path);
  out->reset(new GitRepo(raw));
  return Status::Ok();
}

Status GitRepo::InitBare(const std::string& path, const std::string& default_branch) {
  Status s = InitLibgit2();
  if (!s.ok()) return s;
  if (path.empty()) return Status::InvalidArgument("empty repository path");
  int valid = 0;
  std::string head = "refs/heads/" + default_branch;
  if (default_branch.empty() || git_reference_name_is_valid(&valid, head.c_str()) < 0 || !valid) {
    return Status::InvalidArgument("\"" + default_branch + "\" is not a valid branch name");
  }
  PathState state;
  s = Inspect(path, &state);
  if (!s.ok()) return s;
  if (state == PathState::kNonEmptyDir || state == PathState::kNotDir) {
    return Status::Conflict("cannot create repository " + path + ": the path already exists");
  }
  git_repository_init_options opts;
  git_repository_init_options_init(&opts, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
  // NO_REINIT turns a concurrent creation into an error instead of a merge.
  opts.flags =
      GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH | GIT_REPOSITORY_INIT_NO_REINIT;
  opts.initial_head = default_branch.c_str();
  git_repository* raw = nullptr;
  int rc = git_repository_init_ext(&raw, path.c_str(), &opts);
  if (rc < 0) return GitError(rc, "cannot create repository " + path);
  git_repository_free(raw);
  return Status::Ok();
}

Status GitRepo::SetConfig(const std::string& key, const std::string& value) {
  ConfigPtr local;
  Status s = OpenLocalConfig(repo_, &local);
  if (!s.ok()) return s;
  int rc = git_config_set_string(local.get(), key.c_str(), value.c_str());
  return rc < 0 ? ConfigSetError(rc, repo_, key) : Status::Ok();
}

Status GitRepo::SetConfigBool(const std::string& key, bool value) {
  ConfigPtr local;
  Status s = OpenLocalConfig(repo_, &local);
  if (!s.ok()) return s;
  int rc = git_config_set_bool(local.get(), key.c_str(), value ? 1 : 0);
  return rc < 0 ? ConfigSetError(rc, repo_, key) : Status::Ok();
}

Status GitRepo::ResolveCommit(const std::string& spec, std::string* sha) {
  CommitPtr commit;
  Status s = LoadCommit(repo_, spec, &commit);
  if (!s.ok()) return s;
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof(buf), git_commit_id(commit.get()));
  *sha = buf;
  return Status::Ok();
}

Status GitRepo::HasFile(const std::string& sha, const std::string& path, bool* has) {
  *has = false;
  if (path.empty()) return Status::InvalidArgument("empty file path");
  TreeEntryPtr entry;
  Status s = LookUpPath(repo_, sha, path, &entry);
  if (!s.ok() || !entry) return s;
  *has = git_tree_entry_type(entry.get()) == GIT_OBJECT_BLOB;
  return Status::Ok();
}

Status GitRepo::ReadFile(const std::string& sha, const std::string& path, size_t max_bytes,
                         std::string* content) {
  content->clear();
  if (path.empty()) return Status::InvalidArgument("empty file path");
  TreeEntryPtr entry;
  Status s = LookUpPath(repo_, sha, path, &entry);
  if (!s.ok()) return s;
  if (!entry) return Status::NotFound("no file " + path + " in " + sha);
  // Symlinks are blobs too: only regular files count, so a link cannot point
  // the read outside the commit's own content.
  const git_filemode_t mode = git_tree_entry_filemode(entry.get());
  if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
    return Status::NotFound(path + " in " + sha + " is not a regular file");
  }
  git_blob* blob_raw = nullptr;
  int rc = git_blob_lookup(&blob_raw, repo_, git_tree_entry_id(entry.get()));
  if (rc < 0) return GitError(rc, "cannot read " + path + " in " + sha);
  BlobPtr blob(blob_raw);
  const size_t size = static_cast<size_t>(git_blob_rawsize(blob.get()));
  if (size > max_bytes) {
    return Status::InvalidArgument(path + " is " + std::to_string(size) + " bytes; at most " +
                                   std::to_string(max_bytes) + " are read");
  }
  content->assign(static_cast<const char*>(git_blob_rawcontent(blob.get())), size);
  return Status::Ok();
}

Status GitRepo::ExportTar(const std::string& sha, std::string* tar) {
  return ExportTar(sha, "", tar);
}

Status GitRepo::ExportTar(const std::string& sha, const std::string& subdir, std::string* tar) {
  CommitPtr commit;
  TreePtr tree;
  Status s = LoadCommitTree(repo_, sha, &commit, &tree);
  if (!s.ok()) return s;
  if (!subdir.empty() && subdir != ".") {
    git_tree_entry* raw = nullptr;
    int rc = git_tree_entry_bypath(&raw, tree.get(), subdir.c_str());
    if (rc == GIT_ENOTFOUND) {
      return Status::NotFound("commit " + sha.substr(0, 12) + " has no folder " + subdir);
    }
    if (rc < 0) return GitError(rc, "cannot look up " + subdir + " in " + sha);
    TreeEntryPtr entry(raw);
    if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE) {
      return Status::NotFound("commit " + sha.substr(0, 12) + ": " + subdir + " is not a folder");
    }
    git_tree* sub = nullptr;
    rc = git_tree_lookup(&sub, repo_, git_tree_entry_id(entry.get()));
    if (rc < 0) return GitError(rc, "cannot read directory " + subdir);
    tree.reset(sub);
  }
  git_time_t t = git_commit_time(commit.get());
  uint64_t mtime = t > 0 ? static_cast<uint64_t>(t) : 0;
  std::string out;
  s = WalkTree(
      repo_, tree.get(), "", 0,
      [&](const std::string& path, Kind kind, const git_blob* blob) -> Status {
        if (kind == Kind::kDir) {
          tar::AppendEntry(&out, {path + "/", '5', 0755, 0, ""}, mtime, nullptr);
          return Status::Ok();
        }
        const char* data = static_cast<const char*>(git_blob_rawcontent(blob));
        uint64_t size = static_cast<uint64_t>(git_blob_rawsize(blob));
        if (kind == Kind::kSymlink) {
          tar::AppendEntry(&out, {path, '2', 0777, 0, std::string(data, size)}, mtime, nullptr);
        } else {
          uint32_t mode = kind == Kind::kExecutable ? 0755 : 0644;
          tar::AppendEntry(&out, {path, '0', mode, size, ""}, mtime, data);
        }
        return Status::Ok();
      });
  if (!s.ok()) return s;
  tar::Finish(&out);
  *tar = std::move(out);
  return Status::Ok();
}

Status GitRepo::Checkout(const std::string& sha, const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("empty checkout directory");
  CommitPtr commit;
  TreePtr tree;
  Status s = LoadCommitTree(repo_, sha, &commit, &tree);
  if (!s.ok()) return s;
  PathState state;
  s = Inspect(dir, &state);
  if (!s.ok()) return s;
  if (state == PathState::kNotDir) {
    return Status::InvalidArgument("cannot check out into " + dir + ": not a directory");
  }
  if (state == PathState::kNonEmptyDir) {
    return Status::InvalidArgument("cannot check out into " + dir + ": directory is not empty");
  }
  s = MakeDirs(dir);
  if (!s.ok()) return s;
  // The checkout is bind-mounted into a container whose user may be anyone:
  // open to all, whatever the daemon's umask (027: bot/data_modes.h).
  if (chmod(dir.c_str(), 0755) != 0) return ErrnoError("cannot chmod " + dir);
  std::string root = dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return WalkTree(repo_, tree.get(), "", 0,
                  [&](const std::string& path, Kind kind, const git_blob* blob) -> Status {
                    std::string full = root + "/" + path;
                    const char* data =
                        blob ? static_cast<const char*>(git_blob_rawcontent(blob)) : nullptr;
                    size_t size = blob ? static_cast<size_t>(git_blob_rawsize(blob)) : 0;
                    switch (kind) {
                      case Kind::kDir:
                        // Every directory is new (the root was empty), so EEXIST means a
                        // duplicate entry, possibly a symlink: never descend through it.
                        if (mkdir(full.c_str(), 0755) != 0)
                          return ErrnoError("cannot create " + full);
                        if (chmod(full.c_str(), 0755) != 0)
                          return ErrnoError("cannot chmod " + full);
                        return Status::Ok();
                      case Kind::kSymlink:
                        if (symlink(std::string(data, size).c_str(), full.c_str()) != 0) {
                          return ErrnoError("cannot create symlink " + full);
                        }
                        return Status::Ok();
                      case Kind::kFile: return WriteNewFile(full, data, size, 0644);
                      case Kind::kExecutable: return WriteNewFile(full, data, size, 0755);
                    }
                    return Status::Internal("unknown entry kind for " + full);
                  });
}

std::string GitRepo::DefaultBranch() {
  // HEAD itself, not its target: an empty repository's HEAD is unborn but
  // still symbolic.
  git_reference* raw = nullptr;
  if (git_reference_lookup(&raw, repo_, "HEAD") < 0) return "main";
  RefPtr head(raw);
  if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) return "main";
  const char* target = git_reference_symbolic_target(head.get());
  static const char kPrefix[] = "refs/heads/";
  if (!target || std::strncmp(target, kPrefix, sizeof(kPrefix) - 1) != 0) return "main";
  std::string branch = target + sizeof(kPrefix) - 1;
  return branch.empty() ? "main" : branch;
}

namespace {

struct FetchAuth {
  const std::string* user;
  const std::string* password;
  int asked = 0;
};

// libgit2 asks again after a refusal; a second ask means the token is wrong.
int AnswerCredentials(git_credential** out, const char*, const char*, unsigned int allowed,
                      void* payload) {
  auto* auth = static_cast<FetchAuth*>(payload);
  if (auth->password->empty() || ++auth->asked > 1) return GIT_PASSTHROUGH;
  if (!(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT)) return GIT_PASSTHROUGH;
  return git_credential_userpass_plaintext_new(out, auth->user->c_str(), auth->password->c_str());
}

}  // namespace

Status GitRepo::Fetch(const std::string& url, const std::vector<std::string>& refspecs,
                      const std::string& user, const std::string& password) {
  git_remote* raw = nullptr;
  // Anonymous, and without url.*.insteadOf: the URL is the forge repo's as
  // configured. Looking those rewrites up also leaks a regex match buffer
  // per config entry in Debian's libgit2 1.5 (git_regexp_match), once for
  // every fetch of a long-running daemon.
  // The _init functions, not the INIT macros: those leave fields out, which
  // clang's -Wmissing-field-initializers (the fuzz build) refuses.
  git_remote_create_options create;
  git_remote_create_options_init(&create, GIT_REMOTE_CREATE_OPTIONS_VERSION);
  create.repository = repo_;
  create.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  int rc = git_remote_create_with_opts(&raw, url.c_str(), &create);
  if (rc < 0) return GitError(rc, "cannot fetch into " + RepoName(repo_));
  std::unique_ptr<git_remote, Deleter<git_remote, git_remote_free>> remote(raw);
  std::vector<char*> specs;
  for (const std::string& s : refspecs) specs.push_back(const_cast<char*>(s.c_str()));
  git_strarray arr{specs.data(), specs.size()};
  FetchAuth auth{&user, &password};
  git_fetch_options opts;
  git_fetch_options_init(&opts, GIT_FETCH_OPTIONS_VERSION);
  opts.callbacks.credentials = AnswerCredentials;
  opts.callbacks.payload = &auth;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  rc = git_remote_fetch(remote.get(), &arr, &opts, nullptr);
  if (rc < 0)
    return GitError(rc == GIT_ENOTFOUND ? GIT_ERROR : rc, "cannot fetch into " + RepoName(repo_));
  return Status::Ok();
}

}  // namespace sandbot
