#include "bot/forge_sweep.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "bot/forge_poster.h"
#include "handlers/forge_pr.h"
#include "store/forges.h"

namespace sandbot {

Status SweepForgePreviews(Db* db, int max_sandboxes, ForgeSweepReport* report) {
  std::vector<PullRequest> open;
  Status s = ListOpenPreviews(db, &open);
  if (!s.ok()) return s;
  for (const PullRequest& pr : open) {
    ++report->checked;
    Forge forge;
    s = GetForge(db, pr.forge, &forge);
    std::string state, head;
    if (s.ok()) s = GetForgePullState(forge, pr.forge_repo, pr.number, &state, &head);
    if (!s.ok()) {
      ++report->unknown;
      spdlog::warn("forge sweep: {}#{} on {}: {} (left alone)", pr.forge_repo, pr.number, pr.forge,
                   s.message());
      continue;
    }
    if (state == "open") continue;
    ForgeDelivery d;
    d.forge = forge;
    d.delivery = "sweep:" + pr.forge_repo + "#" + std::to_string(pr.number) + ":" + state + ":" +
                 std::to_string(NowMillis());
    d.max_sandboxes = max_sandboxes;
    d.event.kind = ForgeEventKind::kPullRequest;
    d.event.name = "sweep." + state;
    d.event.action = state == "merged" ? PrAction::kMerged : PrAction::kClosed;
    d.event.sender = "sweep";
    d.event.repo = pr.forge_repo;
    d.event.number = pr.number;
    d.event.head_sha = head.empty() ? pr.head_sha : head;
    d.event.url = pr.url;
    ForgeOutcome out;
    s = HandleForgeDelivery(db, d, &out);
    if (!s.ok()) return s;
    ++report->closed;
    spdlog::info("forge sweep: {}#{} on {} is {}: {}", pr.forge_repo, pr.number, pr.forge, state,
                 out.reason);
  }
  return Status::Ok();
}

}  // namespace sandbot
