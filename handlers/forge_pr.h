// What a verified forge delivery means: the decision from a webhook event to
// jobs, committed with the delivery record and its audit row in one
// transaction (like a push: handlers/push.h).
//
//   - a delivery id seen before does nothing again (redeliveries);
//   - pull request opened/reopened/synchronize → preview sandbox
//     pr-{N}-{service} deploys exactly the event's head SHA, when the repo's
//     policy (auto | comment | label:NAME) wants one; drafts wait, "[skip
//     preview]" in the title skips, fork PRs wait for a maintainer's /approve
//     of their current head;
//   - closed or merged → the preview is destroyed;
//   - an event older than the newest one seen for the PR changes nothing;
//   - a comment with commands is queued (store/forge_commands.h), not run:
//     the forge is asked whether its author may write (bot/forge_permission.h)
//     after the webhook was answered; then handlers/forge_commands.h runs
//     /preview [SERVICE=baseline|URL …], /update, /destroy, /approve, /why
//     (RunForgePreviewVerb, here) and the chat grammar scoped to the preview;
//   - push → exactly what a `git push` into the repo does (handlers/push.h).
#ifndef SANDBOT_HANDLERS_FORGE_PR_H_
#define SANDBOT_HANDLERS_FORGE_PR_H_

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "handlers/forge_event.h"
#include "store/db.h"
#include "store/forges.h"
#include "store/sandboxes.h"
#include "util/status.h"

namespace sandbot {

struct ForgeDelivery {
  Forge forge;
  std::string delivery;  // the forge's delivery id
  ForgeEvent event;
  int max_sandboxes = 0;  // the daemon's limit; 0: none
  // Why a verified body could not be read (ParseForgeEvent's message): the
  // delivery is recorded and audited as refused, nothing else is done.
  std::string unreadable;
};

struct ForgeOutcome {
  std::string outcome;  // accepted | ignored | refused | duplicate
  std::string reason;   // why, in a sentence
  std::vector<int64_t> job_ids;
  std::string sandbox;  // the preview it concerned, if any
  // A comment's commands wait for the forge's word on the commenter
  // (store/forge_commands.h): the worker that asks should wake.
  bool comment_queued = false;
};

// `forge add`: a DNS-label name, kind github|gitea|gitlab, an http(s) API
// URL, and references (env:VAR, file:/path), never values.
Status ValidateForge(const Forge& forge);
// auto | comment | label:NAME.
Status ValidatePreviewsPolicy(const std::string& policy);
// The clone URL a forge gives for `forge_repo` when none was named:
// https://api.github.com + acme/web → https://github.com/acme/web.git; an
// API under /api/… (GitHub Enterprise, Gitea, GitLab) → its host.
std::string DefaultCloneUrl(const Forge& forge, const std::string& forge_repo);

// A preview's "pr" in `sandbox status --json`: forge, repo, number,
// head_sha, url (and state, deployed_sha).
nlohmann::json PullRequestJson(const PullRequest& pr);

// The hidden marker that finds sandbot's one comment on a PR.
inline constexpr char kPreviewMarker[] = "<!-- sandbot:preview -->";

// The text of that comment (Markdown): the preview's state (queued,
// building, running, failed, destroyed), the deployed SHA beside the PR's
// head, each service with its status, route and URL, when idle expiry will
// suspend it (`suspend_at`, seconds since the epoch; 0: never), and on
// failure the reason. `routes`: the sandbox's explicit routes (service →
// baseline | URL | sandbox), shown beside each service. `log`: the job the
// comment is about, linked to its log page when sandbot has a public URL,
// else named with why there is no link.
struct PreviewLog {
  int64_t job_id = 0;  // 0: no job line
  std::string url;     // JobLogUrl(); "": no public URL
};
std::string PreviewComment(const PullRequest& pr, const Sandbox* sandbox, const std::string& state,
                           const std::string& commit, const std::string& detail,
                           int64_t suspend_at = 0,
                           const std::map<std::string, std::string>& routes = {},
                           const PreviewLog& log = {});

// The dashboard's page of job `job_id` under `public_url`
// (https://sandbot.example.com → https://sandbot.example.com/ui/jobs/7);
// "" when there is no public URL or it is no plain http(s) URL (it goes
// into Markdown links and forge API fields).
std::string JobLogUrl(const std::string& public_url, int64_t job_id);

// The body of a reaction message (store/forges.h ForgeReactionKey):
// content eyes | rocket | confused on the comment `comment_id`.
std::string ReactionBody(const std::string& comment_id, const std::string& content);

// The answer to /why: `recent` deliveries of the PR (newest first, at most
// 10, without the /why itself, `skip`) as a Markdown table.
std::string WhyText(const PullRequest& pr, const std::vector<Delivery>& recent,
                    const std::string& skip);

// The preview sandbox's name: pr-{N}-{service}.
std::string PreviewSandboxName(int64_t number, const std::string& service);

// Whether a PR's preview should run now, by the repo's policy; `why` says
// why not. `asked` is true for a /preview or /update comment.
bool WantsPreview(const ForgeRepo& repo, const PullRequest& pr, const std::string& title,
                  const std::vector<std::string>& labels, bool asked, std::string* why);

Status HandleForgeDelivery(Db* db, const ForgeDelivery& delivery, ForgeOutcome* outcome);

// "forge:github": the door a forge's comment commands come through, as jobs
// and audit rows name it.
std::string ForgeDoor(const std::string& forge);

// The words after /preview: SERVICE=baseline or SERVICE=URL each, checked as
// `/route SERVICE baseline|URL` is.
Status ParsePreviewRoutes(const std::string& words,
                          std::vector<std::pair<std::string, std::string>>* routes);

// A comment event as it waits in the store for the permission check, and back.
std::string ForgeCommentEventJson(const ForgeEvent& event);
Status ParseForgeCommentEventJson(const std::string& text, ForgeEvent* event);

// Runs one of /preview /update /destroy /approve /why of a comment whose
// author may write (handlers/forge_commands.h decides that), with its audit
// row, in one transaction. `late_routes`: the routes /preview asked for when
// the preview already existed (to set as /route commands).
Status RunForgePreviewVerb(Db* db, const ForgeDelivery& delivery, const std::string& line,
                           ForgeOutcome* outcome,
                           std::vector<std::pair<std::string, std::string>>* late_routes);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_FORGE_PR_H_
