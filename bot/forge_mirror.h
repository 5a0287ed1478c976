// The code of a forge repo: its bare mirror under the data folder (the
// repo's path) fetches from the clone URL with the forge's token before a
// deploy needs a commit it lacks: the branches, and for a pull request its
// head by ref (refs/pull/N/head; GitLab refs/merge-requests/N/head).
#ifndef SANDBOT_BOT_FORGE_MIRROR_H_
#define SANDBOT_BOT_FORGE_MIRROR_H_

#include <functional>
#include <string>

#include "store/db.h"
#include "store/forges.h"
#include "store/repos.h"
#include "util/status.h"

namespace sandbot {

// The value a token or secret reference names: "env:VAR" (the daemon's
// environment) or "file:/path" (its content, without a trailing newline).
// NotFound when it names nothing or is empty. Messages name the reference,
// never the value.
Status ResolveForgeRef(const std::string& ref, std::string* value);

// Ok at once when `repo` comes from no forge or its mirror has `commit`;
// otherwise fetches, for `branch` "pull/N" that PR's head too, and fails
// when the commit is still missing. `log` hears what happened (no token).
Status EnsureForgeCommit(Db* db, const Repo& repo, const std::string& branch,
                         const std::string& commit,
                         const std::function<void(const std::string&)>& log);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_MIRROR_H_
