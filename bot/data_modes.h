// Who may read the data folder (issue 16 item 12). The daemon runs with
// umask 027, so what it creates is its own and its group's: the group is
// the git users and operators who reach sandbot.sock (SECURITY.md), others
// get nothing. The modes, folder by folder, and why:
//
//   {data}/                 0750  the group traverses it to reach the socket
//   sandbot.db, -wal, -shm  0640  outbox rows hold reply URLs, the audit who
//                                 did what; SQLite gives -wal and -shm the
//                                 database file's mode
//   logs/, audit-archive/,  0750, files 0640
//   spool/
//   secret.key              0600  (store/secret_keys.h)
//   secrets/                0700 down to each service's folder; the files
//                                 0444, so a container's non-root user reads
//                                 what is bind-mounted (bot/secret_files.cc)
//   work/, work/{sandbox}/  0750
//   work/{sandbox}/{repo}-{sha12}/  0755, files 0644 (executables 0755)
//   work/{sandbox}/etc-sandbot/     0755, routes.json 0644
//                                 these two are bind-mounted at /src and
//                                 /etc/sandbot into containers that may run
//                                 as any user; the engine mounts them as
//                                 root, so the 0750 folders above them keep
//                                 host users out without keeping the
//                                 container's user out.
//
// SecureDataFolder also mends an install made before: it takes every
// permission of "others" off the folder and everything in it, except inside
// work/ and secrets/, whose modes are set on purpose when they are written.
#ifndef SANDBOT_BOT_DATA_MODES_H_
#define SANDBOT_BOT_DATA_MODES_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "util/status.h"

namespace sandbot {

inline constexpr mode_t kDaemonUmask = 027;
// Folders and files bind-mounted into containers.
inline constexpr mode_t kMountedDirMode = 0755;
inline constexpr mode_t kMountedFileMode = 0644;

// Sets the process's umask to kDaemonUmask (call before anything is
// created), then gives `data_dir` and what is in it the modes above. The
// paths whose mode it changed are appended to `fixed`. Fails only when the
// folder itself cannot be read or changed.
Status SecureDataFolder(const std::string& data_dir, std::vector<std::string>* fixed);

}  // namespace sandbot

#endif  // SANDBOT_BOT_DATA_MODES_H_
