#include "bot/forge_permission.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "bot/docker_request.h"
#include "bot/failpoint.h"
#include "bot/forge_poster.h"
#include "handlers/forge_commands.h"
#include "store/forge_commands.h"
#include "util/identity.h"

namespace sandbot {

Status ParseForgePermission(const std::string& kind, int http_status, const std::string& body,
                            bool* can_write) {
  if (http_status == 404) {
    *can_write = false;  // not a collaborator / member
    return Status::Ok();
  }
  if (http_status != 200) {
    return Status::Unavailable("the forge answered HTTP " + std::to_string(http_status));
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return Status::Unavailable("the forge's answer is not JSON");
  auto text = [&j](const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
  };
  if (kind == "gitlab") {
    if (!j.contains("access_level") || !j["access_level"].is_number_integer()) {
      return Status::Unavailable("the forge's answer has no access_level");
    }
    const std::string state = text("state");
    *can_write = j["access_level"].get<int64_t>() >= 30 && (state.empty() || state == "active");
    return Status::Ok();
  }
  const std::string permission = text("permission");
  if (permission.empty()) return Status::Unavailable("the forge's answer has no permission");
  if (kind == "gitea") {
    *can_write = permission == "owner" || permission == "admin" || permission == "write";
    return Status::Ok();
  }
  const std::string role = text("role_name");
  *can_write = permission == "admin" || permission == "write" || role == "admin" ||
               role == "maintain" || role == "write";
  return Status::Ok();
}

Status AskForgePermission(const Forge& forge, const std::string& repo, const std::string& login,
                          int64_t user_id, bool* can_write) {
  std::string path;
  if (forge.kind == "gitlab") {
    if (user_id <= 0) return Status::Unavailable("the note names no user id");
    path = "/members/all/" + std::to_string(user_id);
  } else {
    if (login.empty()) return Status::Unavailable("the comment names no user");
    path = "/collaborators/" + UrlEncode(login) + "/permission";
  }
  int status = 0;
  std::string body;
  Status s = ForgeRepoGet(forge, repo, path, &status, &body);
  if (!s.ok()) return s;
  return ParseForgePermission(forge.kind, status, body, can_write);
}

namespace {

// The forge's answer for the comment's author: from the store when it is
// recent, else asked (and kept).
void Permission(Db* db, ForgeCommentRun* run) {
  const ForgeEvent& e = run->event;
  if (run->forge.token_ref.empty()) {
    // Nothing to ask with: the configured roles decide (handlers/forge_commands.h).
    run->no_token = true;
    run->permission = Status::Unavailable("forge " + run->forge.name + " has no API token");
    return;
  }
  bool found = false;
  run->permission = GetForgePermission(db, run->forge.name, e.repo, e.sender, kForgePermissionTtlMs,
                                       &found, &run->can_write);
  if (!run->permission.ok() || found) return;
  run->permission = AskForgePermission(run->forge, e.repo, e.sender, e.sender_id, &run->can_write);
  if (!run->permission.ok()) return;
  Status s = SaveForgePermission(db, run->forge.name, e.repo, e.sender, run->can_write);
  if (!s.ok())
    spdlog::warn("forge {}: cannot keep a permission answer: {}", run->forge.name, s.ToString());
}

}  // namespace

Status RunForgeComments(const HandlerContext& ctx, const std::map<std::string, Role>& roles,
                        int* ran, bool* queued_jobs) {
  *ran = 0;
  std::vector<ForgeCommentJob> jobs;
  Status s = ListForgeComments(ctx.db, 20, &jobs);
  if (!s.ok()) return s;
  for (ForgeCommentJob& job : jobs) {
    ForgeCommentRun run;
    run.delivery = job.delivery;
    Status got = GetForge(ctx.db, job.forge, &run.forge);
    Status parsed = ParseForgeCommentEventJson(job.event, &run.event);
    if (!got.ok() || !parsed.ok()) {
      s = DeleteForgeComment(ctx.db, job.id);
      if (!s.ok()) return s;
      spdlog::warn("forge comment {}: dropped: {}", StripControl(job.delivery, 100),
                   (got.ok() ? parsed : got).ToString());
      continue;
    }
    if (job.attempts >= kMaxForgeCommentAttempts) {
      // Every run so far crashed the daemon or failed in the store: no more.
      const std::string why = "given up after " + std::to_string(job.attempts) +
                              " runs that did not finish (see the daemon's log)";
      Transaction tx(ctx.db);
      s = tx.status();
      if (s.ok()) s = DeleteForgeComment(ctx.db, job.id);
      if (s.ok()) s = SetDeliveryOutcome(ctx.db, job.forge, job.delivery, "failed", why);
      if (s.ok()) s = tx.Commit();
      if (!s.ok()) return s;
      spdlog::error("forge {} comment {}: {}", job.forge, StripControl(job.delivery, 100), why);
      continue;
    }
    // Counted before it runs, on its own: a crash mid-run still counts.
    s = ClaimForgeComment(ctx.db, &job);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return s;
    Permission(ctx.db, &run);  // may ask the forge: never inside the transaction below
    auto it = roles.find(ForgeIdentity(run.forge.name, StripControl(run.event.sender, 100)));
    if (it != roles.end()) {
      run.role_granted = true;
      run.granted = it->second;
    }
    ForgeOutcome out;
    {
      // The commands' effects (jobs, routes, audit rows, the reply, the
      // delivery's outcome) and the comment leaving the queue commit
      // together: a crash before the commit undoes them all, and the next
      // run makes them once.
      Transaction tx(ctx.db);
      s = tx.status();
      if (s.ok()) s = HandleForgeComment(ctx, run, &out);
      if (s.ok()) {
        Failpoint("forge.comment.ran");
        s = DeleteForgeComment(ctx.db, job.id);
      }
      if (s.ok()) s = tx.Commit();
    }
    if (!s.ok()) {
      spdlog::error("forge {} comment {} (run {} of {}): {}; rolled back", job.forge,
                    StripControl(job.delivery, 100), job.attempts, kMaxForgeCommentAttempts,
                    s.ToString());
      continue;
    }
    ++*ran;
    if (!out.job_ids.empty()) *queued_jobs = true;
    spdlog::info("forge {} comment {} by {}: {} ({})", job.forge, StripControl(job.delivery, 100),
                 StripControl(run.event.sender, 100), out.outcome, StripControl(out.reason));
  }
  return Status::Ok();
}

}  // namespace sandbot
