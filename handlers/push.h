// What a push means: the decision from ref updates to jobs, committed to the
// store with its audit rows in one transaction. Used by the daemon for live
// pushes and for pushes spooled while it was down.
//
//   - a push of branch B to repo R redeploys R in every sandbox whose service
//     R tracks B;
//   - if none does and B is not R's default branch but matches R's
//     auto-sandbox patterns, sandbox slug(B) is created with R at B;
//   - deleting B destroys the sandboxes a push of B created.
#ifndef SANDBOT_HANDLERS_PUSH_H_
#define SANDBOT_HANDLERS_PUSH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "hooks/push_wire.h"
#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// A push to apply: the hook's message (repo, actor, options, typed ref
// updates, id) and what the daemon adds to it.
struct PushRequest : PushMessage {
  std::string source = "git";
  int max_sandboxes = 0;  // the daemon's limit for sandboxes a push creates; 0: none
};

struct PushOutcome {
  std::vector<int64_t> job_ids;
  std::vector<std::string> lines;  // what the pusher reads, one per line
  bool wait = false;               // the pusher asked to follow the jobs
};

Status HandlePush(Db* db, const PushRequest& request, PushOutcome* outcome);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_PUSH_H_
