#include "bot/notifier.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "handlers/dispatch.h"
#include "store/baselines.h"
#include "store/chat.h"
#include "store/outbox.h"
#include "templates/render.h"

namespace sandbot {

namespace {

constexpr int kMaxReplyPosts = 5;                     // per response_url
constexpr int64_t kReplyLifetimeMs = 30 * 60 * 1000;  // response_url lifetime
constexpr int kMaxAttempts = 6;

std::string Short(const std::string& sha) { return sha.substr(0, 7); }

}  // namespace

bool SplitUrl(const std::string& url, std::string* origin, std::string* path) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  std::string s = url.substr(0, scheme);
  if (s != "http" && s != "https") return false;
  size_t slash = url.find('/', scheme + 3);
  *origin = url.substr(0, slash);
  *path = slash == std::string::npos ? "/" : url.substr(slash);
  return origin->size() > scheme + 3;
}

Notifier::Notifier(Db* db, const Config* config, EventHub* hub)
    : db_(db), config_(config), hub_(hub) {}

Notifier::~Notifier() { Stop(); }

void Notifier::Start() {
  sender_ = std::thread([this] { SendLoop(); });
}

void Notifier::Stop() {
  stopping_ = true;
  hub_->Notify();
  if (sender_.joinable()) sender_.join();
}

void Notifier::Queue(const std::string& url, const std::string& body, const std::string& purpose) {
  OutboxMessage m;
  m.url = url;
  m.body = body;
  m.purpose = purpose;
  Status s = EnqueueOutbox(db_, m);
  if (!s.ok()) spdlog::error("cannot queue a message ({}): {}", purpose, s.ToString());
  hub_->Notify();
}

void Notifier::OnJobEvent(int64_t job_id, const std::string& stage, const std::string&) {
  // Only the stages a person waits for; the rest stays in the job log.
  if (stage != "building" && stage != "destroying" && stage != "rerouting") return;
  Job job;
  if (!GetJob(db_, job_id, &job).ok()) return;
  ReportToReplies(job, stage, false, "");
  if (job.kind == "deploy" && stage == "building") Announce(job, "started", "");
}

void Notifier::OnJobFinished(const Job& job, bool ok, const std::string& detail) {
  ReportToReplies(job, ok ? "succeeded" : "failed", true, detail);
  if (job.kind == "deploy") Announce(job, ok ? "succeeded" : "failed", detail);
}

void Notifier::ReportToReplies(const Job& job, const std::string& stage, bool final_message,
                               const std::string& detail) {
  std::vector<JobReply> replies;
  if (!ListJobReplies(db_, job.id, &replies).ok() || replies.empty()) return;
  std::map<std::string, std::string> baselines;
  LoadBaselines(db_, &baselines);  // a view without baselines still says what happened
  HandlerContext hc{db_, nullptr, &baselines};
  MessageView view;
  view.kind = "job";
  view.actor = job.actor;
  view.outcome = stage;
  if (!BuildSandboxView(hc, job.sandbox, &view).ok()) {
    view.title = "sandbox " + job.sandbox;  // destroyed: nothing left to show
  }
  if (job.kind == "destroy") view.buttons.clear();
  const std::string what = job.kind == "deploy"
                               ? job.service + "@" + job.branch + " " + Short(job.commit)
                               : job.kind + " " + job.sandbox;
  view.text = "job " + std::to_string(job.id) + " (" + what + "): " + stage +
              (detail.empty() ? "" : " — " + detail);
  const int64_t now = NowMillis();
  for (const JobReply& r : replies) {
    if (r.transport == "teams") {
      // Teams has no message to edit: it gets the result once.
      if (final_message && job.kind != "deploy") {
        Queue(r.url, RenderTeamsCard(view), "job " + std::to_string(job.id) + " → teams");
      }
      continue;
    }
    if (r.posts >= kMaxReplyPosts || now - r.created_at > kReplyLifetimeMs) continue;
    if (r.transport == "mattermost" && !final_message) continue;
    // Keep the last allowed post for the outcome.
    if (!final_message && r.posts >= kMaxReplyPosts - 1) continue;
    std::string body = r.transport == "slack" ? RenderSlack(view, "in_channel", r.posts > 0)
                                              : RenderMattermost(view, "in_channel");
    Queue(r.url, body, "job " + std::to_string(job.id) + " " + stage + " → " + r.transport);
    CountJobReplyPost(db_, r.id);
  }
}

void Notifier::Announce(const Job& job, const std::string& outcome, const std::string& detail) {
  const ChatConfig& chat = config_->chat;
  if (chat.slack_webhook_url.empty() && chat.teams_webhook_url.empty()) return;
  std::map<std::string, std::string> baselines;
  LoadBaselines(db_, &baselines);  // a view without baselines still says what happened
  HandlerContext hc{db_, nullptr, &baselines};
  MessageView view;
  view.kind = "notification";
  view.actor = job.actor;
  view.outcome = outcome;
  BuildSandboxView(hc, job.sandbox, &view);
  view.title = "Deploy " + outcome + ": " + job.service + " in " + job.sandbox;
  view.text = job.actor + " (" + job.source + ") deployed " + job.service + "@" + job.branch + " " +
              Short(job.commit) + " to " + job.sandbox + ": " + outcome +
              (detail.empty() ? "" : " — " + detail);
  const std::string purpose = "deploy " + outcome + " job " + std::to_string(job.id);
  if (!chat.slack_webhook_url.empty()) {
    Queue(chat.slack_webhook_url, RenderSlack(view, "", false), purpose + " → slack webhook");
  }
  if (!chat.teams_webhook_url.empty()) {
    Queue(chat.teams_webhook_url, RenderTeamsCard(view), purpose + " → teams webhook");
  }
}

void Notifier::NotifyOwner(const std::string& sandbox, const std::string& owner,
                           const std::string& title, const std::string& text) {
  const ChatConfig& chat = config_->chat;
  if (chat.slack_webhook_url.empty() && chat.teams_webhook_url.empty()) return;
  std::map<std::string, std::string> baselines;
  LoadBaselines(db_, &baselines);
  HandlerContext hc{db_, nullptr, &baselines};
  MessageView view;
  view.kind = "notification";
  view.actor = "sandbot";
  BuildSandboxView(hc, sandbox, &view);  // gone (destroyed): the text says it all
  view.buttons.clear();
  view.title = title;
  view.text = owner + ": " + text;
  const std::string purpose = title;
  if (!chat.slack_webhook_url.empty()) {
    Queue(chat.slack_webhook_url, RenderSlack(view, "", false), purpose + " → slack webhook");
  }
  if (!chat.teams_webhook_url.empty()) {
    Queue(chat.teams_webhook_url, RenderTeamsCard(view), purpose + " → teams webhook");
  }
}

void Notifier::SendLoop() {
  while (!stopping_) {
    uint64_t seen = hub_->version();
    OutboxMessage m;
    bool found = false;
    Status s = NextOutbox(db_, NowMillis(), &m, &found);
    if (!s.ok() || !found) {
      hub_->WaitChange(seen, std::chrono::milliseconds(500));
      continue;
    }
    std::string origin, path;
    if (!SplitUrl(m.url, &origin, &path)) {
      MarkOutboxAttempt(db_, m.id, "not an http(s) URL", NowMillis(), true);
      continue;
    }
    httplib::Client client(origin);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    auto res = client.Post(path.c_str(), m.body, m.content_type.c_str());
    if (res && res->status >= 200 && res->status < 300) {
      MarkOutboxSent(db_, m.id);
      spdlog::debug("sent {}", m.purpose);
      continue;
    }
    std::string error = res ? "HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 200)
                            : "cannot reach " + origin + ": " + httplib::to_string(res.error());
    bool retry = !res || res->status == 429 || res->status >= 500;
    bool give_up = !retry || m.attempts + 1 >= kMaxAttempts;
    int64_t delay_ms = 1000LL << std::min(m.attempts, 6);
    if (res && res->status == 429 && res->has_header("Retry-After")) {
      delay_ms = std::max<int64_t>(delay_ms,
                                   std::atoll(res->get_header_value("Retry-After").c_str()) * 1000);
    }
    MarkOutboxAttempt(db_, m.id, error, NowMillis() + delay_ms, give_up);
    spdlog::warn("{}: {}{}", m.purpose, error, give_up ? " (given up)" : " (will retry)");
  }
}

}  // namespace sandbot
