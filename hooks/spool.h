// The spool: pushes the hook could not hand to the daemon, one JSON file each
// in {data}/spool. Files are written to a temporary name and renamed, so the
// daemon never reads half a push.
#ifndef SANDBOT_HOOKS_SPOOL_H_
#define SANDBOT_HOOKS_SPOOL_H_

#include <string>
#include <vector>

#include "util/status.h"

namespace sandbot {

// Writes `content` atomically (fsynced) as a new file in `dir`; fills `name`.
Status WriteSpoolFile(const std::string& dir, const std::string& content, std::string* name);
// Complete spool files, oldest first (names sort by time).
std::vector<std::string> ListSpoolFiles(const std::string& dir);

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_SPOOL_H_
