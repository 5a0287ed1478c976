// The chat front doors on the HTTP listener:
//   POST /slack/commands      Slack slash commands (v0 signature), and
//                             Mattermost's identical form (token)
//   POST /slack/interactions  Slack button clicks (v0 signature)
//   POST /teams/messages      Teams outgoing webhook (HMAC)
// Each verifies the request, parses the one grammar (handlers/command.h),
// runs it (handlers/dispatch.h) and answers at once; Docker work happens in
// the workers, whose progress is posted back by the Notifier. Unsigned, badly
// signed, stale, replayed and oversized requests get 401/413, do nothing, and
// leave an audit row with the source address and reason.
#ifndef SANDBOT_BOT_CHAT_SERVER_H_
#define SANDBOT_BOT_CHAT_SERVER_H_

#include <string>

#include "bot/config.h"
#include "bot/event_hub.h"
#include "bot/http_server.h"
#include "bot/metrics.h"
#include "bot/rejection_sampler.h"
#include "bot/replay_guard.h"
#include "bot/reply_url_policy.h"
#include "bot/signatures.h"
#include "handlers/runtime.h"
#include "store/db.h"
#include "store/secret_keys.h"

namespace sandbot {

struct ChatContext {
  Db* db = nullptr;
  ContainerRuntime* runtime = nullptr;
  const Config* config = nullptr;
  EventHub* hub = nullptr;
  ReplayGuard* replay = nullptr;
  SecretKeys* secrets = nullptr;                 // environment secrets (store/secret_keys.h)
  const ReplyUrlPolicy* reply_policy = nullptr;  // where a request may have replies sent
  RejectionSampler* rejections = nullptr;        // what refusals are recorded
  Metrics* metrics = nullptr;                    // where refusals are counted (may be null)
  EventHub* job_logs = nullptr;  // a job's log file grew or the job ended (may be null)
};

void RegisterChatRoutes(HttpServer* server, ChatContext* context);

// The context with the calling HTTP loop's own store connection.
ChatContext OnThisLoop(const ChatContext& ctx);
// Answers `code` (401, 404, 413) to a refused request. A refusal costs the
// daemon a counter (bot/metrics.h, by door and `kind`); the first of each
// (address, reason) in a minute also an audit row and a log line
// (bot/rejection_sampler.h), so a flood of unsigned requests cannot fill the
// disk.
void Reject(const ChatContext& ctx, const HttpRequest& req, HttpResponse* res, int code,
            RejectReason kind, const std::string& reason);

// The context with the calling HTTP loop's own store connection.
ChatContext OnThisLoop(const ChatContext& ctx);
// Answers `code` (401, 404, 413) to a refused request. A refusal costs the
// daemon a counter; the first of each (address, reason) in a minute also an
// audit row and a log line (bot/rejection_sampler.h), so a flood of unsigned
// requests cannot fill the disk.
void Reject(const ChatContext& ctx, const HttpRequest& req, HttpResponse* res, int code,
            const std::string& reason);

// Teams sends HTML: "<at>sandbot</at> sandbox&nbsp;list" → "sandbox list".
std::string CleanTeamsText(const std::string& html);
// "sandbox create qa" → {"sandbox", "create qa"}; a leading '/' is dropped.
std::pair<std::string, std::string> SplitFamily(const std::string& text);

}  // namespace sandbot

#endif  // SANDBOT_BOT_CHAT_SERVER_H_
