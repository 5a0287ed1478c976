// Installs the post-receive hook of a watched repository: a small shim that
// names the data folder and runs sandbot-hook from beside the sandbot binary
// that installed it (or that binary itself, `sandbot hook post-receive`, when
// sandbot-hook is missing), and turns on push options so
// `git push -o sandbot.wait` works. Shims of older versions, which run
// `sandbot hook post-receive`, keep working.
#ifndef SANDBOT_HOOKS_HOOK_INSTALL_H_
#define SANDBOT_HOOKS_HOOK_INSTALL_H_

#include <string>

#include "util/status.h"

namespace sandbot {

// "/usr/bin/sandbot-hook" for "/usr/bin/sandbot".
std::string HookBinaryBeside(const std::string& binary);
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
