#define BOOST_TEST_DYN_LINK
#include "hooks/git_repo.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace sandbot {
namespace {

namespace fs = std::filesystem;

// Commit time of every fixture commit: 2021-01-02T03:04:05Z.
constexpr uint64_t kCommitTime = 1609556645;
const std::string kLongPath = std::string(70, 'a') + "/" + std::string(79, 'b');  // 150 bytes

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a shell command; returns its stdout and sets *rc to the exit status.
std::string Run(const std::string& cmd, int* rc = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  BOOST_REQUIRE_MESSAGE(p, "popen failed: " << cmd);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = pclose(p);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (rc) {
    *rc = code;
  } else {
    BOOST_REQUIRE_MESSAGE(code == 0, "command failed (" << code << "): " << cmd);
  }
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary);
  f << data;
}

unsigned Mode(const std::string& path) {
  struct stat st;
  BOOST_REQUIRE_MESSAGE(lstat(path.c_str(), &st) == 0, "missing " << path);
  return st.st_mode & 07777;
}

// A scratch directory under /tmp, removed with everything in it.
struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/sandbot-git-test-XXXXXX";
    BOOST_REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

// A work-tree repository with one commit exercising every entry kind.
struct RepoFixture {
  RepoFixture() {
    work = tmp.path + "/work";
    fs::create_directories(work);
    Git("init -q -b main");
    WriteFile(work + "/Dockerfile", "FROM scratch\nCOPY . /\n");
    WriteFile(work + "/run.sh", "#!/bin/sh\necho hi\n");
    chmod((work + "/run.sh").c_str(), 0755);
    WriteFile(work + "/empty", "");
    WriteFile(work + "/src/lib/deep.txt", "deep\n");
    WriteFile(work + "/" + kLongPath, "long\n");
    BOOST_REQUIRE(symlink("Dockerfile", (work + "/link").c_str()) == 0);
    BOOST_REQUIRE(symlink(kLongPath.c_str(), (work + "/longlink").c_str()) == 0);
    Git("add -A");
    // A submodule entry (gitlink) without any .gitmodules: must be skipped.
    Git("update-index --add --cacheinfo 160000,1111111111111111111111111111111111111111,sub");
    Git("commit -q -m first");
    Git("tag -a v1 -m v1");
    sha = Trim(Git("rev-parse HEAD"));
  }

  // git with a fixed identity and clock, isolated from the user's config.
  std::string Git(const std::string& args, const std::string& dir = "") {
    std::string env =
        "HOME=" + Quote(tmp.path) +
        " GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com"
        " GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com"
        " GIT_AUTHOR_DATE=2021-01-02T03:04:05Z GIT_COMMITTER_DATE=2021-01-02T03:04:05Z";
    return Run("cd " + Quote(dir.empty() ? work : dir) + " && " + env + " git " + args);
  }

  std::unique_ptr<GitRepo> OpenWork() {
    std::unique_ptr<GitRepo> repo;
    Status s = GitRepo::Open(work, &repo);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
    return repo;
  }

  TempDir tmp;
  std::string work;
  std::string sha;
};

// ---- a tar reader independent of the writer ----

struct TarEntry {
  std::string name;
  char type = 0;
  unsigned mode = 0;
  uint64_t uid = 0, gid = 0, size = 0, mtime = 0;
  std::string linkname, data;
};

uint64_t Octal(const char* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n && p[i] >= '0' && p[i] <= '7'; ++i) v = v * 8 + (p[i] - '0');
  return v;
}

std::string Field(const char* p, size_t n) { return std::string(p, strnlen(p, n)); }

// Parses a ustar+pax archive, checking checksums, magic, padding and the
// end marker. Returns an empty string on success, else what is wrong.
std::string ParseTar(const std::string& tar, std::vector<TarEntry>* out) {
  if (tar.size() % 512 != 0) return "size is not a multiple of 512";
  std::map<std::string, std::string> pax;
  size_t off = 0;
  while (true) {
    if (off + 512 > tar.size()) return "no end-of-archive marker";
    const char* h = tar.data() + off;
    if (std::string(h, 512) == std::string(512, '\0')) {
      if (off + 1024 != tar.size()) return "end marker is not two blocks at the very end";
      if (tar.compare(off, 1024, std::string(1024, '\0')) != 0) return "end marker not zero";
      return "";
    }
    unsigned sum = 0;
    for (size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : (unsigned char)h[i];
    if (Octal(h + 148, 8) != sum) return "bad checksum at offset " + std::to_string(off);
    if (h[154] != '\0' || h[155] != ' ') return "checksum field not NUL-space terminated";
    if (std::memcmp(h + 257,
                    "ustar\0"
                    "00",
                    8) != 0)
      return "bad magic/version";
    TarEntry e;
    e.name = Field(h, 100);
    e.mode = static_cast<unsigned>(Octal(h + 100, 8));
    e.uid = Octal(h + 108, 8);
    e.gid = Octal(h + 116, 8);
    e.size = Octal(h + 124, 12);
    e.mtime = Octal(h + 136, 12);
    e.type = h[156];
    e.linkname = Field(h + 157, 100);
    if (!Field(h + 345, 155).empty()) return "unexpected ustar prefix";
    off += 512;
    size_t padded = (e.size + 511) / 512 * 512;
    if (off + padded > tar.size()) return "truncated data for " + e.name;
    e.data = tar.substr(off, e.size);
    if (tar.compare(off + e.size, padded - e.size, std::string(padded - e.size, '\0')) != 0) {
      return "padding not zero after " + e.name;
    }
    off += padded;
    if (e.type == 'x') {
      // "<len> key=value\n" records, <len> counting the whole record.
      size_t p = 0;
      while (p < e.data.size()) {
        size_t space = e.data.find(' ', p);
        if (space == std::string::npos) return "bad pax record";
        size_t len = std::stoul(e.data.substr(p, space - p));
        std::string rec = e.data.substr(p, len);
        if (rec.size() != len || rec.back() != '\n') return "pax record length mismatch";
        size_t eq = rec.find('=');
        pax[rec.substr(space - p + 1, eq - (space - p + 1))] =
            rec.substr(eq + 1, rec.size() - eq - 2);
        p += len;
      }
      continue;
    }
    if (pax.count("path")) e.name = pax["path"];
    if (pax.count("linkpath")) e.linkname = pax["linkpath"];
    pax.clear();
    out->push_back(e);
  }
}

const TarEntry* Find(const std::vector<TarEntry>& entries, const std::string& name) {
  for (const auto& e : entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(git_repo)

BOOST_AUTO_TEST_CASE(init_bare_points_head_at_default_branch) {
  TempDir tmp;
  std::string path = tmp.path + "/parents/made/repo.git";
  Status s = GitRepo::InitBare(path, "trunk");
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_TEST(ReadFile(path + "/HEAD") == "ref: refs/heads/trunk\n");
  BOOST_TEST(Trim(Run("git --git-dir=" + Quote(path) + " rev-parse --is-bare-repository")) ==
             "true");

  std::unique_ptr<GitRepo> repo;
  s = GitRepo::Open(path, &repo);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_TEST(repo->DefaultBranch() == "trunk");  // HEAD is unborn
  std::string sha;
  s = repo->ResolveCommit("HEAD", &sha);
  BOOST_TEST(s.IsNotFound(), s.ToString());

  // An existing empty directory is fine.
  fs::create_directories(tmp.path + "/empty.git");
  s = GitRepo::InitBare(tmp.path + "/empty.git", "main");
  BOOST_TEST(s.ok(), s.ToString());
  s = GitRepo::Open(tmp.path + "/empty.git", &repo);
  BOOST_REQUIRE(s.ok());
  BOOST_TEST(repo->DefaultBranch() == "main");
}

BOOST_AUTO_TEST_CASE(init_bare_refuses_existing_paths) {
  TempDir tmp;
  WriteFile(tmp.path + "/full/file", "x");
  Status s = GitRepo::InitBare(tmp.path + "/full", "main");
  BOOST_TEST((s.code() == Status::Code::kConflict), s.ToString());
  BOOST_TEST(!fs::exists(tmp.path + "/full/HEAD"));

  BOOST_REQUIRE(GitRepo::InitBare(tmp.path + "/r.git", "main").ok());
  s = GitRepo::InitBare(tmp.path + "/r.git", "main");
  BOOST_TEST((s.code() == Status::Code::kConflict), s.ToString());

  s = GitRepo::InitBare(tmp.path + "/full/file", "main");
  BOOST_TEST((s.code() == Status::Code::kConflict), s.ToString());

  s = GitRepo::InitBare(tmp.path + "/bad.git", "bad..name");
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  s = GitRepo::InitBare(tmp.path + "/bad.git", "");
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  BOOST_TEST(!fs::exists(tmp.path + "/bad.git"));
}

BOOST_AUTO_TEST_CASE(open_reports_missing_repository) {
  TempDir tmp;
  std::unique_ptr<GitRepo> repo;
  Status s = GitRepo::Open(tmp.path + "/nope.git", &repo);
  BOOST_TEST(s.IsNotFound(), s.ToString());
  BOOST_TEST(s.message().find("cannot open repository " + tmp.path + "/nope.git: ") == 0u,
             s.message());
  BOOST_TEST(!repo);
}

BOOST_AUTO_TEST_CASE(set_config_writes_repository_config) {
  TempDir tmp;
  std::string path = tmp.path + "/r.git";
  BOOST_REQUIRE(GitRepo::InitBare(path, "main").ok());
  std::unique_ptr<GitRepo> repo;
  BOOST_REQUIRE(GitRepo::Open(path, &repo).ok());
  Status s = repo->SetConfig("sandbot.owner", "alice smith");
  BOOST_TEST(s.ok(), s.ToString());
  s = repo->SetConfigBool("receive.denyNonFastForwards", true);
  BOOST_TEST(s.ok(), s.ToString());
  s = repo->SetConfigBool("receive.denyDeletes", false);
  BOOST_TEST(s.ok(), s.ToString());
  std::string cfg = "git config --file " + Quote(path + "/config") + " ";
  BOOST_TEST(Trim(Run(cfg + "--get sandbot.owner")) == "alice smith");
  BOOST_TEST(Trim(Run(cfg + "--bool --get receive.denynonfastforwards")) == "true");
  BOOST_TEST(Trim(Run(cfg + "--bool --get receive.denydeletes")) == "false");

  s = repo->SetConfig("nodot", "x");
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
}

BOOST_FIXTURE_TEST_CASE(resolve_commit_accepts_shas_and_refs, RepoFixture) {
  auto repo = OpenWork();
  BOOST_REQUIRE_EQUAL(sha.size(), 40u);
  for (const std::string& spec :
       {sha, sha.substr(0, 7), std::string("main"), std::string("refs/heads/main"),
        std::string("HEAD"), std::string("v1"), std::string("main~0")}) {
    std::string got;
    Status s = repo->ResolveCommit(spec, &got);
    BOOST_TEST(s.ok(), spec << ": " << s.ToString());
    BOOST_TEST(got == sha, spec);
  }
}

BOOST_FIXTURE_TEST_CASE(resolve_commit_failures, RepoFixture) {
  auto repo = OpenWork();
  std::string got;
  Status s = repo->ResolveCommit("nope", &got);
  BOOST_TEST(s.IsNotFound(), s.ToString());
  BOOST_TEST(s.message().find("nope") != std::string::npos);
  s = repo->ResolveCommit("0123456789abcdef0123456789abcdef01234567", &got);
  BOOST_TEST(s.IsNotFound(), s.ToString());
  s = repo->ResolveCommit("", &got);
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  s = repo->ResolveCommit("main:Dockerfile", &got);  // a blob
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  BOOST_TEST(s.message().find("not a commit") != std::string::npos, s.message());
  s = repo->ResolveCommit("main..main", &got);  // a range
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  BOOST_TEST(got.empty());
}

BOOST_FIXTURE_TEST_CASE(has_file_only_for_blobs, RepoFixture) {
  auto repo = OpenWork();
  auto has = [&](const std::string& path) {
    bool h = true;
    Status s = repo->HasFile(sha, path, &h);
    BOOST_REQUIRE_MESSAGE(s.ok(), path << ": " << s.ToString());
    return h;
  };
  BOOST_TEST(has("Dockerfile"));
  BOOST_TEST(has("src/lib/deep.txt"));
  BOOST_TEST(!has("Containerfile"));
  BOOST_TEST(!has("src"));      // a directory
  BOOST_TEST(!has("src/lib"));  // a directory
  BOOST_TEST(!has("sub"));      // a submodule
  BOOST_TEST(!has("src/none/x"));
  bool h = true;
  Status s = repo->HasFile("nope", "Dockerfile", &h);
  BOOST_TEST(s.IsNotFound(), s.ToString());
}

BOOST_FIXTURE_TEST_CASE(read_file_reads_regular_files_only, RepoFixture) {
  auto repo = OpenWork();
  std::string content;
  Status s = repo->ReadFile(sha, "src/lib/deep.txt", 1 << 20, &content);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_TEST(!content.empty());
  std::string dockerfile;
  BOOST_REQUIRE(repo->ReadFile(sha, "Dockerfile", 1 << 20, &dockerfile).ok());
  s = repo->ReadFile(sha, "Dockerfile", dockerfile.size() - 1, &content);
  BOOST_TEST(s.IsInvalidArgument(), s.ToString());  // larger than allowed
  BOOST_TEST(content.empty());
  for (const char* path : {"link", "src", "sub", "Containerfile", "src/none/x"}) {
    s = repo->ReadFile(sha, path, 1 << 20, &content);
    BOOST_TEST(s.IsNotFound(), path << ": " << s.ToString());
  }
  s = repo->ReadFile("nope", "Dockerfile", 1 << 20, &content);
  BOOST_TEST(s.IsNotFound(), s.ToString());
}

BOOST_FIXTURE_TEST_CASE(export_tar_is_deterministic_ustar, RepoFixture) {
  auto repo = OpenWork();
  std::string a, b;
  Status s = repo->ExportTar(sha, &a);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_REQUIRE(repo->ExportTar("main", &b).ok());
  BOOST_TEST((a == b), "two exports of one commit differ");

  std::vector<TarEntry> entries;
  std::string err = ParseTar(a, &entries);
  BOOST_REQUIRE_MESSAGE(err.empty(), err);
  std::vector<std::string> names;
  for (const auto& e : entries) {
    names.push_back(e.name);
    BOOST_TEST(e.mtime == kCommitTime, e.name);
    BOOST_TEST(e.uid == 0u);
    BOOST_TEST(e.gid == 0u);
  }
  // Git's tree order, pre-order, directories with a trailing slash.
  std::vector<std::string> want = {"Dockerfile", std::string(70, 'a') + "/",
                                   kLongPath,    "empty",
                                   "link",       "longlink",
                                   "run.sh",     "src/",
                                   "src/lib/",   "src/lib/deep.txt"};
  BOOST_TEST(names == want, boost::test_tools::per_element());

  const TarEntry* e = Find(entries, "Dockerfile");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->type == '0');
  BOOST_TEST(e->mode == 0644u);
  BOOST_TEST(e->data == "FROM scratch\nCOPY . /\n");
  e = Find(entries, "run.sh");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->mode == 0755u);
  BOOST_TEST(e->data == "#!/bin/sh\necho hi\n");
  e = Find(entries, "empty");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->size == 0u);
  e = Find(entries, "link");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->type == '2');
  BOOST_TEST(e->linkname == "Dockerfile");
  BOOST_TEST(e->size == 0u);
  e = Find(entries, "longlink");  // target > 100 bytes: pax linkpath
  BOOST_REQUIRE(e);
  BOOST_TEST(e->linkname == kLongPath);
  e = Find(entries, "src/lib/");
  BOOST_REQUIRE(e);
  BOOST_TEST(e->type == '5');
  BOOST_TEST(e->mode == 0755u);
  e = Find(entries, kLongPath);  // name > 100 bytes: pax path
  BOOST_REQUIRE(e);
  BOOST_TEST(e->data == "long\n");
  BOOST_TEST(kLongPath.size() == 150u);
}

BOOST_FIXTURE_TEST_CASE(export_tar_reads_with_gnu_tar, RepoFixture) {
  auto repo = OpenWork();
  std::string data;
  BOOST_REQUIRE(repo->ExportTar(sha, &data).ok());
  std::string file = tmp.path + "/ctx.tar";
  WriteFile(file, data);

  int rc = 0;
  std::string list = Run("LC_ALL=C TZ=UTC tar -tvf " + Quote(file) + " 2>&1", &rc);
  BOOST_TEST(rc == 0, list);
  BOOST_TEST(list.find("warning") == std::string::npos, list);
  BOOST_TEST(list.find("-rwxr-xr-x root/root") != std::string::npos, list);
  BOOST_TEST(list.find(" run.sh\n") != std::string::npos, list);
  BOOST_TEST(list.find(" link -> Dockerfile\n") != std::string::npos, list);
  BOOST_TEST(list.find(" longlink -> " + kLongPath + "\n") != std::string::npos, list);
  BOOST_TEST(list.find(" " + kLongPath + "\n") != std::string::npos, list);
  BOOST_TEST(
      list.find("drwxr-xr-x root/root         0 2021-01-02 03:04 src/lib/\n") != std::string::npos,
      list);
  BOOST_TEST(list.find("sub") == std::string::npos, list);

  std::string out = tmp.path + "/x";
  fs::create_directories(out);
  std::string msg = Run("TZ=UTC tar -xf " + Quote(file) + " -C " + Quote(out) + " 2>&1", &rc);
  BOOST_TEST(rc == 0, msg);
  BOOST_TEST(ReadFile(out + "/" + kLongPath) == "long\n");
  BOOST_TEST(ReadFile(out + "/src/lib/deep.txt") == "deep\n");
  BOOST_TEST(fs::read_symlink(out + "/link").string() == "Dockerfile");
  BOOST_TEST((Mode(out + "/run.sh") & 0100) != 0u);
}

BOOST_FIXTURE_TEST_CASE(same_commit_same_bytes_after_push_to_bare, RepoFixture) {
  std::string bare = tmp.path + "/srv/app.git";
  BOOST_REQUIRE(GitRepo::InitBare(bare, "main").ok());
  Git("push -q " + Quote(bare) + " main");
  std::unique_ptr<GitRepo> repo;
  Status s = GitRepo::Open(bare, &repo);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_TEST(repo->DefaultBranch() == "main");
  std::string got;
  BOOST_REQUIRE(repo->ResolveCommit("main", &got).ok());
  BOOST_TEST(got == sha);
  std::string from_bare, from_work;
  BOOST_REQUIRE(repo->ExportTar(sha, &from_bare).ok());
  BOOST_REQUIRE(OpenWork()->ExportTar(sha, &from_work).ok());
  BOOST_TEST((from_bare == from_work));
}

BOOST_FIXTURE_TEST_CASE(checkout_writes_files_modes_and_symlinks, RepoFixture) {
  auto repo = OpenWork();
  std::string dir = tmp.path + "/out/nested";  // parents created
  Status s = repo->Checkout(sha, dir);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_TEST(ReadFile(dir + "/Dockerfile") == "FROM scratch\nCOPY . /\n");
  BOOST_TEST(Mode(dir + "/Dockerfile") == 0644u);
  BOOST_TEST(Mode(dir + "/run.sh") == 0755u);
  BOOST_TEST(ReadFile(dir + "/empty").empty());
  BOOST_TEST(Mode(dir + "/src") == 0755u);
  BOOST_TEST(Mode(dir + "/src/lib") == 0755u);
  BOOST_TEST(ReadFile(dir + "/src/lib/deep.txt") == "deep\n");
  BOOST_TEST(ReadFile(dir + "/" + kLongPath) == "long\n");
  BOOST_TEST(fs::is_symlink(dir + "/link"));
  BOOST_TEST(fs::read_symlink(dir + "/link").string() == "Dockerfile");
  BOOST_TEST(fs::read_symlink(dir + "/longlink").string() == kLongPath);
  BOOST_TEST(!fs::exists(fs::symlink_status(dir + "/sub")));
  BOOST_TEST(!fs::exists(dir + "/.git"));

  s = repo->Checkout(sha, dir);  // not empty any more
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  s = repo->Checkout(sha, dir + "/Dockerfile");  // not a directory
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  s = repo->Checkout("nope", tmp.path + "/other");
  BOOST_TEST(s.IsNotFound(), s.ToString());
  BOOST_TEST(!fs::exists(tmp.path + "/other"));

  fs::create_directories(tmp.path + "/emptydir");
  s = repo->Checkout("v1", tmp.path + "/emptydir");
  BOOST_TEST(s.ok(), s.ToString());
}

// Git's tools refuse to build hostile trees, so write them raw: entries are
// "<mode> <name>\0<20-byte id>", hashed without checks.
struct RawTree {
  RawTree& Add(const std::string& mode, const std::string& name, const std::string& hex) {
    bytes += mode + " " + name + '\0';
    for (size_t i = 0; i < 40; i += 2) {
      bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    return *this;
  }
  std::string bytes;
};

std::string CommitRawTree(RepoFixture* f, const RawTree& tree) {
  std::string file = f->tmp.path + "/tree.bin";
  WriteFile(file, tree.bytes);
  std::string id = Trim(f->Git("hash-object -t tree -w --literally " + Quote(file)));
  return Trim(f->Git("commit-tree " + id + " -m evil"));
}

BOOST_FIXTURE_TEST_CASE(hostile_tree_names_are_refused, RepoFixture) {
  std::string blob = Trim(Git("rev-parse HEAD:Dockerfile"));
  std::string evil = CommitRawTree(this, RawTree().Add("100644", "..", blob));

  auto repo = OpenWork();
  std::string data;
  Status s = repo->ExportTar(evil, &data);
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  BOOST_TEST(s.message().find("unsafe entry name \"..\"") != std::string::npos, s.message());
  s = repo->Checkout(evil, tmp.path + "/evil/inner");
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  BOOST_TEST(!fs::exists(tmp.path + "/evil/Dockerfile"));
  BOOST_TEST(fs::is_empty(tmp.path + "/evil/inner"));
}

BOOST_FIXTURE_TEST_CASE(duplicate_entries_cannot_write_through_a_symlink, RepoFixture) {
  // "a" -> <outside>, then a directory "a" holding "x": a naive checkout
  // would create <outside>/x.
  std::string outside = tmp.path + "/outside";
  fs::create_directories(outside);
  WriteFile(tmp.path + "/target", outside);
  std::string target = Trim(Git("hash-object -w " + Quote(tmp.path + "/target")));
  std::string blob = Trim(Git("rev-parse HEAD:Dockerfile"));
  std::string sub = CommitRawTree(this, RawTree().Add("100644", "x", blob));
  std::string sub_tree = Trim(Git("rev-parse " + sub + "^{tree}"));
  std::string evil =
      CommitRawTree(this, RawTree().Add("120000", "a", target).Add("40000", "a", sub_tree));

  auto repo = OpenWork();
  Status s = repo->Checkout(evil, tmp.path + "/co");
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  BOOST_TEST(s.message().find("two entries named a") != std::string::npos, s.message());
  BOOST_TEST(!fs::exists(outside + "/x"));
  std::string data;
  s = repo->ExportTar(evil, &data);
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sandbot
