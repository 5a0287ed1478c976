#include "bot/forge_mirror.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "hooks/git_repo.h"

namespace sandbot {

Status ResolveForgeRef(const std::string& ref, std::string* value) {
  value->clear();
  if (ref.rfind("env:", 0) == 0) {
    const char* v = std::getenv(ref.substr(4).c_str());
    if (v) *value = v;
  } else if (ref.rfind("file:", 0) == 0) {
    std::ifstream in(ref.substr(5), std::ios::binary);
    if (!in) return Status::NotFound("cannot read " + ref.substr(5));
    value->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    while (!value->empty() && (value->back() == '\n' || value->back() == '\r')) value->pop_back();
  } else {
    return Status::InvalidArgument("a secret reference is env:VAR or file:/path");
  }
  if (value->empty()) return Status::NotFound(ref + " is not set or empty");
  return Status::Ok();
}

Status EnsureForgeCommit(Db* db, const Repo& repo, const std::string& branch,
                         const std::string& commit,
                         const std::function<void(const std::string&)>& log) {
  ForgeRepo frepo;
  Status s = GetForgeRepo(db, repo.name, &frepo);
  if (s.code() == Status::Code::kNotFound) return Status::Ok();
  if (!s.ok()) return s;
  std::unique_ptr<GitRepo> git;
  s = GitRepo::Open(repo.path, &git);
  if (!s.ok()) return s;
  std::string sha;
  if (git->ResolveCommit(commit, &sha).ok()) return Status::Ok();
  Forge forge;
  s = GetForge(db, frepo.forge, &forge);
  if (!s.ok()) return s;
  std::string token;
  if (!forge.token_ref.empty()) {
    s = ResolveForgeRef(forge.token_ref, &token);
    if (!s.ok()) return Status::Unavailable("forge " + forge.name + " token: " + s.message());
  }
  // Each forge's name for "the token as basic auth".
  std::string user = forge.kind == "gitlab" ? "oauth2" : "x-access-token";
  std::string password = token;
  if (forge.kind == "gitea" && !token.empty()) {
    user = token;
    password = "x-oauth-basic";
  }
  std::vector<std::string> specs = {"+refs/heads/*:refs/heads/*"};
  if (branch.rfind("pull/", 0) == 0) {
    const std::string n = branch.substr(5);
    const std::string ref =
        forge.kind == "gitlab" ? "refs/merge-requests/" + n + "/head" : "refs/pull/" + n + "/head";
    specs.push_back("+" + ref + ":" + ref);
  }
  log("fetching " + frepo.forge_repo + " from " + forge.name);
  s = git->Fetch(frepo.clone_url, specs, user, password);
  if (!s.ok()) return s;
  s = git->ResolveCommit(commit, &sha);
  if (!s.ok()) {
    return Status::NotFound("commit " + commit.substr(0, 12) + " is not on " + forge.name + " " +
                            frepo.forge_repo + " (force-pushed away?)");
  }
  return Status::Ok();
}

}  // namespace sandbot
