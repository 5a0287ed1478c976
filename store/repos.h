// Repos: the bare repositories sandbot watches and how each deploys.
#ifndef SANDBOT_STORE_REPOS_H_
#define SANDBOT_STORE_REPOS_H_

#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct Repo {
  std::string name;              // also the service name; a DNS label
  std::string path;              // absolute path of the bare repository
  int port = 8080;               // the port the service listens on inside its container
  std::string health = "/";      // HTTP path that answers when healthy; "" = stays up
  std::string image;             // buildless flow: runtime image when the commit has no Dockerfile
  std::vector<std::string> cmd;  // buildless flow: command, run in /src
  std::string default_branch = "main";  // never auto-creates a sandbox
  std::string auto_branches = "*";      // comma-separated globs of branches that do
  bool wait = false;                    // hook waits for the deploy by default
  // Signal (HUP, USR1, USR2) that makes the service re-read
  // /etc/sandbot/routes.json: a route change signals its running container
  // instead of recreating it. "": recreate.
  std::string reload_signal;
  // Its compose file's path in a commit when not one of the standard names
  // (ComposeFileNames); "": those.
  std::string compose_file;
};

// Ok for "" and the signals a repo may declare (HUP, USR1, USR2); otherwise
// InvalidArgument saying which are allowed.
Status ValidateReloadSignal(const std::string& signal);

Status AddRepo(Db* db, const Repo& repo);  // Conflict when the name or path is taken
Status GetRepo(Db* db, const std::string& name, Repo* repo);  // NotFound
Status ListRepos(Db* db, std::vector<Repo>* repos);
Status RemoveRepo(Db* db, const std::string& name);  // NotFound

}  // namespace sandbot

#endif  // SANDBOT_STORE_REPOS_H_
