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
  return SweepMissingPreviews(db, max_sandboxes, report);
}

Status SweepMissingPreviews(Db* db, int max_sandboxes, ForgeSweepReport* report) {
  std::vector<ForgeRepo> repos;
  Status s = ListForgeRepos(db, &repos);
  if (!s.ok()) return s;
  for (const ForgeRepo& repo : repos) {
    // Only the policies that start previews without a person asking.
    if (repo.previews != "auto" && repo.previews.rfind("label:", 0) != 0) continue;
    Forge forge;
    s = GetForge(db, repo.forge, &forge);
    std::vector<ForgeOpenPull> open;
    if (s.ok()) s = ListForgeOpenPulls(forge, repo.forge_repo, &open);
    if (!s.ok()) {
      ++report->unknown;
      spdlog::warn("forge sweep: open PRs of {} on {}: {} (nothing created)", repo.forge_repo,
                   repo.forge, s.message());
      continue;
    }
    for (const ForgeOpenPull& o : open) {
      PullRequest known;
      s = GetPullRequest(db, forge.name, repo.forge_repo, o.number, &known);
      if (s.ok() && known.state == "open") continue;  // its events came: the decisions stand
      if (!s.ok() && s.code() != Status::Code::kNotFound) return s;
      ForgeDelivery d;
      d.forge = forge;
      // One per head: the next sweep of the same head is a redelivery.
      d.delivery =
          "sweep:" + repo.forge_repo + "#" + std::to_string(o.number) + ":open:" + o.head_sha;
      d.max_sandboxes = max_sandboxes;
      ForgeEvent& e = d.event;
      e.kind = ForgeEventKind::kPullRequest;
      e.name = "sweep.open";
      e.action = s.ok() ? PrAction::kReopened : PrAction::kOpened;
      e.sender = "sweep";
      e.repo = repo.forge_repo;
      e.number = o.number;
      e.title = o.title;
      e.url = o.url;
      e.head_sha = o.head_sha;
      e.head_ref = o.head_ref;
      e.head_at = o.head_at;
      e.draft = o.draft;
      e.fork = o.fork;
      e.labels = o.labels;
      ForgeOutcome out;
      s = HandleForgeDelivery(db, d, &out);
      if (!s.ok()) return s;
      if (out.outcome == "accepted") ++report->created;
      if (out.outcome != "duplicate") {
        spdlog::info("forge sweep: {}#{} on {} is open: {}", repo.forge_repo, o.number, repo.forge,
                     out.reason);
      }
    }
  }
  return Status::Ok();
}

}  // namespace sandbot
