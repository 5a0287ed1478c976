// The catch-up for deliveries missed while the daemon was down (or never
// sent): every preview whose PR the store thinks open is checked on its
// forge, and a PR the forge says is closed or merged is handled as that
// event would have been (its preview destroyed, recorded as a delivery
// "sweep:…"). Then the other way: each forge repo whose previews start
// without a person asking (auto, label:NAME) has its open PRs listed, and
// one the store never saw open is handled as its "opened" (or "reopened")
// event would have been, at the listed head (delivery "sweep:…:open:SHA",
// so a head is tried once). A forge that cannot be asked, or answers
// anything but a state or a list, creates and destroys nothing.
#ifndef SANDBOT_BOT_FORGE_SWEEP_H_
#define SANDBOT_BOT_FORGE_SWEEP_H_

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct ForgeSweepReport {
  int checked = 0;
  int closed = 0;   // previews whose PR was found closed or merged
  int unknown = 0;  // the forge could not say: left alone
  int created = 0;  // previews queued for open PRs that had none
};

Status SweepForgePreviews(Db* db, int max_sandboxes, ForgeSweepReport* report);
// The second half alone: previews for open PRs the store never saw open.
Status SweepMissingPreviews(Db* db, int max_sandboxes, ForgeSweepReport* report);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORGE_SWEEP_H_
