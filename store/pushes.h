// pushes_seen: the id of every push already turned into jobs, so a hook that
// retries after a lost answer does not queue its deploys twice.
#ifndef SANDBOT_STORE_PUSHES_H_
#define SANDBOT_STORE_PUSHES_H_

#include <string>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// Records push `id`; *first is false when it was recorded before.
Status MarkPushSeen(Db* db, const std::string& id, bool* first);

}  // namespace sandbot

#endif  // SANDBOT_STORE_PUSHES_H_
