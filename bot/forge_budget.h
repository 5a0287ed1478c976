// The pace of content-creating forge API calls (POST, PATCH, PUT, DELETE):
// at most `limit` in any `window` per token (GitHub's secondary limit is 80
// a minute), and none while the forge asked to wait (Retry-After, or
// x-ratelimit-reset with x-ratelimit-remaining 0). A call over budget is not
// dropped: Take says how long it must wait, and the outbox keeps it until
// then. Times are passed in, so tests drive the clock.
#ifndef SANDBOT_BOT_FORGE_BUDGET_H_
#define SANDBOT_BOT_FORGE_BUDGET_H_

#include <cstdint>
#include <deque>
#include <map>
#include <string>

#include "util/mutex.h"

namespace sandbot {

class ForgeBudget {
 public:
  explicit ForgeBudget(int limit = 80, int64_t window_ms = 60 * 1000)
      : limit_(limit), window_ms_(window_ms) {}

  // For a content-creating call with `token` at `now_ms`: 0 when it may go
  // now (and it is counted), else the milliseconds to wait (not counted).
  int64_t Take(const std::string& token, int64_t now_ms);
  // How long a read with `token` must wait (only a pause holds reads back).
  int64_t ReadWait(const std::string& token, int64_t now_ms);
  // The forge asked `token` to wait until `until_ms`.
  void PauseUntil(const std::string& token, int64_t until_ms);

 private:
  struct Bucket {
    std::deque<int64_t> calls;  // times of the calls in the window, oldest first
    int64_t paused_until = 0;
  };
  Bucket& Get(const std::string& token) REQUIRES(mu_);

  const int limit_;
  const int64_t window_ms_;
  Mutex mu_;
  std::map<std::string, Bucket> buckets_
      GUARDED_BY(mu_);  // by a digest of the token, never the token
};

// The one budget of the daemon's forge calls.
ForgeBudget& SharedForgeBudget();

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_BUDGET_H_
