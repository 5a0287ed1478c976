#include "handlers/web_commands.h"

#include <ctime>

#include "store/web_links.h"
#include "store/web_sessions.h"
#include "util/identity.h"

namespace sandbot {

namespace {

std::string Minutes(int64_t ms) { return std::to_string((ms + 59999) / 60000) + " min"; }

}  // namespace

Status ParseWebSessionId(const std::vector<std::string>& args, Command* command) {
  if (args.empty()) return Status::InvalidArgument("missing ID (see /sandbox web-sessions)");
  if (args.size() > 1) return Status::InvalidArgument("unexpected '" + args[1] + "'");
  const std::string& id = args[0];
  if (id.size() != 16 || id.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status::InvalidArgument("a session ID is 16 hex digits, as /sandbox web-sessions shows");
  }
  command->name = id;
  return Status::Ok();
}

Status HandleSandboxWeb(const HandlerContext& ctx, const Request& req, Reply* reply) {
  if (ctx.secrets == nullptr || ctx.web_url.empty()) {
    return Status::Unavailable("the dashboard is not served here");
  }
  std::string token;
  Status s = MintWebLink(*ctx.secrets->current(), req.user_id, req.user_name,
                         static_cast<int64_t>(std::time(nullptr)), &token);
  if (s.ok() && req.user_id.empty()) s = Status::InvalidArgument("no identity to sign in as");
  if (!s.ok()) return s;
  reply->view.kind = "ack";
  reply->view.title = "dashboard sign-in";
  // Only the caller sees it: chat answers a slash command to them alone,
  // and the audit row records that a link was made, never the link.
  reply->view.text = "Open this link within 10 minutes to sign in to the dashboard as " +
                     req.user_id + " (it works once; do not share it):\n" + ctx.web_url +
                     "/ui/login?t=" + token;
  reply->audit_detail = "sign-in link made (valid 10 min, once)";
  return Status::Ok();
}

Status HandleWebSessions(const HandlerContext& ctx, const Request& req, Reply* reply) {
  std::vector<WebSession> sessions;
  const int64_t now = static_cast<int64_t>(std::time(nullptr)) * 1000;
  Status s = ListWebSessions(ctx.db, req.role >= Role::kAdmin ? "" : req.user_id, now, &sessions);
  if (!s.ok()) return s;
  reply->view.kind = "list";
  reply->view.title = "dashboard sessions";
  std::string text;
  for (const WebSession& w : sessions) {
    text += (text.empty() ? "" : "\n") + w.id + "  " + w.identity + " (" +
            StripControl(w.name, 80) + ", " + w.role + ")  expires in " +
            Minutes(w.expires_at - now);
  }
  reply->view.text = text.empty() ? "no live dashboard sessions" : text;
  return Status::Ok();
}

Status HandleWebRevoke(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr)) * 1000;
  Status s =
      RevokeWebSession(ctx.db, req.command.name, req.role >= Role::kAdmin ? "" : req.user_id, now);
  if (!s.ok()) return s;
  reply->view.kind = "ack";
  reply->view.title = "dashboard session revoked";
  reply->view.text = "session " + req.command.name + " is signed out";
  reply->audit_detail = "session " + req.command.name;
  return Status::Ok();
}

}  // namespace sandbot
