#include "bot/chat_server.h"

#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "bot/destination.h"
#include "bot/form.h"
#include "bot/metrics.h"
#include "bot/operator_limits.h"
#include "bot/rejection_sampler.h"
#include "bot/slack_text.h"
#include "bot/web_session.h"
#include "handlers/dispatch.h"
#include "store/audit.h"
#include "store/chat.h"
#include "store/outbox.h"
#include "store/replays.h"
#include "store/sandboxes.h"
#include "templates/render.h"
#include "util/identity.h"

namespace sandbot {

using nlohmann::json;

namespace {

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

// The calling HTTP loop thread's own connection to the store. A connection
// is one mutex, and the loops would take turns on it (a tenth of the CPU of
// a chat answer went to futex waits with two loops); separate connections
// read in parallel, and SQLite orders their writes as it does the CLI's.
Db* LoopStore(Db* shared) {
  thread_local std::unique_ptr<Db> own;
  if (own && own->path() == shared->path()) return own.get();
  own.reset();
  std::unique_ptr<Db> opened;
  Status s = Db::Open(shared->path(), &opened);
  if (!s.ok()) {
    spdlog::warn("chat: answering from the shared store connection: {}", s.ToString());
    return shared;
  }
  // Checkpoints cost fsyncs: the daemon's WalCheckpointer does them.
  opened->DeferCheckpoints();
  own = std::move(opened);
  return own.get();
}

}  // namespace

ChatContext OnThisLoop(const ChatContext& ctx) {
  ChatContext loop = ctx;
  loop.db = LoopStore(ctx.db);
  return loop;
}

void Reject(const ChatContext& ctx, const HttpRequest& req, HttpResponse* res, int code,
            RejectReason kind, const std::string& reason) {
  if (ctx.metrics != nullptr) ctx.metrics->CountRejection(RequestDoor(req), kind);
  int64_t left_out = 0;
  if (ctx.rejections->ShouldRecord(req.remote_addr, reason, NowMillis(), &left_out)) {
    AuditRow row{};
    row.actor = "remote:" + req.remote_addr;
    row.source = "chat";
    row.action = "request.rejected";
    row.status = "refused";
    row.detail = RejectionSampler::Clip(StripControl(req.path, 100) + ": " + reason);
    if (left_out > 0) {
      row.detail += " (" + std::to_string(left_out) + " rejections not recorded the minute before)";
    }
    Status s = AppendAudit(ctx.db, row);
    if (!s.ok()) spdlog::error("cannot audit a rejected request: {}", s.ToString());
    spdlog::warn("rejected {} from {}: {}", StripControl(req.path, 100), req.remote_addr,
                 RejectionSampler::Clip(reason));
  }
  res->status = code;
  res->Set(code == 413   ? "request too large"
           : code == 404 ? "not found"
                         : "unauthorized",
           "text/plain");
}

namespace {

MessageView ErrorView(const Status& s) {
  MessageView v;
  v.kind = "error";
  v.title = "sandbot";
  v.text = s.message();
  return v;
}

// Who asks: `identity`, made from the signed request's ids, is all a role is
// looked up by; the display name is kept for answers and the audit, without
// control characters. InvalidArgument when the request carries no usable ids.
Status Identify(const ChatContext& ctx, const std::string& identity, const std::string& name,
                Request* request) {
  request->user_name = StripControl(name, 80);
  Status s = ValidateIdentity(identity);
  if (!s.ok()) {
    request->role = Role::kViewer;
    return Status::InvalidArgument(
        "the request names no usable user id; sandbot acts only for "
        "a fixed identity");
  }
  request->user_id = identity;
  request->role = RoleFor(ctx.config->chat, identity);
  return Status::Ok();
}

// Runs a parsed command and records where its jobs report back.
MessageView Run(const ChatContext& ctx, Request& request, const std::string& transport,
                const std::string& reply_url) {
  HandlerContext hc;  // not {…}: see bot/chat_notifier.cc
  hc.db = ctx.db;
  hc.runtime = ctx.runtime;
  hc.secrets = ctx.secrets;
  hc.max_sandboxes = ctx.config->max_sandboxes;
  hc.operator_limits = OperatorLimitsOf(*ctx.config);
  hc.engines = EngineNames(ctx.config->engines);
  hc.web_url = DashboardUrl(*ctx.config);
  Reply reply;
  Status s = HandleCommand(hc, request, &reply);
  if (!s.ok()) return ErrorView(s);
  for (int64_t job : reply.jobs) {
    if (reply_url.empty()) continue;
    Status r = AddJobReply(ctx.db, job, transport, reply_url);
    if (!r.ok()) spdlog::error("job {}: cannot record where to reply: {}", job, r.ToString());
  }
  // A seed command queues no job; its copy is the seed worker's, woken here.
  if (!reply.jobs.empty() || request.command.family == "seed") ctx.hub->Notify();
  return std::move(reply.view);  // not a copy: a list holds 1,000 views
}

// Verifies a Slack-signed request; on failure answers and returns false.
bool VerifySlack(const ChatContext& ctx, const HttpRequest& req, HttpResponse* res) {
  const std::string& secret = ctx.config->chat.slack_signing_secret;
  if (secret.empty()) {
    Reject(ctx, req, res, 401, RejectReason::kUnconfigured, "Slack signing secret not configured");
    return false;
  }
  const std::string signature = req.HeaderValue("X-Slack-Signature");
  const std::string timestamp = req.HeaderValue("X-Slack-Request-Timestamp");
  const int64_t now = NowSeconds();
  Status s = VerifySlackSignature(secret, timestamp, req.body, signature, now);
  // A timestamp out of the window is refused before the signature is
  // checked (signatures.h): the counter tells a skewed clock from forgeries.
  RejectReason kind =
      s.message().rfind("stale", 0) == 0 ? RejectReason::kStale : RejectReason::kBadSignature;
  // Verified: the timestamp is digits within the window of now.
  if (s.ok() &&
      !ctx.replay->FirstSeen(signature, std::strtoll(timestamp.c_str(), nullptr, 10), now)) {
    s = Status::Forbidden(
        "replayed request (signature already used, or stamped before the daemon started)");
    kind = RejectReason::kReplayed;
  }
  if (!s.ok()) {
    Reject(ctx, req, res, 401, kind, s.message());
    return false;
  }
  return true;
}

void SlashCommand(const ChatContext& ctx, const HttpRequest& req, HttpResponse* res) {
  auto form = ParseForm(req.body);
  std::string transport;
  if (req.HasHeader("X-Slack-Signature")) {
    if (!VerifySlack(ctx, req, res)) return;
    transport = "slack";
  } else {
    std::string auth = req.HeaderValue("Authorization");
    Status s = VerifyMattermostToken(ctx.config->chat.mattermost_token, form["token"], auth);
    if (!s.ok()) {
      return Reject(ctx, req, res, 401,
                    ctx.config->chat.mattermost_token.empty() ? RejectReason::kUnconfigured
                                                              : RejectReason::kBadSignature,
                    "no valid signature or token: " + s.message());
    }
    transport = "mattermost";
  }
  if (form["ssl_check"] == "1") {
    res->status = 200;
    return;
  }
  Request request;
  request.source = transport;
  request.channel = transport + ":" + StripControl(form["channel_id"], 100);
  Status s = Identify(ctx,
                      transport == "slack" ? SlackIdentity(form["team_id"], form["user_id"])
                                           : MattermostIdentity(form["user_id"]),
                      form["user_name"], &request);
  std::string family = form["command"];
  if (s.ok()) s = ParseCommand(family, SlackCommandText(form["text"]), &request.command);
  // Replies go only where the policy allows (bot/reply_url_policy.h): a
  // signed request must not make the daemon post to any host it names.
  const std::string& response_url = form["response_url"];
  if (s.ok() && !response_url.empty()) s = ctx.reply_policy->CheckReplyUrl(response_url);
  MessageView view = s.ok() ? Run(ctx, request, transport, response_url) : ErrorView(s);
  if (!s.ok()) {
    // A request we could not parse is still a request: audit it.
    AuditRow row{};
    row.actor = ActorOf(request);
    row.source = transport;
    row.action = "command.invalid";
    row.status = "refused";
    row.detail = family + " " + RedactCommandText(family, form["text"]) + ": " + s.message();
    AppendAudit(ctx.db, row);
  }
  res->status = 200;  // Slack shows non-200 answers as a generic failure
  if (transport == "slack") {
    res->Set(RenderSlack(view, "ephemeral", false), "application/json");
  } else {
    res->Set(RenderMattermost(view, "ephemeral"), "application/json");
  }
}

// Button clicks become the commands they stand for.
Status CommandForAction(const ChatContext& ctx, const std::string& action_id,
                        const std::string& value, Command* cmd) {
  std::string sandbox = value, service;
  size_t slash = value.find('/');
  if (slash != std::string::npos) {
    sandbox = value.substr(0, slash);
    service = value.substr(slash + 1);
  }
  if (action_id == "sandbox.destroy") return ParseCommand("sandbox", "destroy " + sandbox, cmd);
  if (action_id == "route.baseline") {
    return ParseCommand("route", service + " baseline in " + sandbox, cmd);
  }
  if (action_id == "service.redeploy") {
    Service svc;
    Status s = GetService(ctx.db, sandbox, service, &svc);
    if (!s.ok()) return s;
    return ParseCommand("deploy", service + " " + svc.branch + " to " + sandbox, cmd);
  }
  return Status::InvalidArgument("unknown button '" + action_id + "'");
}

void Interaction(const ChatContext& ctx, const HttpRequest& req, HttpResponse* res) {
  if (!VerifySlack(ctx, req, res)) return;
  auto form = ParseForm(req.body);
  json payload = json::parse(form["payload"], nullptr, false);
  res->status = 200;
  if (!payload.is_object() || payload.value("type", "") != "block_actions" ||
      !payload.contains("actions") || !payload["actions"].is_array() ||
      payload["actions"].empty() || !payload["actions"][0].is_object()) {
    return;  // other interaction types: acknowledged, nothing to do
  }
  const json& action = payload["actions"][0];
  const json user = payload.value("user", json::object());
  const json channel = payload.value("channel", json::object());
  const json team = payload.value("team", json::object());
  Request request;
  request.source = "slack";
  request.channel = "slack:" + StripControl(channel.value("id", ""), 100);
  Status s = Identify(
      ctx, SlackIdentity(user.value("team_id", team.value("id", "")), user.value("id", "")),
      user.value("username", user.value("name", "")), &request);
  std::string response_url = payload.value("response_url", "");
  if (s.ok()) {
    s = CommandForAction(ctx, action.value("action_id", ""), action.value("value", ""),
                         &request.command);
  }
  if (!response_url.empty()) {
    Status allowed = ctx.reply_policy->CheckReplyUrl(response_url);
    if (!allowed.ok()) {
      spdlog::warn("interaction refused: {}", StripControl(allowed.message(), 300));
      response_url.clear();  // nowhere to answer: the click is refused
      if (s.ok()) s = allowed;
    }
  }
  MessageView view = s.ok() ? Run(ctx, request, "slack", response_url) : ErrorView(s);
  if (!response_url.empty()) {
    OutboxMessage m;
    m.url = response_url;
    m.body = RenderSlack(view, "ephemeral", false);
    m.purpose = "interaction answer";
    Status o = EnqueueOutbox(ctx.db, m);
    if (!o.ok()) spdlog::error("cannot queue an answer: {}", o.ToString());
    ctx.hub->Notify();
  }
}

// How long a Teams message is remembered, and how far its timestamp may be
// from now.
constexpr int64_t kTeamsReplayKeepMs = 7LL * 24 * 3600 * 1000;
constexpr int64_t kTeamsClockSkewSeconds = 300;

// On a refusal, *kind says whether the message was stale or replayed.
Status CheckTeamsFreshness(const ChatContext& ctx, const HttpRequest& req, const json& activity,
                           RejectReason* kind) {
  *kind = RejectReason::kStale;
  if (activity.is_object() && activity.contains("timestamp") && activity["timestamp"].is_string()) {
    // "2026-12-01T15:04:05.123Z" (Bot Framework activities are in UTC).
    std::tm tm{};
    const std::string ts = activity["timestamp"].get<std::string>();
    if (strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) {
      return Status::Forbidden("the message's timestamp is not ISO 8601");
    }
    const int64_t when = static_cast<int64_t>(timegm(&tm));
    if (std::llabs(NowSeconds() - when) > kTeamsClockSkewSeconds) {
      return Status::Forbidden("stale message (timestamp more than 5 minutes from now)");
    }
  }
  bool first = false;
  Status s = FirstSeenPersistent(ctx.db, "teams:" + req.HeaderValue("Authorization"),
                                 NowMillis() + kTeamsReplayKeepMs, &first);
  if (!s.ok()) return s;
  *kind = RejectReason::kReplayed;
  if (!first) return Status::Forbidden("replayed message (already acted on)");
  return Status::Ok();
}

void TeamsMessage(const ChatContext& ctx, const HttpRequest& req, HttpResponse* res) {
  Status s =
      VerifyTeamsHmac(ctx.config->chat.teams_hmac_key, req.body, req.HeaderValue("Authorization"));
  RejectReason kind = RejectReason::kBadSignature;
  if (ctx.config->chat.teams_hmac_key.empty()) {
    s = Status::Forbidden("Teams key not configured");
    kind = RejectReason::kUnconfigured;
  }
  if (!s.ok()) return Reject(ctx, req, res, 401, kind, s.message());
  json activity = json::parse(req.body, nullptr, false);
  // Teams signs only the body: nothing stops a captured message from being
  // sent again but remembering it (in the store: across restarts too), and
  // the activity's own timestamp when it carries one.
  s = CheckTeamsFreshness(ctx, req, activity, &kind);
  if (!s.ok()) return Reject(ctx, req, res, 401, kind, s.message());
  MessageView view;
  if (!activity.is_object()) {
    view = ErrorView(Status::InvalidArgument("the message is not JSON"));
  } else {
    const json from = activity.value("from", json::object());
    const json conversation = activity.value("conversation", json::object());
    auto [family, rest] = SplitFamily(CleanTeamsText(activity.value("text", "")));
    Request request;
    request.source = "teams";
    request.channel = "teams:" + StripControl(conversation.value("id", ""), 200);
    // The Azure AD object id: fixed per person, unlike the display name.
    s = Identify(ctx, TeamsIdentity(from.value("aadObjectId", "")), from.value("name", ""),
                 &request);
    if (family.empty() || family == "help") family = "sandbox";
    if (s.ok()) s = ParseCommand(family, rest, &request.command);
    // Results go to the configured Workflows webhook, named, not copied.
    const std::string reply = ctx.config->chat.teams_webhook_url.empty() ? "" : kTeamsWebhook;
    view = s.ok() ? Run(ctx, request, "teams", reply) : ErrorView(s);
  }
  res->status = 200;
  res->Set(RenderTeamsText(view), "application/json");
}

}  // namespace

std::string CleanTeamsText(const std::string& html) {
  std::string text;
  // Drop the bot's mention with its content, then any other tags.
  std::string s = html;
  for (size_t at; (at = s.find("<at>")) != std::string::npos;) {
    size_t end = s.find("</at>", at);
    s.erase(at, end == std::string::npos ? std::string::npos : end + 5 - at);
  }
  bool in_tag = false;
  for (char c : s) {
    if (c == '<') in_tag = true;
    if (!in_tag) text.push_back(c);
    if (c == '>') in_tag = false;
  }
  const std::pair<const char*, const char*> entities[] = {{"&nbsp;", " "}, {"&lt;", "<"},
                                                          {"&gt;", ">"},   {"&quot;", "\""},
                                                          {"&#39;", "'"},  {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    for (size_t p; (p = text.find(from)) != std::string::npos;) text.replace(p, strlen(from), to);
  }
  size_t a = text.find_first_not_of(" \t\r\n");
  size_t b = text.find_last_not_of(" \t\r\n");
  return a == std::string::npos ? "" : text.substr(a, b - a + 1);
}

std::pair<std::string, std::string> SplitFamily(const std::string& text) {
  size_t a = text.find_first_not_of(" \t\r\n");
  if (a == std::string::npos) return {"", ""};
  size_t b = text.find_first_of(" \t\r\n", a);
  std::string family = text.substr(a, b == std::string::npos ? std::string::npos : b - a);
  if (!family.empty() && family[0] == '/') family.erase(0, 1);
  std::string rest = b == std::string::npos ? "" : text.substr(b + 1);
  return {family, rest};
}

void RegisterChatRoutes(HttpServer* server, ChatContext* ctx) {
  using Handler = void (*)(const ChatContext&, const HttpRequest&, HttpResponse*);
  auto route = [server, ctx](const char* path, Handler handler) {
    server->Post(path, [ctx, handler](const HttpRequest& req, HttpResponse* res) {
      handler(OnThisLoop(*ctx), req, res);
    });
  };
  route("/slack/commands", SlashCommand);
  route("/slack/interactions", Interaction);
  route("/teams/messages", TeamsMessage);
  // The server answers bodies over the limit without reading them.
  server->OnTooLarge([ctx](const HttpRequest& req, HttpResponse* res) {
    // Only the chat routes are worth a record; any other path just gets 413.
    if (req.path != "/slack/commands" && req.path != "/slack/interactions" &&
        req.path != "/teams/messages") {
      if (ctx->metrics != nullptr)
        ctx->metrics->CountRejection(Door::kHttp, RejectReason::kTooLarge);
      res->status = 413;
      res->Set("request too large", "text/plain");
      return;
    }
    Reject(OnThisLoop(*ctx), req, res, 413, RejectReason::kTooLarge,
           "body over " + std::to_string(ctx->config->chat.max_body_bytes) + " bytes");
  });
}

}  // namespace sandbot
