#include "bot/forge_notifier.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "bot/forge_poster.h"
#include "bot/job_steps.h"
#include "handlers/forge_pr.h"
#include "store/forges.h"
#include "store/routes.h"
#include "store/sandboxes.h"
#include "util/engine_names.h"

namespace sandbot {

void ForgeNotifier::OnJobEvent(const JobEvent& event) {
  if (event.stage != JobStage::kBuilding) return;
  Job job;
  if (!GetJob(ctx_.db, event.job_id, &job).ok() || job.kind != JobKind::kDeploy) return;
  Tell(job, "pending", "building", "");
}

namespace {

constexpr int kFailureLogLines = 15;

// The last lines of job `id`'s log (read from its last 16 KiB: a build log
// may be long), "" when there is none.
std::string JobLogTail(const std::string& data_dir, int64_t id) {
  std::ifstream in(JobLogPath(data_dir, id), std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = std::max<std::streamoff>(0, size - 16 * 1024);
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (from > 0) {
    const size_t nl = text.find('\n');
    text = nl == std::string::npos ? "" : text.substr(nl + 1);  // no half line
  }
  return TailLines(text, kFailureLogLines);
}

}  // namespace

void ForgeNotifier::OnJobFinished(const Job& job, bool ok, const std::string& detail) {
  if (job.kind == JobKind::kDeploy) {
    std::string why = ok ? "" : detail;
    if (!ok && ctx_.config) {
      // The reason, then what the log said last (the comment fences both).
      const std::string tail = JobLogTail(ctx_.config->data_dir, job.id);
      if (!tail.empty())
        why += "\n\nlast lines of job " + std::to_string(job.id) + "'s log:\n" + tail;
    }
    Tell(job, ok ? "success" : "failure", ok ? "running" : "failed", why);
  } else if (job.kind == JobKind::kDestroy && ok) {
    Tell(job, "", "destroyed", "");
  } else if (job.kind == JobKind::kReroute && ok) {
    Tell(job, "", "running", "");  // a /route: the comment shows the new table
  }
  React(job, ok);  // after the comment, which says more
}

void ForgeNotifier::Tell(const Job& job, const std::string& status, const std::string& state,
                         const std::string& detail) {
  PullRequest pr;
  if (!GetPullRequestBySandbox(ctx_.db, job.sandbox, &pr).ok()) return;
  // A deploy that gave way to a newer head says nothing of it.
  if (job.kind == JobKind::kDeploy && job.commit != pr.head_sha) return;
  Sandbox sandbox;
  const bool exists = GetSandbox(ctx_.db, job.sandbox, &sandbox).ok();
  std::string url;
  for (const Service& svc : sandbox.services) {
    if (svc.name == job.service) url = svc.url;
  }
  const std::string commit = job.kind == JobKind::kDeploy ? job.commit : pr.deployed_sha;
  std::map<std::string, std::string> routes;
  if (exists) GetRoutes(ctx_.db, sandbox.id, &routes);  // none shown when unreadable
  const std::string pr_name = pr.forge_repo + "#" + std::to_string(pr.number);
  int64_t suspend_at = 0;
  if (exists && ctx_.config && ctx_.config->idle_suspend_seconds > 0 &&
      sandbox.last_active_at > 0) {
    suspend_at = sandbox.last_active_at / 1000 + ctx_.config->idle_suspend_seconds;
  }
  // The job's log page on the dashboard, when sandbot has a public URL.
  const PreviewLog log{job.id, JobLogUrl(ctx_.config ? ctx_.config->public_url : "", job.id)};
  // The comment first: the URL in it is what the PR's people wait for; the
  // outbox sends in the order queued.
  notify::Queue(ctx_, ForgeCommentKey(pr.forge, pr.forge_repo, pr.number),
                PreviewComment(pr, exists && state != "destroyed" ? &sandbox : nullptr, state,
                               commit, detail, suspend_at, routes, log),
                "comment " + state + " → " + pr_name);
  if (!status.empty()) {
    nlohmann::json body = {{"state", status},
                           {"description", "preview " + job.sandbox + ": " + state}};
    // The service while it runs; the log while building or failed.
    const std::string target = status == "success" && !url.empty() ? url : log.url;
    if (!target.empty()) body["target_url"] = target;
    notify::Queue(ctx_, ForgeStatusKey(pr.forge, pr.forge_repo, job.commit), body.dump(),
                  "status " + status + " → " + pr_name);
  }
  // The deployment follows the PR's own service (GitHub Deployments, GitLab
  // environments; bot/forge_poster.h).
  if (job.kind != JobKind::kDeploy || job.service == pr.repo) {
    const std::string dstate = state == "destroyed"  ? "inactive"
                               : state == "building" ? "in_progress"
                                                     : status;
    nlohmann::json body = {{"state", dstate}, {"sha", commit}};
    if (!url.empty() && dstate == "success") body["environment_url"] = url;
    if (!log.url.empty()) body["log_url"] = log.url;
    notify::Queue(ctx_, ForgeDeploymentKey(pr.forge, pr.forge_repo, pr.number), body.dump(),
                  "deployment " + dstate + " → " + pr_name);
  }
}

void ForgeNotifier::React(const Job& job, bool ok) {
  JobComment c;
  Status s = GetJobComment(ctx_.db, job.id, &c);
  if (s.code() == Status::Code::kNotFound) return;
  if (!s.ok()) {
    spdlog::warn("job {}: no reaction: {}", job.id, s.ToString());
    return;
  }
  notify::Queue(ctx_, ForgeReactionKey(c.forge, c.forge_repo, c.number),
                ReactionBody(c.comment_id, ok ? "rocket" : "confused"),
                std::string("reaction ") + (ok ? "rocket" : "confused") + " → " + c.forge_repo +
                    "#" + std::to_string(c.number));
}

}  // namespace sandbot
