#include "bot/web_server.h"

#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <kainjow/mustache.hpp>
#include <memory>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "bot/form.h"
#include "bot/operator_limits.h"
#include "bot/scrape_state.h"
#include "bot/web_session.h"
#include "handlers/dispatch.h"
#include "handlers/health.h"
#include "handlers/lifecycle.h"
#include "handlers/routes.h"
#include "handlers/sandbox.h"
#include "store/audit.h"
#include "store/audit_page.h"
#include "store/baselines.h"
#include "store/environments.h"
#include "store/forges.h"
#include "store/jobs.h"
#include "store/repos.h"
#include "store/routes.h"
#include "store/sandbox_page.h"
#include "store/snapshots.h"
#include "store/web_links.h"
#include "store/web_sessions.h"
#include "templates/qr_svg.h"
#include "templates/view_data.h"
#include "templates/web.h"
#include "util/engine_names.h"
#include "util/identity.h"

namespace sandbot {

namespace mu = kainjow::mustache;

namespace {

constexpr int kPageSize = 50;
constexpr int kAuditPageSize = 100;
constexpr size_t kLogPageBytes = 4 << 20;  // a job page shows at most the last 4 MiB

int64_t NowMs() { return static_cast<int64_t>(std::time(nullptr)) * 1000; }

std::string Age(int64_t ms) {
  if (ms < 0) ms = 0;
  const int64_t s = ms / 1000;
  if (s < 60) return std::to_string(s) + "s";
  if (s < 3600) return std::to_string(s / 60) + "m";
  if (s < 86400) return std::to_string(s / 3600) + "h";
  return std::to_string(s / 86400) + "d";
}

std::string UtcTime(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// "2026-12-01" → its start in ms (UTC); 0 when empty or not a date.
int64_t DayStartMs(const std::string& day) {
  std::tm tm{};
  if (day.size() != 10 || strptime(day.c_str(), "%Y-%m-%d", &tm) == nullptr) return 0;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

std::string QueryEncode(const std::map<std::string, std::string>& fields) {
  std::map<std::string, std::string> kept;
  for (const auto& [k, v] : fields) {
    if (!v.empty()) kept[k] = v;
  }
  return FormEncode(kept);
}

void SendPage(HttpResponse* res, int status, const std::string& html) {
  res->status = html.empty() ? 500 : status;
  res->Set(html.empty() ? "the page could not be rendered" : html,
           html.empty() ? "text/plain" : "text/html; charset=utf-8");
  AddWebHeaders(res);
}

void Redirect(HttpResponse* res, const std::string& where) {
  res->status = 303;
  res->Set("see " + where, "text/plain");
  res->headers.emplace_back("Location", where);
  AddWebHeaders(res);
}

// The header's data: who is signed in, the token their forms carry.
mu::data PageData(const std::string& title, const WebCaller* caller) {
  mu::data d{mu::data::type::object};
  d.set("title", title);
  if (caller != nullptr) {
    d.set("who", caller->session.name.empty()
                     ? caller->session.identity
                     : caller->session.name + " (" + caller->session.identity + ")");
    d.set("role", std::string(RoleName(caller->role)));
    d.set("csrf", CsrfTokenFor(caller->cookie));
  }
  return d;
}

mu::data List(const std::vector<std::string>& items) {
  mu::data l{mu::data::type::list};
  for (const std::string& s : items) l.push_back(s);
  return l;
}

// The page saying how to sign in; nothing else is shown without a session.
void SignInPage(HttpResponse* res, int status, const std::string& reason) {
  mu::data d = PageData("Sign in", nullptr);
  if (!reason.empty()) d.set("reason", reason);
  SendPage(res, status, RenderWebPage("web_signin", d));
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string SseEvent(int64_t id, const std::string& event, const std::string& text) {
  std::string out;
  if (id > 0) out += "id: " + std::to_string(id) + "\n";
  if (!event.empty()) out += "event: " + event + "\n";
  size_t start = 0;
  while (true) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out += "data: " + line + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out + "\n";
}

size_t SplitJobLog(const std::string& data, int64_t base, std::vector<JobLogLine>* lines) {
  size_t start = 0;
  while (true) {
    const size_t nl = data.find('\n', start);
    if (nl == std::string::npos) break;
    JobLogLine line;
    line.text = data.substr(start, nl - start);
    if (!line.text.empty() && line.text.back() == '\r') line.text.pop_back();
    if (line.text.rfind("== ", 0) == 0) {
      line.step = true;
      line.text.erase(0, 3);
    }
    start = nl + 1;
    line.end = base + static_cast<int64_t>(start);
    lines->push_back(std::move(line));
  }
  return start;
}

namespace {

// Up to `max` bytes of the file from `offset` on ("" when it does not exist
// yet: a queued job has written nothing).
std::string ReadFrom(const std::string& path, int64_t offset, size_t max) {
  std::string data;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return data;
  if (std::fseek(f, static_cast<long>(offset), SEEK_SET) == 0) {
    data.resize(max);
    data.resize(std::fread(&data[0], 1, max, f));
  }
  std::fclose(f);
  return data;
}

constexpr size_t kLogChunk = 1 << 20;  // bytes a stream reads at a time

// On the stream's own thread, with its own store connection: the job's log
// file from byte `after` on, each complete line as it is written (the
// worker tells `logs` after each), then the job's end.
void StreamJobLog(const std::string& db_path, const std::string& log_path, EventHub* logs,
                  int64_t job_id, int64_t after, int fd, const std::atomic<bool>& stopping) {
  std::unique_ptr<Db> db;
  if (!Db::Open(db_path, &db).ok()) return;
  auto last_write = std::chrono::steady_clock::now();
  while (!stopping) {
    const uint64_t seen = logs->version();
    Job job;
    // The job's state first: lines written before it ended are all read.
    if (!GetJob(db.get(), job_id, &job).ok()) return;
    const std::string data = ReadFrom(log_path, after, kLogChunk);
    std::vector<JobLogLine> lines;
    const size_t used = SplitJobLog(data, after, &lines);
    after += static_cast<int64_t>(used);
    const bool more = data.size() == kLogChunk;
    std::string out;
    for (const JobLogLine& l : lines) out += SseEvent(l.end, l.step ? "step" : "", l.text);
    const bool ended = job.state != JobState::kQueued && job.state != JobState::kRunning;
    if (ended && !more) out += SseEvent(0, "end", JobStateName(job.state));
    const auto now = std::chrono::steady_clock::now();
    // A comment now and then finds a reader that has gone.
    if (out.empty() && now - last_write > std::chrono::seconds(15)) out = ": waiting\n\n";
    if (!out.empty()) {
      if (!SendAll(fd, out)) return;
      last_write = now;
    }
    if (ended && !more) return;
    // The timeout is a backstop: a line or the job's end wakes it.
    if (!more) logs->WaitChange(seen, std::chrono::milliseconds(250));
  }
}

class Web {
 public:
  explicit Web(ChatContext* ctx) : shared_(ctx) {}

  // The caller, or false after answering 303 to the sign-in page.
  bool Authenticate(const ChatContext& ctx, const HttpRequest& req, HttpResponse* res,
                    WebCaller* caller) const {
    Status s = CallerOf(ctx.db, *ctx.config, req, NowMs(), caller);
    if (s.ok()) return true;
    if (!s.IsNotFound()) spdlog::warn("dashboard: {}", s.ToString());
    Redirect(res, "/ui/signin");
    return false;
  }

  // GET of the link: checks it and shows a button that signs in (a POST).
  // Opening the link spends nothing, so a chat client's or mail scanner's
  // preview does not use it up; and the cookie set by our own page's POST
  // is sent on the redirect that follows (SameSite=Strict), which one set
  // on a navigation from the chat's site would not be.
  void LoginPage(const HttpRequest& req, HttpResponse* res) const {
    ChatContext ctx = OnThisLoop(*shared_);
    auto query = ParseForm(req.query);
    WebLinkClaims claims;
    Status s = ctx.secrets == nullptr
                   ? Status::Unavailable("no secrets key")
                   : VerifyWebLink(*ctx.secrets->current(), query["t"],
                                   static_cast<int64_t>(std::time(nullptr)), &claims);
    if (!s.ok()) {
      Refused(ctx, req, "sign-in link refused: " + s.message());
      return SignInPage(res, 403, s.message());
    }
    mu::data d = PageData("Sign in", nullptr);
    d.set("token", query["t"]);
    d.set("identity", claims.identity);
    d.set("name", claims.name);
    SendPage(res, 200, RenderWebPage("web_login", d));
  }

  void Login(const HttpRequest& req, HttpResponse* res) const {
    ChatContext ctx = OnThisLoop(*shared_);
    auto form = ParseForm(req.body);
    WebLinkClaims claims;
    Status s = ctx.secrets == nullptr
                   ? Status::Unavailable("no secrets key")
                   : RedeemWebLink(ctx.db, *ctx.secrets->current(), form["t"],
                                   static_cast<int64_t>(std::time(nullptr)), &claims);
    if (!s.ok()) {
      Refused(ctx, req, "sign-in link refused: " + s.message());
      return SignInPage(res, 403, s.message());
    }
    // The role now, as the identity's door grants it (recorded for lists).
    std::string cookie;
    WebSession session;
    s = CreateWebSession(ctx.db, claims.identity, claims.name, RoleName(RoleOf(ctx, claims)),
                         NowMs(), kWebSessionSeconds * 1000, &cookie, &session);
    if (!s.ok()) {
      spdlog::error("dashboard: cannot make a session: {}", s.ToString());
      return SignInPage(res, 503, "the store could not record the session; try again");
    }
    AuditRow row{};
    row.actor = claims.name.empty() ? claims.identity : claims.name + " (" + claims.identity + ")";
    row.source = "web";
    row.action = "web.signin";
    row.status = "succeeded";
    row.detail = "session " + session.id + " from " + req.remote_addr;
    Status a = AppendAudit(ctx.db, row);
    if (!a.ok()) spdlog::error("cannot audit a sign-in: {}", a.ToString());
    Redirect(res, "/ui/");
    res->headers.emplace_back("Set-Cookie",
                              SessionCookieHeader(cookie, kWebSessionSeconds, Secure(ctx)));
  }

  void Logout(const HttpRequest& req, HttpResponse* res) const {
    ChatContext ctx = OnThisLoop(*shared_);
    WebCaller caller;
    if (!Authenticate(ctx, req, res, &caller)) return;
    if (!CheckCsrf(ctx, req, caller, res)) return;
    Status s = RevokeWebSession(ctx.db, caller.session.id, "", NowMs());
    if (!s.ok()) spdlog::warn("dashboard: sign-out: {}", s.ToString());
    Redirect(res, "/ui/signin");
    res->headers.emplace_back("Set-Cookie", SessionCookieHeader("", 0, Secure(ctx)));
  }

  void Sandboxes(const HttpRequest& req, HttpResponse* res) const {
    ChatContext ctx = OnThisLoop(*shared_);
    WebCaller caller;
    if (!Authenticate(ctx, req, res, &caller)) return;
    auto query = ParseForm(req.query);
    const std::string owner = query["owner"], repo = query["repo"], state = query["state"];
    int page = std::max(1, std::atoi(query["page"].c_str()));
    // Filtered, counted and paged by the store: a page reads its 50 rows.
    // A health state is the roll-up of the services' rows, which SQL does
    // not compute: the ids in that state are read first (compact rows).
    SandboxQuery sq;
    sq.owner = owner;
    sq.repo = repo;
    std::vector<int64_t> ids;
    if (state == "active" || state == "suspended") {
      sq.state = state;
    } else if (!state.empty()) {
      sq.ids = &ids;
    }
    sq.limit = kPageSize;
    std::vector<Sandbox> shown;
    int64_t total = 0;
    Status s;
    {
      ReadSnapshot snapshot(ctx.db);
      if (sq.ids != nullptr) {
        std::unordered_map<int64_t, Health> health;
        s = health_cache_.Health(ctx.db, &health);
        for (const auto& [id, h] : health) {
          if (HealthName(h) == state) ids.push_back(id);
        }
      }
      sq.offset = (page - 1) * kPageSize;
      if (s.ok()) s = ListSandboxPage(ctx.db, sq, &shown, &total);
      // A page past the end (the list shrank): the last one.
      const int last = static_cast<int>(std::max<int64_t>(1, (total + kPageSize - 1) / kPageSize));
      if (s.ok() && page > last) {
        page = last;
        sq.offset = (page - 1) * kPageSize;
        s = ListSandboxPage(ctx.db, sq, &shown, &total);
      }
    }
    if (!s.ok()) return SendPage(res, 503, "");
    const int pages = static_cast<int>(std::max<int64_t>(1, (total + kPageSize - 1) / kPageSize));
    mu::data d = PageData("Sandboxes", &caller);
    mu::data rows{mu::data::type::list};
    const int64_t now = NowMs();
    Reserve(&rows, shown.size());
    for (const Sandbox& sb : shown) Append(&rows, SandboxRow(ctx, sb, now));
    Put(&d, "sandboxes", std::move(rows));
    d.set("owner", owner);
    d.set("repo", repo);
    mu::data states{mu::data::type::list};
    for (const char* st : {"active", "suspended", "Healthy", "Degraded", "Unhealthy"}) {
      mu::data o{mu::data::type::object};
      o.set("value", std::string(st));
      if (state == st) o.set("selected", true);
      states.push_back(o);
    }
    d.set("states", states);
    d.set("filtered", !owner.empty() || !repo.empty() || !state.empty());
    d.set("page", std::to_string(page));
    d.set("pages", std::to_string(pages));
    d.set("total", std::to_string(total));
    std::map<std::string, std::string> q{{"owner", owner}, {"repo", repo}, {"state", state}};
    if (page > 1) {
      q["page"] = std::to_string(page - 1);
      d.set("prev", "/ui/?" + QueryEncode(q));
    }
    if (page < pages) {
      q["page"] = std::to_string(page + 1);
      d.set("next", "/ui/?" + QueryEncode(q));
    }
    q["page"] = std::to_string(page);
    q["fragment"] = "1";
    d.set("live_url", "/ui/?" + QueryEncode(q));
    SendPage(res, 200,
             RenderWebPage(query["fragment"] == "1" ? "web_sandboxes_table" : "web_sandboxes", d));
  }

  void SandboxPage(const HttpRequest& req, HttpResponse* res) const {
    ChatContext ctx = OnThisLoop(*shared_);
    WebCaller caller;
    if (!Authenticate(ctx, req, res, &caller)) return;
    const std::string name = Segment(req.path, 2);
    auto query = ParseForm(req.query);
    RenderSandbox(ctx, caller, name, "", "", 200, query["fragment"] == "1", res);
  }

  void Action(const HttpRequest& req, HttpResponse* res) const {
    ChatContext ctx = OnThisLoop(*shared_);
    WebCaller caller;
    if (!Authenticate(ctx, req, res, &caller)) return;
    if (!CheckCsrf(ctx, req, caller, res)) return;
    const std::string name = Segment(req.path, 2);
    auto form = ParseForm(req.body);
    Service svc;
    std::string branch;
    if (form["op"] == "redeploy" && GetService(ctx.db, name, form["service"], &svc).ok()) {
      branch = svc.branch;
    }
    std::string family, text;
    Status s = ActionCommand(name, form, branch, &family, &text);
    Request request;
    request.source = "web";
    request.user_id = caller.session.identity;
    request.user_name = StripControl(caller.session.name, 80);
    request.role = caller.role;
    if (s.ok()) s = ParseCommand(family, text, &request.command);
    Reply reply;
    if (s.ok()) {
      HandlerContext hc;  // not {…}: see bot/chat_notifier.cc
      hc.db = ctx.db;
      hc.runtime = ctx.runtime;
      hc.secrets = ctx.secrets;
      hc.max_sandboxes = ctx.config->max_sandboxes;
      hc.operator_limits = OperatorLimitsOf(*ctx.config);
      hc.engines = EngineNames(ctx.config->engines);
      hc.web_url = DashboardUrl(*ctx.config);
      s = HandleCommand(hc, request, &reply);
      if (s.ok() && !reply.jobs.empty()) ctx.hub->Notify();
    } else {
      AuditRow row{};
      row.actor = ActorOf(request);
      row.source = "web";
      row.action = "command.invalid";
      row.sandbox = name;
      row.status = "refused";
      row.detail = family + " " + text + ": " + s.message();
      AppendAudit(ctx.db, row);
    }
    const int status = s.ok() ? 200 : s.code() == Status::Code::kForbidden ? 403 : 400;
    const std::string notice =
        s.ok() ? reply.view.title + (reply.view.text.empty() ? "" : ": " + reply.view.text)
               : s.message();
    if (form["op"] == "destroy" && s.ok()) {
      mu::data d = PageData("Sandboxes", &caller);
      d.set("notice", notice);
      d.set("notice_kind", std::string("ok"));
      d.set("sandboxes", mu::data{mu::data::type::list});
      d.set("page", std::string("1"));
      d.set("pages", std::string("1"));
      d.set("total", std::string("0"));
      d.set("states", mu::data{mu::data::type::list});
      d.set("live_url", std::string("/ui/?fragment=1"));
      return SendPage(res, 200, RenderWebPage("web_sandboxes", d));
    }
    RenderSandbox(ctx, caller, name, notice, s.ok() ? "ok" : "error", status, false, res);
  }

  void Audit(const HttpRequest& req, HttpResponse* res) const {
    ChatContext ctx = OnThisLoop(*shared_);
    WebCaller caller;
    if (!Authenticate(ctx, req, res, &caller)) return;
    auto query = ParseForm(req.query);
    const std::string sandbox = query["sandbox"], actor = query["actor"], action = query["action"],
                      since = query["since"], until = query["until"];
    // Whole UTC days: from the start of `since` to the end of `until`.
    const int64_t from_ms = DayStartMs(since), to_ms = DayStartMs(until);
    const int page = std::max(1, std::atoi(query["page"].c_str()));
    AuditQuery aq;
    aq.sandbox = sandbox;
    aq.actor = actor;
    aq.action = action;
    aq.from_ms = from_ms;
    aq.to_ms = to_ms > 0 ? to_ms + 86400000 : 0;
    aq.limit = kAuditPageSize;
    aq.offset = (page - 1) * kAuditPageSize;
    std::vector<AuditRow> rows;
    bool more = false;
    Status s = ListAuditPage(ctx.db, aq, &rows, &more);
    if (!s.ok()) return SendPage(res, 503, "");
    mu::data list{mu::data::type::list};
    Reserve(&list, rows.size());
    for (const AuditRow& r : rows) {
      mu::data row{mu::data::type::object};
      row.set("time", UtcTime(r.time));
      row.set("actor", r.actor);
      row.set("source", r.source);
      row.set("action", r.action);
      row.set("sandbox", r.sandbox);
      row.set("status", r.status);
      row.set("detail", r.detail);
      Append(&list, std::move(row));
    }
    mu::data d = PageData("Audit", &caller);
    Put(&d, "rows", std::move(list));
    d.set("sandbox", sandbox);
    d.set("actor", actor);
    d.set("action", action);
    d.set("since", since);
    d.set("until", until);
    d.set("page", std::to_string(page));
    std::map<std::string, std::string> q{{"sandbox", sandbox},
                                         {"actor", actor},
                                         {"action", action},
                                         {"since", since},
                                         {"until", until}};
    if (page > 1) {
      q["page"] = std::to_string(page - 1);
      d.set("prev", "/ui/audit?" + QueryEncode(q));
    }
    if (more) {
      q["page"] = std::to_string(page + 1);
      d.set("next", "/ui/audit?" + QueryEncode(q));
    }
    SendPage(res, 200, RenderWebPage("web_audit", d));
  }

  void JobPage(const HttpRequest& req, HttpResponse* res) const {
    ChatContext ctx = OnThisLoop(*shared_);
    WebCaller caller;
    if (!Authenticate(ctx, req, res, &caller)) return;
    const int64_t id = std::strtoll(Segment(req.path, 2).c_str(), nullptr, 10);
    Job job;
    Status s = GetJob(ctx.db, id, &job);
    if (s.IsNotFound()) return NotFoundPage(caller, "no job #" + Segment(req.path, 2), res);
    if (!s.ok()) return SendPage(res, 503, "");
    // The log file whole, or its last 4 MiB from a line's start.
    const std::string path = JobLogPath(ctx.config->data_dir, id);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    int64_t from = ec || size <= kLogPageBytes ? 0 : static_cast<int64_t>(size - kLogPageBytes);
    std::string data = ReadFrom(path, from, kLogPageBytes);
    if (from > 0) {
      const size_t nl = data.find('\n');
      data.erase(0, nl == std::string::npos ? data.size() : nl + 1);
      from = static_cast<int64_t>(size) - static_cast<int64_t>(data.size());
    }
    std::vector<JobLogLine> log;
    SplitJobLog(data, from, &log);
    mu::data d = PageData("Job #" + std::to_string(id), &caller);
    d.set("id", std::to_string(job.id));
    d.set("kind", std::string(JobKindName(job.kind)));
    d.set("state", std::string(JobStateName(job.state)));
    d.set("sandbox", job.sandbox);
    if (!job.service.empty()) d.set("service", job.service);
    if (!job.branch.empty()) d.set("branch", job.branch);
    d.set("actor", job.actor);
    if (!job.detail.empty()) d.set("detail", job.detail);
    const bool live = job.state == JobState::kQueued || job.state == JobState::kRunning;
    d.set("live", live);
    mu::data lines{mu::data::type::list};
    Reserve(&lines, log.size());
    for (const JobLogLine& l : log) {
      mu::data x{mu::data::type::object};
      x.set("event_id", std::to_string(l.end));
      x.set("text", l.text);
      if (l.step) x.set("step", true);
      Append(&lines, std::move(x));
    }
    Put(&d, "lines", std::move(lines));
    SendPage(res, 200, RenderWebPage("web_job", d));
  }

  // The job's log as Server-Sent Events: each line with its event id, from
  // after Last-Event-ID (a reconnecting EventSource sends it) to the job's
  // end, then an "end" event naming how it ended.
  void JobEvents(const HttpRequest& req, HttpResponse* res) const {
    ChatContext ctx = OnThisLoop(*shared_);
    WebCaller caller;
    if (!Authenticate(ctx, req, res, &caller)) return;
    const int64_t id = std::strtoll(Segment(req.path, 2).c_str(), nullptr, 10);
    Job job;
    Status s = GetJob(ctx.db, id, &job);
    if (!s.ok()) {
      res->status = s.IsNotFound() ? 404 : 503;
      res->Set(s.IsNotFound() ? "no such job\n" : "the store is unavailable\n", "text/plain");
      return AddWebHeaders(res);
    }
    const int64_t after =
        std::max<int64_t>(0, std::strtoll(req.HeaderValue("Last-Event-ID").c_str(), nullptr, 10));
    res->Set("", "text/event-stream; charset=utf-8");
    AddWebHeaders(res);
    const std::string db_path = shared_->db->path();
    const std::string log_path = JobLogPath(ctx.config->data_dir, id);
    EventHub* logs = shared_->job_logs != nullptr ? shared_->job_logs : shared_->hub;
    res->stream = [db_path, log_path, logs, id, after](int fd, const std::atomic<bool>& stopping) {
      StreamJobLog(db_path, log_path, logs, id, after, fd, stopping);
    };
  }

  void Static(const HttpRequest& req, HttpResponse* res) const {
    std::string text, type;
    if (!WebStaticFile(Segment(req.path, 2), &text, &type)) {
      res->status = 404;
      res->Set("not found", "text/plain");
      return AddWebHeaders(res);
    }
    res->Set(text, type);
    AddWebHeaders(res);
    // The files change only with the binary.
    for (auto& [name, value] : res->headers) {
      if (name == "Cache-Control") value = "max-age=300";
    }
  }

 private:
  static std::string Segment(const std::string& path, size_t index) {
    size_t start = 0;
    for (size_t i = 0; i <= index; ++i) {
      start = path.find('/', start);
      if (start == std::string::npos) return "";
      ++start;
    }
    const size_t end = path.find('/', start);
    return UrlDecode(
        path.substr(start, end == std::string::npos ? std::string::npos : end - start));
  }

  static bool Secure(const ChatContext& ctx) {
    return DashboardUrl(*ctx.config).rfind("https://", 0) == 0;
  }

  static Role RoleOf(const ChatContext& ctx, const WebLinkClaims& claims) {
    return WebRoleFor(*ctx.config, claims.identity);
  }

  // A refused sign-in or POST: an audit row, sampled by address and reason
  // (bot/rejection_sampler.h) so a flood cannot fill the disk.
  static void Refused(const ChatContext& ctx, const HttpRequest& req, const std::string& reason) {
    int64_t left_out = 0;
    if (ctx.rejections == nullptr ||
        !ctx.rejections->ShouldRecord(req.remote_addr, reason, NowMillis(), &left_out)) {
      return;
    }
    AuditRow row{};
    row.actor = "remote:" + req.remote_addr;
    row.source = "web";
    row.action = "request.rejected";
    row.status = "refused";
    row.detail = RejectionSampler::Clip(StripControl(req.path, 100) + ": " + reason);
    Status s = AppendAudit(ctx.db, row);
    if (!s.ok()) spdlog::error("cannot audit a rejected request: {}", s.ToString());
    spdlog::warn("dashboard: refused {} from {}: {}", StripControl(req.path, 100), req.remote_addr,
                 RejectionSampler::Clip(reason));
  }

  static bool CheckCsrf(const ChatContext& ctx, const HttpRequest& req, const WebCaller& caller,
                        HttpResponse* res) {
    auto form = ParseForm(req.body);
    if (CsrfMatches(caller.cookie, form["csrf"])) return true;
    Refused(ctx, req, "missing or wrong CSRF token");
    res->status = 403;
    res->Set("refused: the form's CSRF token is missing or wrong; reload the page", "text/plain");
    AddWebHeaders(res);
    return false;
  }

  static void NotFoundPage(const WebCaller& caller, const std::string& what, HttpResponse* res) {
    mu::data d = PageData("Not found", &caller);
    d.set("notice", what);
    d.set("notice_kind", std::string("error"));
    d.set("sandboxes", mu::data{mu::data::type::list});
    d.set("page", std::string("1"));
    d.set("pages", std::string("1"));
    d.set("total", std::string("0"));
    d.set("states", mu::data{mu::data::type::list});
    SendPage(res, 404, RenderWebPage("web_sandboxes", d));
  }

  mu::data SandboxRow(const ChatContext& ctx, const Sandbox& sb, int64_t now) const {
    mu::data row{mu::data::type::object};
    row.set("name", sb.name);
    row.set("owner", sb.created_by);
    row.set("health", std::string(HealthName(SandboxHealthOf(sb))));
    if (sb.state != "active") row.set("state_note", sb.state);
    if (!sb.locked_by.empty()) {
      row.set("locked_by", sb.locked_by);
      if (!sb.lock_reason.empty()) row.set("lock_reason", sb.lock_reason);
    }
    mu::data services{mu::data::type::list};
    Reserve(&services, sb.services.size());
    for (const Service& svc : sb.services) {
      mu::data s{mu::data::type::object};
      s.set("name", svc.name);
      s.set("branch", svc.branch);
      if (!svc.commit.empty()) s.set("commit", svc.commit.substr(0, 7));
      s.set("status", std::string(ServiceStatusName(svc.status)));
      if (!svc.url.empty()) s.set("url", svc.url);
      Append(&services, std::move(s));
    }
    Put(&row, "services", std::move(services));
    const std::string main_url = MainUrl(sb);
    if (!main_url.empty()) row.set("main_url", main_url);
    if (!sb.engine.empty()) row.set("engine", sb.engine);
    row.set("age", Age(now - sb.created_at));
    row.set("expiry", Expiry(ctx, sb, now));
    return row;
  }

  static std::string Expiry(const ChatContext& ctx, const Sandbox& sb, int64_t now) {
    if (sb.state == "suspended") {
      if (ctx.config->retention_seconds <= 0) return "suspended; kept";
      return "destroyed in " + Age(sb.suspended_at + ctx.config->retention_seconds * 1000 - now);
    }
    if (ctx.config->idle_suspend_seconds <= 0) return "never idles out";
    if (!sb.locked_by.empty()) return "locked: does not idle out";
    return "suspends in " + Age(sb.last_active_at + ctx.config->idle_suspend_seconds * 1000 - now);
  }

  void RenderSandbox(const ChatContext& ctx, const WebCaller& caller, const std::string& name,
                     const std::string& notice, const std::string& notice_kind, int status,
                     bool fragment, HttpResponse* res) const {
    Sandbox sb;
    std::map<std::string, std::string> explicit_routes, baselines;
    std::vector<Repo> repos;
    std::vector<EnvAttachment> attachments;
    std::vector<std::string> snapshots;
    std::vector<Job> jobs;
    std::map<std::string, std::string> commit_links;  // service → its commit on the forge
    Status s;
    mu::data envs{mu::data::type::list};
    {
      ReadSnapshot snapshot(ctx.db);
      s = GetSandbox(ctx.db, name, &sb);
      if (s.IsNotFound()) return NotFoundPage(caller, "no sandbox named " + name, res);
      if (s.ok()) s = GetRoutes(ctx.db, sb.id, &explicit_routes);
      if (s.ok()) s = LoadBaselines(ctx.db, &baselines);
      if (s.ok()) s = ListRepos(ctx.db, &repos);
      if (s.ok()) s = ListSandboxAttachments(ctx.db, sb.id, &attachments);
      if (s.ok()) s = ListSnapshotNames(ctx.db, sb.id, &snapshots);
      if (s.ok()) s = ListAllJobs(ctx.db, &jobs);
      // A service whose repo comes from a forge links its commit there.
      for (const Service& svc : sb.services) {
        ForgeRepo fr;
        Forge forge;
        if (s.ok() && GetForgeRepo(ctx.db, svc.repo, &fr).ok() &&
            GetForge(ctx.db, fr.forge, &forge).ok()) {
          commit_links[svc.name] =
              ForgeCommitUrl(forge.kind, forge.api_url, fr.forge_repo, svc.commit);
        }
      }
      for (const EnvAttachment& a : attachments) {
        Environment env;
        if (!s.ok() || !GetEnvironment(ctx.db, a.env, &env).ok()) continue;
        mu::data e{mu::data::type::object};
        e.set("name", a.env);
        if (!a.service.empty()) e.set("service", a.service);
        // Keys only: values, secret or not, stay in the store.
        std::vector<std::string> keys;
        for (const EnvEntry& entry : env.entries) {
          keys.push_back(entry.key + (entry.sealed() ? " (secret)" : ""));
        }
        e.set("keys", List(keys));
        envs.push_back(e);
      }
    }
    if (!s.ok()) return SendPage(res, 503, "");
    const int64_t now = NowMs();
    mu::data d = PageData("sandbox " + sb.name, &caller);
    if (!notice.empty()) {
      d.set("notice", notice);
      d.set("notice_kind", notice_kind);
    }
    d.set("name", sb.name);
    d.set("sandbox", sb.name);
    d.set("owner", sb.created_by);
    d.set("health", std::string(HealthName(SandboxHealthOf(sb))));
    if (sb.state != "active") d.set("state_note", sb.state);
    d.set("suspended", sb.state == "suspended");
    if (!sb.locked_by.empty()) {
      d.set("locked_by", sb.locked_by);
      if (!sb.lock_reason.empty()) d.set("lock_reason", sb.lock_reason);
    }
    if (!sb.engine.empty()) d.set("engine", sb.engine);
    d.set("age", Age(now - sb.created_at));
    d.set("expiry", Expiry(ctx, sb, now));
    d.set("notes", List(LifecycleNotes(sb)));
    const std::string main_url = MainUrl(sb);
    if (!main_url.empty()) {
      d.set("main_url", main_url);
      d.set("qr", QrSvg(main_url));
    }
    auto routes = ResolveRoutes(sb, explicit_routes, baselines, repos);
    mu::data services{mu::data::type::list};
    for (const Service& svc : sb.services) {
      mu::data x{mu::data::type::object};
      x.set("name", svc.name);
      x.set("branch", svc.branch);
      x.set("commit", svc.commit.substr(0, 7));
      auto link = commit_links.find(svc.name);
      if (link != commit_links.end() && !link->second.empty()) x.set("commit_url", link->second);
      x.set("status", std::string(ServiceStatusName(svc.status)));
      if (!svc.detail.empty()) x.set("detail", svc.detail);
      if (!svc.url.empty()) x.set("url", svc.url);
      for (const RouteEntry& r : routes) {
        if (r.service == svc.name) x.set("route", r.route);
      }
      services.push_back(x);
    }
    d.set("services", services);
    mu::data route_rows{mu::data::type::list};
    for (const RouteEntry& r : routes) {
      mu::data x{mu::data::type::object};
      x.set("service", r.service);
      x.set("route", r.route);
      x.set("target", r.target);
      route_rows.push_back(x);
    }
    d.set("routes", route_rows);
    d.set("envs", envs);
    d.set("snapshots", List(snapshots));
    mu::data job_rows{mu::data::type::list};
    int shown = 0;
    for (auto it = jobs.rbegin(); it != jobs.rend() && shown < 20; ++it) {
      if (it->sandbox != sb.name) continue;
      ++shown;
      mu::data x{mu::data::type::object};
      x.set("id", std::to_string(it->id));
      x.set("kind", std::string(JobKindName(it->kind)));
      x.set("service", it->service);
      x.set("branch", it->branch);
      x.set("state", std::string(JobStateName(it->state)));
      x.set("detail", it->detail);
      x.set("actor", it->actor);
      job_rows.push_back(x);
    }
    d.set("jobs", job_rows);
    d.set("live_url", "/ui/sandboxes/" + sb.name + "?fragment=1");
    std::string html = RenderWebPage("web_sandbox", d);
    if (fragment) {
      // The #live block alone, as the page holds it.
      const std::string open = "<div id=\"live\"";
      size_t a = html.find(open);
      a = a == std::string::npos ? a : html.find('>', a);
      const size_t b = html.find("</div>\n<h2>Actions</h2>");
      if (a != std::string::npos && b != std::string::npos) html = html.substr(a + 1, b - a - 1);
    }
    SendPage(res, status, html);
  }

  ChatContext* shared_;
  // The health filter's roll-up, read again only after a write (each loop's
  // connection has its entry).
  mutable ScrapeStateCache health_cache_;
};

}  // namespace

void AddWebHeaders(HttpResponse* res) {
  res->headers.emplace_back("Content-Security-Policy",
                            "default-src 'self'; script-src 'self'; frame-ancestors 'none'; "
                            "form-action 'self'; base-uri 'none'");
  res->headers.emplace_back("X-Content-Type-Options", "nosniff");
  res->headers.emplace_back("X-Frame-Options", "DENY");
  res->headers.emplace_back("Referrer-Policy", "no-referrer");
  res->headers.emplace_back("Cache-Control", "no-store");
}

std::string ForgeCommitUrl(const std::string& kind, const std::string& api_url,
                           const std::string& forge_repo, const std::string& sha) {
  if (sha.empty() || sha.find_first_not_of("0123456789abcdef") != std::string::npos ||
      forge_repo.empty() || forge_repo.find_first_of("?#\"' <>") != std::string::npos ||
      (api_url.rfind("https://", 0) != 0 && api_url.rfind("http://", 0) != 0)) {
    return "";
  }
  std::string base = api_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto strip = [&base](const std::string& tail) {
    if (base.size() > tail.size() &&
        base.compare(base.size() - tail.size(), tail.size(), tail) == 0) {
      base.erase(base.size() - tail.size());
    }
  };
  if (kind == "github") {
    if (base == "https://api.github.com") base = "https://github.com";
    strip("/api/v3");
    return base + "/" + forge_repo + "/commit/" + sha;
  }
  if (kind == "gitea") {
    strip("/api/v1");
    return base + "/" + forge_repo + "/commit/" + sha;
  }
  if (kind == "gitlab") {
    strip("/api/v4");
    return base + "/" + forge_repo + "/-/commit/" + sha;
  }
  return "";
}

Status ActionCommand(const std::string& sandbox, const std::map<std::string, std::string>& form,
                     const std::string& service_branch, std::string* family, std::string* text) {
  auto field = [&form](const char* name) {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  };
  const std::string op = field("op"), service = field("service"), target = field("target");
  for (const std::string* word : {&sandbox, &service, &target}) {
    if (word->find_first_of(" \t\r\n\f\v") != std::string::npos) {
      return Status::InvalidArgument("a field holds a space: '" + StripControl(*word, 80) + "'");
    }
  }
  if (op == "redeploy") {
    if (service.empty() || service_branch.empty()) {
      return Status::InvalidArgument("no service '" + StripControl(service, 80) + "' to redeploy");
    }
    *family = "deploy";
    *text = service + " " + service_branch + " to " + sandbox;
  } else if (op == "route") {
    if (service.empty() || target.empty()) return Status::InvalidArgument("route what, where?");
    *family = "route";
    *text = service + " " + target + " in " + sandbox;
  } else if (op == "lock") {
    *family = "sandbox";
    const std::string reason = StripControl(field("reason"), 200);
    *text = "lock " + sandbox + (reason.empty() ? "" : " " + reason);
  } else if (op == "unlock" || op == "suspend" || op == "resume" || op == "destroy") {
    *family = "sandbox";
    *text = op + " " + sandbox;
  } else {
    return Status::InvalidArgument("unknown action '" + StripControl(op, 40) + "'");
  }
  return Status::Ok();
}

namespace {

// The handler, with the time it took (store reads and rendering, not the
// network) in a Server-Timing header: what bench/dashboard_bench.py reads
// as the page's server time, and a browser's developer tools show.
template <typename F>
std::function<void(const HttpRequest&, HttpResponse*)> Timed(F handler) {
  return [handler](const HttpRequest& req, HttpResponse* res) {
    const auto start = std::chrono::steady_clock::now();
    handler(req, res);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    char value[48];
    std::snprintf(value, sizeof(value), "app;dur=%.3f", ms);
    res->headers.emplace_back("Server-Timing", value);
  };
}

}  // namespace

void RegisterWebRoutes(HttpServer* server, ChatContext* context) {
  auto web = std::make_shared<Web>(context);
  auto on = [web](void (Web::*page)(const HttpRequest&, HttpResponse*) const) {
    return Timed([web, page](const HttpRequest& q, HttpResponse* r) { (web.get()->*page)(q, r); });
  };
  server->Get("/ui/login", on(&Web::LoginPage));
  server->Post("/ui/login", on(&Web::Login));
  server->Get("/ui/signin",
              Timed([](const HttpRequest&, HttpResponse* r) { SignInPage(r, 200, ""); }));
  server->Get("/ui", [](const HttpRequest&, HttpResponse* r) { Redirect(r, "/ui/"); });
  server->Get("/ui/", on(&Web::Sandboxes));
  server->Get("/ui/sandboxes/{name}", on(&Web::SandboxPage));
  server->Post("/ui/sandboxes/{name}/action", on(&Web::Action));
  server->Get("/ui/jobs/{id}", on(&Web::JobPage));
  server->Get("/ui/jobs/{id}/events", on(&Web::JobEvents));
  server->Get("/ui/audit", on(&Web::Audit));
  server->Get("/ui/static/{file}", on(&Web::Static));
  server->Post("/ui/logout", on(&Web::Logout));
}

}  // namespace sandbot
