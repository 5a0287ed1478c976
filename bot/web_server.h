// The dashboard on the HTTP listener (issue 14), server-rendered from
// templates/web_*.mustache:
//   GET  /ui/login?t=TOKEN          checks a sign-in link (store/web_links.h)
//                                   and shows a "Sign in" button; spends nothing
//   POST /ui/login (t=TOKEN)        redeems it: sets the session cookie, 303 to /ui/
//   GET  /ui/signin                 how to sign in (no data)
//   GET  /ui/                       sandboxes: filters owner, repo, state; pages
//   GET  /ui/sandboxes/NAME         one sandbox
//   GET  /ui/jobs/ID                a job's log file: its steps and its
//                                   build's output (live while it runs)
//   GET  /ui/jobs/ID/events         the log as Server-Sent Events, each line
//                                   as it is written (the worker wakes the
//                                   stream: DeployConfig::log_written)
//   GET  /ui/audit                  the audit trail: filters sandbox, actor, action
//   GET  /ui/static/FILE            web_app.js, web_app.css (embedded)
//   POST /ui/sandboxes/NAME/action  redeploy, route, lock, unlock, suspend,
//                                   resume, destroy (CSRF token of the session)
//   POST /ui/logout
// Without a live session every page but /ui/signin and /ui/login answers 303
// to /ui/signin. Actions run as chat commands do: the same grammar, roles,
// lock rules and audit (handlers/dispatch.h), with the door "web".
#ifndef SANDBOT_BOT_WEB_SERVER_H_
#define SANDBOT_BOT_WEB_SERVER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bot/chat_server.h"
#include "bot/http_server.h"
#include "util/status.h"

namespace sandbot {

void RegisterWebRoutes(HttpServer* server, ChatContext* context);

// The headers every dashboard answer carries: the Content-Security-Policy
// (no inline script, nothing from elsewhere), no sniffing, no framing, no
// Referer (a sign-in link's token must not leak), no caching.
void AddWebHeaders(HttpResponse* res);

// The chat command text an action form stands for ("route web baseline in
// qa"), as family and text; InvalidArgument for an unknown op or a field
// with spaces (a field must not add words to the command).
Status ActionCommand(const std::string& sandbox, const std::map<std::string, std::string>& form,
                     const std::string& service_branch, std::string* family, std::string* text);

// Where a forge shows commit `sha` of `forge_repo` ("acme/web"), from the
// forge's kind and API URL (api.github.com → github.com, HOST/api/v3 →
// HOST; Gitea HOST/api/v1; GitLab HOST/api/v4 and /-/commit/); "" when
// any part is unusable.
std::string ForgeCommitUrl(const std::string& kind, const std::string& api_url,
                           const std::string& forge_repo, const std::string& sha);

// One Server-Sent Event: "id: ID" (when > 0), "event: EVENT" (when not
// ""), a "data: " line per line of `text`, and the blank line that ends it.
std::string SseEvent(int64_t id, const std::string& event, const std::string& text);

// A line of a job's log file (bot/job_steps.h AppendLog): the build's
// output as the engine sent it, and the job's steps, written "== STEP" and
// given here without the marker. `end` is the byte offset just past the
// line: its event id on the live log, so Last-Event-ID resumes after it.
struct JobLogLine {
  int64_t end = 0;
  std::string text;
  bool step = false;
};
// The complete lines of `data`, which starts at byte `base` of the file;
// returns the bytes they take (a last line without its '\n' is left for
// the next read: it is still being written).
size_t SplitJobLog(const std::string& data, int64_t base, std::vector<JobLogLine>* lines);

}  // namespace sandbot

#endif  // SANDBOT_BOT_WEB_SERVER_H_
