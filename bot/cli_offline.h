// The commands that work with the daemon stopped: they open the store
// directly. `hook post-receive` (run by git), `repo add|list|remove`,
// `sandbox list|status|destroy` and `audit`. `sandbox destroy` asks the
// daemon when it runs, and otherwise runs the same command on the store
// (RunOnStore): the role and lock rules are those of chat either way.
#ifndef SANDBOT_BOT_CLI_OFFLINE_H_
#define SANDBOT_BOT_CLI_OFFLINE_H_

#include <sys/types.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "bot/config.h"
#include "handlers/dispatch.h"
#include "store/db.h"
#include "store/repos.h"
#include "util/status.h"

namespace sandbot {

class OfflineCli {
 public:
  // `sandbox` is `sandbot sandbox`.
  void Add(CLI::App* app, CLI::App* sandbox);
  // Runs the chosen subcommand; -1 when none of these was chosen.
  int Run(const Config& config) const;

 private:
  struct RepoAddArgs {
    std::string name, path, health = "/", image, default_branch, auto_branches = "*";
    std::string reload_signal;
    std::string compose_file;  // --compose: "" = the standard names
    // A repo whose code comes from a forge: its mirror is made under the
    // data folder when no path is given.
    std::string forge, forge_repo, clone_url, previews = "auto", template_name, engine;
    std::vector<std::string> cmd;
    int port = 8080;
    bool init = false, wait = false;
  };
  CLI::App *post_receive_ = nullptr, *repo_add_ = nullptr, *repo_list_ = nullptr,
           *repo_remove_ = nullptr, *sandbox_list_ = nullptr, *sandbox_status_ = nullptr,
           *sandbox_destroy_ = nullptr, *audit_ = nullptr;
  std::string hook_repo_, remove_name_, sandbox_name_, audit_sandbox_;
  int audit_limit_ = 100;
  CLI::App* audit_verify_ = nullptr;
  bool json_ = false;
  RepoAddArgs add_;

  static int RepoAdd(const Config& config, const RepoAddArgs& a);
  static int RepoAddAt(const Config& config, const RepoAddArgs& a);
  static int ForgeRepoAdd(const Config& config, const RepoAddArgs& a);
  static Repo RepoOf(const RepoAddArgs& a);
};

// Runs `family` `text` of the shared grammar on the store, as the daemon
// would for the local user `uid` (identity cli:UID, role by LocalRole with
// `daemon_uid` as the daemon's user, source "cli"). The engine is not asked:
// for commands that only queue jobs.
Status RunOnStore(Db* db, const Config& config, const std::string& family, const std::string& text,
                  uid_t uid, uid_t daemon_uid, Reply* reply);
// The daemon's user when it is not running: the owner of the store.
uid_t StoreOwner(const std::string& data_dir);

}  // namespace sandbot

#endif  // SANDBOT_BOT_CLI_OFFLINE_H_
