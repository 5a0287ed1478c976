// The git post-receive contract: one "<old> SP <new> SP <refname>" line per
// updated ref on stdin, all-zero object names for created and deleted refs
// (40 zeros for SHA-1 repositories, 64 for SHA-256).
#ifndef SANDBOT_HOOKS_POST_RECEIVE_H_
#define SANDBOT_HOOKS_POST_RECEIVE_H_

#include <string>
#include <vector>

#include "hooks/ref_update.h"
#include "util/status.h"

namespace sandbot {

// Parses the hook's stdin. Blank lines are skipped; a malformed line fails the
// whole input with InvalidArgument naming the line.
Status ParsePostReceive(const std::string& input, std::vector<RefUpdate>* updates);

// Push options from GIT_PUSH_OPTION_COUNT / GIT_PUSH_OPTION_N, read through
// `getenv` (injectable for tests). Unset and "0" both mean none.
std::vector<std::string> ReadPushOptions(const char* (*getenv_fn)(const char*));

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_POST_RECEIVE_H_
