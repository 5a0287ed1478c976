#include "bot/chat_notifier.h"

#include <spdlog/spdlog.h>

#include <map>

#include "handlers/dispatch.h"
#include "store/baselines.h"
#include "store/outbox.h"
#include "util/engine_names.h"

namespace sandbot {
namespace notify {

namespace {

constexpr int kMaxReplyPosts = 5;                     // per response_url
constexpr int64_t kReplyLifetimeMs = 30 * 60 * 1000;  // response_url lifetime

// The sandbox as a view; a view without baselines still says what happened,
// and a sandbox that is gone (destroyed) leaves the view to its text.
Status SandboxView(const NotifyContext& ctx, const std::string& sandbox, MessageView* view) {
  std::map<std::string, std::string> baselines;
  Status b = LoadBaselines(ctx.db, &baselines);
  if (!b.ok()) spdlog::warn("notification of {} without baselines: {}", sandbox, b.ToString());
  // Member by member: GCC 12 -O2 takes the aggregate form's std::map member
  // for uninitialized (-Wmaybe-uninitialized, fatal with -Werror).
  HandlerContext hc;
  hc.db = ctx.db;
  hc.baselines = &baselines;
  return BuildSandboxView(hc, sandbox, view);
}

}  // namespace

bool IsProgressStage(JobStage stage) {
  return stage == JobStage::kBuilding || stage == JobStage::kDestroying ||
         stage == JobStage::kRerouting;
}

void Queue(const NotifyContext& ctx, const std::string& url, const std::string& body,
           const std::string& purpose) {
  OutboxMessage m;
  m.url = url;
  m.body = body;
  m.purpose = purpose;
  Status s = EnqueueOutbox(ctx.db, m);
  if (!s.ok()) spdlog::error("cannot queue a message ({}): {}", purpose, s.ToString());
  ctx.hub->Notify();
}

std::vector<JobReply> RepliesVia(const NotifyContext& ctx, int64_t job_id, Transport transport) {
  std::vector<JobReply> replies, via;
  Status s = ListJobReplies(ctx.db, job_id, &replies);
  if (!s.ok()) {
    spdlog::error("job {}: cannot read where to reply: {}", job_id, s.ToString());
    return via;
  }
  for (JobReply& r : replies) {
    Transport t;
    if (ParseTransport(r.transport, &t) && t == transport) via.push_back(std::move(r));
  }
  return via;
}

bool ReplyAllowed(const JobReply& r, bool final_message, int64_t now_ms) {
  if (r.posts >= kMaxReplyPosts || now_ms - r.created_at > kReplyLifetimeMs) return false;
  // Keep the last allowed post for the outcome.
  return final_message || r.posts < kMaxReplyPosts - 1;
}

void CountPost(const NotifyContext& ctx, const JobReply& reply) {
  Status s = CountJobReplyPost(ctx.db, reply.id);
  // Uncounted, a later post may go past the service's limit and be refused.
  if (!s.ok()) spdlog::warn("job {}: cannot count a reply post: {}", reply.job_id, s.ToString());
}

MessageView JobView(const NotifyContext& ctx, const Job& job, const std::string& stage,
                    const std::string& detail) {
  MessageView view;
  view.kind = "job";
  view.actor = job.actor;
  view.outcome = stage;
  if (!SandboxView(ctx, job.sandbox, &view).ok()) {
    view.title = "sandbox " + job.sandbox;  // destroyed: nothing left to show
  }
  if (job.kind == JobKind::kDestroy) view.buttons.clear();
  const std::string what = job.kind == JobKind::kDeploy
                               ? job.service + "@" + job.branch + " " + Short(job.commit)
                               : JobKindName(job.kind) + std::string(" ") + job.sandbox;
  view.text = "job " + std::to_string(job.id) + " (" + what + "): " + stage +
              (detail.empty() ? "" : " — " + detail);
  return view;
}

MessageView DeployView(const NotifyContext& ctx, const Job& job, const std::string& outcome,
                       const std::string& detail) {
  MessageView view;
  view.kind = "notification";
  view.actor = job.actor;
  view.outcome = outcome;
  // Ignored: a sandbox that is gone leaves the title and text to say it all.
  (void)SandboxView(ctx, job.sandbox, &view);
  view.title = "Deploy " + outcome + ": " + job.service + " in " + job.sandbox;
  view.text = job.actor + " (" + job.source + ") deployed " + job.service + "@" + job.branch + " " +
              Short(job.commit) + " to " + job.sandbox + ": " + outcome +
              (detail.empty() ? "" : " — " + detail);
  return view;
}

MessageView OwnerView(const NotifyContext& ctx, const std::string& sandbox,
                      const std::string& owner, const std::string& title, const std::string& text) {
  MessageView view;
  view.kind = "notification";
  view.actor = "sandbot";
  // Ignored: gone (destroyed), the text says it all.
  (void)SandboxView(ctx, sandbox, &view);
  view.buttons.clear();
  view.title = title;
  view.text = owner + ": " + text;
  return view;
}

bool ProgressJob(const NotifyContext& ctx, const JobEvent& event, Job* job) {
  if (!IsProgressStage(event.stage)) return false;
  Status s = GetJob(ctx.db, event.job_id, job);
  if (!s.ok()) spdlog::warn("job {}: not told in chat: {}", event.job_id, s.ToString());
  return s.ok();
}

}  // namespace notify
}  // namespace sandbot
