#include "hooks/hook_install.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "hooks/git_repo.h"

namespace sandbot {

namespace {

const char kMarker[] = "# installed by sandbot";

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

}  // namespace

std::string HookBinaryBeside(const std::string& binary) {
  size_t slash = binary.rfind('/');
  return (slash == std::string::npos ? std::string() : binary.substr(0, slash + 1)) +
         "sandbot-hook";
}

std::string PostReceiveHookScript(const std::string& binary, const std::string& data_dir,
                                  const std::string& repo_name) {
  const std::string hook = ShellQuote(HookBinaryBeside(binary));
  const std::string args = " --data " + ShellQuote(data_dir) + " --repo " + ShellQuote(repo_name);
  // sandbot-hook starts in a few ms; the sandbot binary is the fallback when
  // only it was installed.
  return std::string("#!/bin/sh\n") + kMarker +
         " (sandbot repo add): hands each push to the sandbot daemon\n" + "[ -x " + hook +
         " ] && exec " + hook + " post-receive" + args + "\n" + "exec " + ShellQuote(binary) +
         " hook post-receive" + args + "\n";
}

Status InstallPostReceiveHook(const std::string& repo_path, const std::string& binary,
                              const std::string& data_dir, const std::string& repo_name,
                              std::string* note) {
  std::unique_ptr<GitRepo> repo;
  Status s = GitRepo::Open(repo_path, &repo);
  if (!s.ok()) return s;
  s = repo->SetConfigBool("receive.advertisePushOptions", true);
  if (!s.ok()) return s;

  const std::string hooks = repo_path + "/hooks";
  mkdir(hooks.c_str(), 0755);
  const std::string path = hooks + "/post-receive";
  std::ifstream existing(path);
  if (existing) {
    std::stringstream text;
    text << existing.rdbuf();
    if (text.str().find(kMarker) == std::string::npos) {
      if (std::rename(path.c_str(), (path + ".orig-sandbot").c_str()) != 0) {
        return Status::Unavailable("cannot move the existing hook " + path + ": " +
                                   std::strerror(errno));
      }
      *note = "the existing post-receive hook was kept as post-receive.orig-sandbot";
    }
  }
  const std::string tmp = path + ".tmp-sandbot";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << PostReceiveHookScript(binary, data_dir, repo_name);
    if (!out.good()) return Status::Unavailable("cannot write " + tmp);
  }
  if (chmod(tmp.c_str(), 0755) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Unavailable("cannot install " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace sandbot
