// Sandbox lifecycle state in the store: who holds a sandbox's lock, whether
// it is suspended, when it was last active (idle expiry counts from there),
// how many sandboxes exist (the configured maximum), and notices waiting for
// a sandbox's owner (shown in the answer of their next command).
//
// A lock holds the sandbox's deploy, reroute, resume and destroy jobs in the
// queue (store/jobs.cc ClaimNextJob); a suspended sandbox holds its deploy
// and reroute jobs until its resume job has run.
#ifndef SANDBOT_STORE_LIFECYCLE_H_
#define SANDBOT_STORE_LIFECYCLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// "🔒 locked by ana since 14:05 UTC: testing checkout" (": REASON" only
// when there is one): the line every answer about a locked sandbox carries.
std::string LockNote(const std::string& by, int64_t at_ms, const std::string& reason);

// Sets locked_by/locked_at/lock_reason; Conflict (naming the holder) when
// the sandbox is locked already.
Status LockSandbox(Db* db, const std::string& name, const std::string& by,
                   const std::string& reason);
// Clears the lock (no check of who asks: the handler does that).
Status UnlockSandbox(Db* db, const std::string& name);
// Ids of the sandbox's queued jobs, oldest first.
Status QueuedJobsOf(Db* db, const std::string& name, std::vector<int64_t>* ids);

// An active sandbox becomes suspended, suspended_at = now (the intent; the
// suspend job stops the containers). A suspended one is left as is, so the
// retention clock does not move.
Status MarkSuspended(Db* db, const std::string& name);
// state = active, suspended_at = 0, last_active_at = now.
Status MarkResumed(Db* db, const std::string& name);
// last_active_at = now: a deploy, a push or a command changed the sandbox.
Status TouchSandboxActive(Db* db, const std::string& name);

// Deletes one service of a sandbox (its port goes with it) and cancels its
// queued deploys; its container is left for a reroute job to remove.
Status RemoveService(Db* db, const std::string& sandbox, int64_t service_id,
                     const std::string& service);

// Sandboxes that count against the maximum: every one not being destroyed
// (suspended ones keep their ports, so they count).
Status CountSandboxes(Db* db, int* count);

// An expiry candidate: name, owner and the time the clock started.
struct IdleSandbox {
  std::string name;
  std::string owner;  // created_by
  int64_t since = 0;  // last_active_at (idle) or suspended_at (retention)
};
// Active, unlocked sandboxes without queued or running jobs whose last
// activity is older than `before_ms`.
Status ListIdleSandboxes(Db* db, int64_t before_ms, std::vector<IdleSandbox>* out);
// Suspended, unlocked sandboxes without queued or running jobs, suspended
// before `before_ms`.
Status ListExpiredSuspended(Db* db, int64_t before_ms, std::vector<IdleSandbox>* out);

// A message for `recipient` (an actor string, as in sandboxes.created_by).
Status AddNotice(Db* db, const std::string& recipient, const std::string& text);
// The recipient's unseen notices, oldest first; `last_id` is the newest one's
// id, 0 when there are none. A read: it may run inside a ReadSnapshot.
Status PendingNotices(Db* db, const std::string& recipient, std::vector<std::string>* texts,
                      int64_t* last_id);
// Marks them seen, up to `last_id`: a notice added meanwhile stays unseen.
Status MarkNoticesShown(Db* db, const std::string& recipient, int64_t last_id);

}  // namespace sandbot

#endif  // SANDBOT_STORE_LIFECYCLE_H_
