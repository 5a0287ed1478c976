// Installs the post-receive hook of a watched repository: a two-line shim
// that names the sandbot binary and data folder it belongs to, and turns on
// push options so `git push -o sandbot.wait` works.
#ifndef SANDBOT_HOOKS_HOOK_INSTALL_H_
#define SANDBOT_HOOKS_HOOK_INSTALL_H_

#include <string>

#include "util/status.h"

namespace sandbot {

// The hook script's text (pure; tested). Arguments are single-quoted for sh.
std::string PostReceiveHookScript(const std::string& binary, const std::string& data_dir,
                                  const std::string& repo_name);

// Writes {repo_path}/hooks/post-receive (mode 0755, atomically) and sets
// receive.advertisePushOptions. An existing hook that sandbot did not write
// is kept as post-receive.orig-sandbot and the answer says so.
Status InstallPostReceiveHook(const std::string& repo_path, const std::string& binary,
                              const std::string& data_dir, const std::string& repo_name,
                              std::string* note);

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_HOOK_INSTALL_H_
