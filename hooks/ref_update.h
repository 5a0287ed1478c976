// One updated ref of a push: the type ref updates travel as, from the hook's
// stdin through the wire and the spool to the push decision.
#ifndef SANDBOT_HOOKS_REF_UPDATE_H_
#define SANDBOT_HOOKS_REF_UPDATE_H_

#include <string>

#include "util/status.h"

namespace sandbot {

struct RefUpdate {
  std::string old_sha;
  std::string new_sha;
  std::string ref;  // full name, refs/heads/feature/x

  bool created() const;
  bool deleted() const;
  bool is_branch() const;
  std::string branch() const;  // "feature/x" for refs/heads/feature/x, else ""
};

// A full git object name: 40 (SHA-1) or 64 (SHA-256) lower-case hex digits.
bool IsObjectName(const std::string& s);

// OK when both object names are 40 or 64 lowercase hex digits of the same
// length (all zeros for a created or deleted ref) and the ref name is
// non-empty UTF-8 without blanks or line breaks; else InvalidArgument.
Status ValidateRefUpdate(const RefUpdate& update);

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_REF_UPDATE_H_
