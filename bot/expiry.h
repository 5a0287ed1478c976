// Expiry: sandboxes nobody touched for `idle_suspend` are suspended, and
// sandboxes suspended for `retention` are destroyed. Each step is a job, an
// audit row (actor "sandbot", action "sandbox.expire"), a notice shown in the
// owner's next command, and a message on the configured incoming webhooks.
//
// Idle time counts from sandboxes.last_active_at (deploys, pushes, commands
// that change the sandbox). Locked sandboxes are being tested, and sandboxes
// with queued or running jobs are busy: neither expires.
#ifndef SANDBOT_BOT_EXPIRY_H_
#define SANDBOT_BOT_EXPIRY_H_

#include <cstdint>
#include <functional>
#include <string>

#include "store/db.h"
#include "util/job_types.h"
#include "util/status.h"

namespace sandbot {

struct ExpiryConfig {
  int64_t idle_suspend_seconds = 14 * 86400;  // 0: never
  int64_t retention_seconds = 30 * 86400;     // 0: never
};

// Tells a sandbox's owner what happened (sandbox, owner, title, text).
using OwnerNotifyFn = std::function<void(const std::string&, const std::string&, const std::string&,
                                         const std::string&)>;

struct ExpiryReport {
  int suspended = 0;
  int destroyed = 0;
};

class Expiry {
 public:
  Expiry(Db* db, ExpiryConfig config, OwnerNotifyFn notify);
  // One pass at time `now_ms`: two cheap queries when nothing is due.
  Status RunOnce(int64_t now_ms, ExpiryReport* report);

 private:
  Status Expire(const std::string& sandbox, const std::string& owner, JobKind kind,
                const std::string& detail, const std::string& title, const std::string& notice);

  Db* db_;
  ExpiryConfig config_;
  OwnerNotifyFn notify_;
};

// "14 days", "3 hours", "5 seconds": a duration for people.
std::string DescribeDuration(int64_t seconds);

}  // namespace sandbot

#endif  // SANDBOT_BOT_EXPIRY_H_
