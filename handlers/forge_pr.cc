#include "handlers/forge_pr.h"

#include <cctype>
#include <ctime>
#include <set>
#include <sstream>

#include "handlers/dispatch.h"
#include "handlers/lifecycle.h"
#include "handlers/names.h"
#include "handlers/push.h"
#include "handlers/sandbox.h"
#include "handlers/template_merge.h"
#include "store/audit.h"
#include "store/engines.h"
#include "store/forge_commands.h"
#include "store/jobs.h"
#include "store/lifecycle.h"
#include "store/outbox.h"
#include "store/repos.h"
#include "store/routes.h"
#include "store/sandboxes.h"
#include "util/identity.h"

namespace sandbot {

namespace {

constexpr char kSource[] = "forge";

// forge:NAME/LOGIN (util/identity.h): the login as the signed payload says.
std::string ForgeActor(const std::string& forge, const std::string& login) {
  return ForgeIdentity(forge, StripControl(login.empty() ? "?" : login, 100));
}

bool HasLabel(const std::vector<std::string>& labels, const std::string& name) {
  for (const auto& l : labels) {
    if (l == name) return true;
  }
  return false;
}

bool ContainsNoCase(std::string text, std::string word) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text.find(word) != std::string::npos;
}

class ForgePlanner {
 public:
  ForgePlanner(Db* db, const ForgeDelivery& d, ForgeOutcome* out) : db_(db), d_(d), out_(out) {}

  Status Run() {
    const ForgeEvent& e = d_.event;
    if (!d_.unreadable.empty()) return Done("refused", d_.unreadable);
    switch (e.kind) {
      case ForgeEventKind::kPing: return Done("ignored", "ping: the webhook reaches sandbot");
      case ForgeEventKind::kOther:
        return Done("ignored",
                    "event " + (e.name.empty() ? "?" : e.name) + " is not one sandbot acts on");
      default: break;
    }
    Status s = FindForgeRepo(db_, d_.forge.name, e.repo, &frepo_);
    if (s.code() == Status::Code::kNotFound) return Done("ignored", s.message());
    if (!s.ok()) return s;
    s = GetRepo(db_, frepo_.repo, &repo_);
    if (!s.ok()) return s;
    if (e.kind == ForgeEventKind::kPush) return Push();
    s = LoadPr();
    if (!s.ok()) return s;
    if (e.kind == ForgeEventKind::kComment) return Comment();
    return PullRequestEvent();
  }

 private:
  Status Done(const std::string& outcome, const std::string& reason) {
    out_->outcome = outcome;
    out_->reason = reason;
    return Status::Ok();
  }

  Status LoadPr() {
    const ForgeEvent& e = d_.event;
    Status s = GetPullRequest(db_, d_.forge.name, frepo_.forge_repo, e.number, &pr_);
    if (s.code() == Status::Code::kNotFound) {
      pr_ = PullRequest{};
      pr_.forge = d_.forge.name;
      pr_.forge_repo = frepo_.forge_repo;
      pr_.number = e.number;
      pr_.repo = repo_.name;
      known_ = false;
      return Status::Ok();
    }
    known_ = true;
    return s;
  }

  Status Push() {
    const ForgeEvent& e = d_.event;
    PushRequest req;
    req.repo = repo_.name;
    req.actor = ForgeActor(d_.forge.name, e.sender);
    req.source = kSource;
    req.max_sandboxes = d_.max_sandboxes;
    RefUpdate u{e.before, e.after, e.ref};
    Status v = ValidateRefUpdate(u);
    if (!v.ok()) return Done("refused", v.message());
    req.updates.push_back(u);
    PushOutcome po;
    Status s = HandlePush(db_, req, &po);
    if (!s.ok()) return s;
    out_->job_ids = po.job_ids;
    std::string reason;
    for (const auto& line : po.lines) reason += (reason.empty() ? "" : "; ") + line;
    return Done(po.job_ids.empty() ? "ignored" : "accepted", reason);
  }

  Status PullRequestEvent() {
    const ForgeEvent& e = d_.event;
    // An event older than the newest seen (deliveries can cross) changes
    // nothing: its head may be one the PR has left.
    if (known_ && e.head_at != 0 && e.head_at < pr_.head_at) {
      return Done("ignored", "older than the last event seen for #" + std::to_string(e.number));
    }
    const bool new_head = pr_.head_sha != e.head_sha;
    pr_.head_sha = e.head_sha;
    pr_.head_ref = e.head_ref;
    if (e.head_at != 0) pr_.head_at = e.head_at;
    pr_.draft = e.draft;
    pr_.fork = e.fork;
    if (!e.url.empty()) pr_.url = e.url;
    if (e.action == PrAction::kDraft) pr_.draft = true;
    if (e.action == PrAction::kReady) pr_.draft = false;
    if (e.action == PrAction::kClosed || e.action == PrAction::kMerged) {
      pr_.state = e.action == PrAction::kMerged ? "merged" : "closed";
      return Finish(DestroyPreview(pr_.state));
    }
    pr_.state = "open";
    std::string why;
    const bool want = WantsPreview(frepo_, pr_, e.title, e.labels, false, &why);
    if (!want) {
      // A label policy whose label went away takes the preview down.
      if (frepo_.previews.rfind("label:", 0) == 0 && e.action == PrAction::kUnlabeled &&
          !pr_.sandbox.empty()) {
        return Finish(DestroyPreview("label removed"));
      }
      return Finish(Done("ignored", why));
    }
    if (!pr_.sandbox.empty() && !new_head && SandboxExists(db_, pr_.sandbox) &&
        pr_.deployed_sha == pr_.head_sha) {
      return Finish(Done("ignored", "the preview already runs " + pr_.head_sha.substr(0, 12)));
    }
    if (!pr_.sandbox.empty() && !new_head && e.action != PrAction::kOpened &&
        e.action != PrAction::kReopened && e.action != PrAction::kReady &&
        e.action != PrAction::kLabeled && SandboxExists(db_, pr_.sandbox)) {
      return Finish(Done("ignored", "no new commits"));
    }
    return Finish(DeployHead());
  }

  // A comment's commands wait for the forge's word on the commenter's
  // access (bot/forge_permission.h asks it; HandleForgeComment runs them):
  // the webhook is answered now, the check is a durable job.
  Status Comment() {
    const ForgeEvent& e = d_.event;
    if (!known_) {
      return Done("ignored", "a comment on #" + std::to_string(e.number) +
                                 ", which sandbot has not seen opened yet");
    }
    std::vector<std::string> commands = CommentCommands(e.comment);
    if (commands.empty()) return Done("ignored", "no command in the comment");
    // Sandbot's own comments (replies, the preview comment) command nothing.
    if (e.comment.rfind("**sandbot**", 0) == 0 ||
        e.comment.find(kPreviewMarker) != std::string::npos) {
      return Done("ignored", "sandbot's own comment");
    }
    ForgeCommentJob job;
    job.forge = d_.forge.name;
    job.delivery = d_.delivery;
    job.event = ForgeCommentEventJson(e);
    int64_t id = 0;
    Status s = QueueForgeComment(db_, job, &id);
    if (!s.ok()) return s;
    out_->comment_queued = true;
    out_->sandbox = pr_.sandbox;
    return Done("accepted", "checking " + StripControl(e.sender, 100) +
                                "'s permission on the forge before running " +
                                std::to_string(commands.size()) + " command" +
                                (commands.size() == 1 ? "" : "s"));
  }

 public:
  // One of /preview, /update, /destroy, /approve, /why from someone the
  // forge says may write.
  Status Verb(const std::string& line) {
    const ForgeEvent& e = d_.event;
    Status s = FindForgeRepo(db_, d_.forge.name, e.repo, &frepo_);
    if (s.code() == Status::Code::kNotFound) return Done("ignored", s.message());
    if (!s.ok()) return s;
    s = GetRepo(db_, frepo_.repo, &repo_);
    if (!s.ok()) return s;
    s = LoadPr();
    if (!s.ok()) return s;
    if (!known_) return Done("ignored", "sandbot has not seen #" + std::to_string(e.number));
    const size_t space = line.find(' ');
    const std::string verb = line.substr(0, space);
    if (verb == "preview" || verb == "update") {
      std::string why;
      if (!WantsPreview(frepo_, pr_, e.title, e.labels, true, &why)) {
        return Finish(Done("refused", why));
      }
      if (verb == "preview" && space != std::string::npos) {
        s = ParsePreviewRoutes(line.substr(space + 1), &routes_);
        if (!s.ok()) return Done("refused", s.message());
      }
      return Finish(DeployHead());
    }
    if (verb == "destroy") return Finish(DestroyPreview("asked by " + e.sender));
    if (verb == "why") return Why();
    if (verb == "approve") {
      pr_.approved_sha = pr_.head_sha;
      std::string why;
      if (!WantsPreview(frepo_, pr_, e.title, e.labels, false, &why)) {
        return Finish(Done("accepted", "approved " + pr_.head_sha.substr(0, 12) + "; " + why));
      }
      return Finish(DeployHead());
    }
    return Done("ignored", "/" + verb + " is no preview command");
  }

  // The routes /preview asked for, to apply when the preview already runs.
  const std::vector<std::pair<std::string, std::string>>& routes() const { return routes_; }
  bool created() const { return created_; }

 private:
  // Answers /why with a new comment: the PR's last deliveries, what each
  // did and why.
  Status Why() {
    std::vector<Delivery> recent;
    Status s = ListDeliveries(db_, d_.forge.name, frepo_.forge_repo, pr_.number, 11, &recent);
    if (!s.ok()) return s;
    OutboxMessage m;
    m.url = ForgeReplyKey(d_.forge.name, frepo_.forge_repo, pr_.number);
    m.body = WhyText(pr_, recent, d_.delivery);
    m.purpose = "why → " + frepo_.forge_repo + "#" + std::to_string(pr_.number);
    s = EnqueueOutbox(db_, m);
    if (!s.ok()) return s;
    return Done("accepted", "answered /why");
  }

  // Saves the PR row after a decision that succeeded.
  Status Finish(const Status& decided) {
    if (!decided.ok()) return decided;
    out_->sandbox = pr_.sandbox;
    return SavePullRequest(db_, pr_);
  }

  Status DeployHead() {
    const std::string branch = "pull/" + std::to_string(pr_.number);
    Sandbox sb;
    if (pr_.sandbox.empty() || !SandboxExists(db_, pr_.sandbox)) return CreatePreview(branch);
    Status s = GetSandbox(db_, pr_.sandbox, &sb);
    if (!s.ok()) return s;
    if (sb.state == "destroying") return Done("refused", "the preview is being destroyed");
    // The sweep, or an earlier event, already queued this very head: a second
    // deploy of it would only replace the container it is starting.
    for (JobState state : {JobState::kQueued, JobState::kRunning}) {
      std::vector<Job> jobs;
      s = ListJobs(db_, state, &jobs);
      if (!s.ok()) return s;
      for (const Job& j : jobs) {
        if (j.kind == JobKind::kDeploy && j.sandbox == pr_.sandbox && j.service == repo_.name &&
            j.commit == pr_.head_sha) {
          return Done("ignored", "a deploy of " + pr_.head_sha.substr(0, 12) + " into " +
                                     pr_.sandbox + " is already under way (job " +
                                     std::to_string(j.id) + ")");
        }
      }
    }
    int64_t job = 0;
    s = QueueDeploy(db_, sb, repo_.name, branch, pr_.head_sha, Actor(), kSource, &job);
    if (!s.ok()) return s;
    out_->job_ids.push_back(job);
    s = CommentQueued();
    if (!s.ok()) return s;
    return Done("accepted", "deploying " + pr_.head_sha.substr(0, 12) + " into " + pr_.sandbox +
                                " (job " + std::to_string(job) + ")");
  }

  // A new preview: the PR's service at its head, and the rest as the repo's
  // template says (its branches deployed, its baseline/URL routes set).
  Status CreatePreview(const std::string& branch) {
    Status limit = CheckSandboxLimit(db_, d_.max_sandboxes);
    if (!limit.ok()) return Done("refused", limit.message());
    Sandbox sb;
    sb.name = PreviewSandboxName(pr_.number, repo_.name);
    if (SandboxExists(db_, sb.name)) {
      return Done("refused", "a sandbox named " + sb.name + " exists and is no preview of #" +
                                 std::to_string(pr_.number));
    }
    Template tmpl;
    const bool from_template = !frepo_.template_name.empty();
    if (from_template) {
      Status s = FindTemplate(db_, frepo_.template_name, &tmpl);
      if (s.code() == Status::Code::kNotFound) return Done("refused", s.message());
      if (!s.ok()) return s;
    }
    const SandboxPlan plan =
        PlanSandbox(from_template ? &tmpl : nullptr, {{repo_.name, branch}}, "");
    std::vector<std::string> shas;
    for (const auto& [service, service_branch] : plan.deploys) {
      std::string sha = pr_.head_sha;
      if (service != repo_.name) {
        Status s = ResolveBranch(db_, service, service_branch, &sha);
        if (!s.ok()) return Done("refused", "template " + tmpl.name + ": " + s.message());
      }
      shas.push_back(sha);
    }
    sb.created_by = Actor();
    sb.origin_repo = repo_.name;
    sb.origin_branch = branch;
    sb.template_name = tmpl.name;
    sb.gateway = plan.gateway;
    // The repo's engine, else its template's, else placed by room.
    sb.engine = frepo_.engine.empty() ? tmpl.engine : frepo_.engine;
    if (!sb.engine.empty()) {
      std::set<std::string> drained;
      Status s = ListDrainedEngines(db_, &drained);
      if (!s.ok()) return s;
      if (drained.count(sb.engine)) {
        return Done("refused", "engine '" + sb.engine +
                                   "' (the repo's or its template's) is drained: it takes no "
                                   "new previews (sandbot engine undrain " +
                                   sb.engine + ")");
      }
    }
    Status s = CreateSandbox(db_, &sb);
    if (!s.ok()) return s;
    pr_.sandbox = sb.name;
    for (const auto& [service, route] : plan.routes) {
      s = SetRoute(db_, sb.id, service, route);
      if (!s.ok()) return s;
    }
    // /preview api=baseline payment=URL: set before anything starts.
    for (const auto& [service, route] : routes_) {
      s = SetRoute(db_, sb.id, service, route);
      if (!s.ok()) return s;
    }
    created_ = true;
    for (size_t i = 0; i < plan.deploys.size(); ++i) {
      int64_t job = 0;
      s = QueueDeploy(db_, sb, plan.deploys[i].first, plan.deploys[i].second, shas[i], Actor(),
                      kSource, &job);
      if (!s.ok()) return s;
      out_->job_ids.push_back(job);
    }
    s = CommentQueued();
    if (!s.ok()) return s;
    return Done("accepted", "deploying " + pr_.head_sha.substr(0, 12) + " into " + sb.name +
                                (from_template ? " from template " + tmpl.name : "") + " (" +
                                std::to_string(out_->job_ids.size()) + " jobs)");
  }

  // The PR's one comment says "queued" in the transaction that queued the
  // deploy: people see at once that the event was heard, before any build
  // (the notifier edits the same comment to building, running or failed).
  Status CommentQueued() {
    OutboxMessage m;
    m.url = ForgeCommentKey(d_.forge.name, frepo_.forge_repo, pr_.number);
    Sandbox named;  // its name only: no service table while nothing runs the head yet
    named.name = pr_.sandbox;
    m.body = PreviewComment(pr_, &named, "queued", pr_.head_sha, "", 0, {}, PreviewLog{});
    m.purpose = "comment queued → " + frepo_.forge_repo + "#" + std::to_string(pr_.number);
    return EnqueueOutbox(db_, m);
  }

  Status DestroyPreview(const std::string& why) {
    if (pr_.sandbox.empty() || !SandboxExists(db_, pr_.sandbox)) {
      pr_.sandbox.clear();
      pr_.deployed_sha.clear();
      return Done("ignored", why + "; no preview to destroy");
    }
    int64_t job = 0;
    const std::string name = pr_.sandbox;
    Status s = RequestDestroy(db_, name, Actor(), kSource, &job);
    if (s.code() == Status::Code::kConflict) return Done("ignored", s.message());
    if (!s.ok()) return s;
    out_->job_ids.push_back(job);
    out_->sandbox = name;
    // The name stays: the destroy job's news finds the PR by it.
    return Done("accepted", why + ": destroying " + name + " (job " + std::to_string(job) + ")");
  }

  std::string Actor() const { return ForgeActor(d_.forge.name, d_.event.sender); }

  Db* db_;
  const ForgeDelivery& d_;
  ForgeOutcome* out_;
  ForgeRepo frepo_;
  Repo repo_;
  PullRequest pr_;
  bool known_ = false;
  std::vector<std::pair<std::string, std::string>> routes_;
  bool created_ = false;
};

// The triggering comment of a command gets 👀 when accepted (and its jobs
// remember it: the notifier adds 🚀 or 😕 when they end), 😕 when refused.
Status ReactToComment(Db* db, const ForgeDelivery& d, const ForgeOutcome& out) {
  const ForgeEvent& e = d.event;
  if (e.kind != ForgeEventKind::kComment || e.comment_id <= 0 || e.number <= 0) return Status::Ok();
  if (out.outcome != "accepted" && out.outcome != "refused") return Status::Ok();
  const std::string id = std::to_string(e.comment_id);
  for (int64_t job : out.job_ids) {
    Status s = LinkJobComment(db, job, JobComment{d.forge.name, e.repo, e.number, id});
    if (!s.ok()) return s;
  }
  OutboxMessage m;
  m.url = ForgeReactionKey(d.forge.name, e.repo, e.number);
  m.body = ReactionBody(id, out.outcome == "accepted" ? "eyes" : "confused");
  m.purpose = "reaction → " + e.repo + "#" + std::to_string(e.number);
  return EnqueueOutbox(db, m);
}

}  // namespace

std::string ReactionBody(const std::string& comment_id, const std::string& content) {
  return nlohmann::json{{"comment_id", comment_id}, {"content", content}}.dump();
}

Status ValidateForge(const Forge& f) {
  Status s = ValidateServiceName(f.name);
  if (!s.ok()) return Status::InvalidArgument("forge name: " + s.message());
  if (f.kind != "github" && f.kind != "gitea" && f.kind != "gitlab") {
    return Status::InvalidArgument("--kind must be github, gitea (Forgejo too) or gitlab");
  }
  if (f.api_url.rfind("https://", 0) != 0 && f.api_url.rfind("http://", 0) != 0) {
    return Status::InvalidArgument("--api-url must be an http(s) URL");
  }
  for (const std::string* ref : {&f.token_ref, &f.secret_ref}) {
    if (ref->empty()) continue;
    const bool env = ref->rfind("env:", 0) == 0 && ref->size() > 4;
    const bool file = ref->rfind("file:/", 0) == 0;
    if (!env && !file) {
      return Status::InvalidArgument("a token or secret is named by --*-env VAR or --*-file PATH");
    }
  }
  if (f.secret_ref.empty()) {
    return Status::InvalidArgument(
        "a forge needs a webhook secret (--secret-env VAR or --secret-file PATH): unsigned "
        "deliveries are never accepted");
  }
  return Status::Ok();
}

Status ValidatePreviewsPolicy(const std::string& policy) {
  if (policy == "auto" || policy == "comment") return Status::Ok();
  if (policy.rfind("label:", 0) == 0 && policy.size() > 6) return Status::Ok();
  return Status::InvalidArgument("--previews must be auto, comment or label:NAME");
}

std::string DefaultCloneUrl(const Forge& forge, const std::string& forge_repo) {
  std::string base = forge.api_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const size_t scheme = base.find("://");
  const size_t api = base.find("/api/", scheme == std::string::npos ? 0 : scheme + 3);
  if (api != std::string::npos) {
    base.erase(api);
  } else if (scheme != std::string::npos && base.compare(scheme + 3, 4, "api.") == 0) {
    base.erase(scheme + 3, 4);
  }
  return base + "/" + forge_repo + ".git";
}

nlohmann::json PullRequestJson(const PullRequest& pr) {
  return {{"forge", pr.forge},
          {"repo", pr.forge_repo},
          {"number", pr.number},
          {"head_sha", pr.head_sha},
          {"url", pr.url},
          {"state", pr.state},
          {"deployed_sha", pr.deployed_sha}};
}

std::string PreviewComment(const PullRequest& pr, const Sandbox* sandbox, const std::string& state,
                           const std::string& commit, const std::string& detail, int64_t suspend_at,
                           const std::map<std::string, std::string>& routes,
                           const PreviewLog& log) {
  auto short_sha = [](const std::string& sha) { return sha.substr(0, 7); };
  std::string text = std::string(kPreviewMarker) + "\n**sandbot preview** `" +
                     (sandbox ? sandbox->name : PreviewSandboxName(pr.number, pr.repo)) +
                     "`: " + state + "\n\n";
  if (!commit.empty()) {
    text += "Commit `" + short_sha(commit) + "`";
    if (!pr.head_sha.empty() && pr.head_sha != commit) {
      text += " (behind the head `" + short_sha(pr.head_sha) + "`)";
    }
    text += ".\n\n";
  }
  if (sandbox && !sandbox->services.empty() && state != "destroyed") {
    // Routes are shown as set (`/route`, `/preview api=baseline`): a
    // service routed away from the sandbox says where to.
    auto route_of = [&routes](const std::string& service) {
      auto it = routes.find(service);
      return it == routes.end() ? std::string("sandbox") : it->second;
    };
    text += "| service | commit | status | route | URL |\n| --- | --- | --- | --- | --- |\n";
    for (const Service& svc : sandbox->services) {
      text += "| " + svc.name + " | `" + short_sha(svc.commit) + "` | " +
              ServiceStatusName(svc.status) + " | " + route_of(svc.name) + " | " + svc.url + " |\n";
    }
    for (const auto& [service, route] : routes) {
      bool deployed = false;
      for (const Service& svc : sandbox->services) deployed = deployed || svc.name == service;
      if (!deployed) text += "| " + service + " | | | " + route + " | |\n";
    }
  }
  if (suspend_at > 0 && sandbox && state != "destroyed") {
    char when[32];
    const std::time_t t = static_cast<std::time_t>(suspend_at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    text += "\nSuspended if idle after " + std::string(when) +
            " UTC (a deploy or command keeps it up).\n";
  }
  if (log.job_id > 0) {
    const std::string job = "job " + std::to_string(log.job_id);
    text += log.url.empty()
                ? "\nLog: " + job + " (no link: sandbot was started without `--public-url`).\n"
                : "\nLog: [" + job + "](" + log.url + ").\n";
  }
  if (!detail.empty()) {
    // Logs are data, not Markdown: fenced, and no fence can close early.
    std::string fenced = detail;
    for (size_t p; (p = fenced.find("```")) != std::string::npos;) fenced.replace(p, 3, "'''");
    text += "\n```\n" + fenced + "\n```\n";
  }
  return text;
}

std::string JobLogUrl(const std::string& public_url, int64_t job_id) {
  std::string base = public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const bool http = base.rfind("http://", 0) == 0 || base.rfind("https://", 0) == 0;
  if (!http || job_id <= 0) return "";
  for (unsigned char c : base) {
    // Nothing that could end a Markdown link or smuggle markup.
    if (c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '<' || c == '>' || c == '[' ||
        c == ']' || c == '"' || c == '\'' || c == '`' || c == '\\') {
      return "";
    }
  }
  return base + "/ui/jobs/" + std::to_string(job_id);
}

std::string WhyText(const PullRequest& pr, const std::vector<Delivery>& recent,
                    const std::string& skip) {
  std::string text = "**sandbot**: the last deliveries for #" + std::to_string(pr.number) +
                     ", newest first (head `" + pr.head_sha.substr(0, 7) + "`, preview " +
                     (pr.sandbox.empty() ? "none" : "`" + pr.sandbox + "`") + ")\n\n" +
                     "| received (UTC) | event | verified | outcome | why |\n"
                     "| --- | --- | --- | --- | --- |\n";
  int shown = 0;
  for (const Delivery& d : recent) {
    if (d.delivery == skip || shown == 10) continue;
    ++shown;
    char when[32];
    const std::time_t t = static_cast<std::time_t>(d.time_ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
    std::string reason = d.reason;
    for (char& c : reason) {
      if (c == '|' || c == '\n') c = ' ';
    }
    text += std::string("| ") + when + " | " + d.event + " | " + (d.verified ? "yes" : "no") +
            " | " + d.outcome + " | " + reason + " |\n";
  }
  if (shown == 0) text += "| | none yet | | | |\n";
  return text;
}

std::string PreviewSandboxName(int64_t number, const std::string& service) {
  return "pr-" + std::to_string(number) + "-" + service;
}

bool WantsPreview(const ForgeRepo& repo, const PullRequest& pr, const std::string& title,
                  const std::vector<std::string>& labels, bool asked, std::string* why) {
  if (pr.state != "open") {
    *why = "the pull request is " + pr.state;
    return false;
  }
  if (ContainsNoCase(title, "[skip preview]")) {
    *why = "the title says [skip preview]";
    return false;
  }
  // A fork's code runs only once a maintainer approved exactly this head.
  if (pr.fork && pr.approved_sha != pr.head_sha) {
    *why = pr.approved_sha.empty()
               ? "a pull request from a fork is never deployed automatically; a maintainer's "
                 "/approve deploys its current head"
               : "new commits on the fork since the approval of " + pr.approved_sha.substr(0, 12) +
                     "; /approve again";
    return false;
  }
  if (asked) return true;
  if (pr.draft) {
    *why = "a draft waits until it is ready for review";
    return false;
  }
  if (repo.previews == "comment") {
    *why = "previews of " + repo.forge_repo + " start on a /preview comment";
    return false;
  }
  if (repo.previews.rfind("label:", 0) == 0) {
    const std::string label = repo.previews.substr(6);
    if (!HasLabel(labels, label)) {
      *why = "previews of " + repo.forge_repo + " run while the PR has the label " + label;
      return false;
    }
  }
  return true;
}

Status ParsePreviewRoutes(const std::string& words,
                          std::vector<std::pair<std::string, std::string>>* routes) {
  std::istringstream in(words);
  for (std::string word; in >> word;) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("/preview takes SERVICE=baseline or SERVICE=URL, not '" +
                                     StripControl(word, 100) + "'");
    }
    Command cmd;
    Status s = ParseCommand("route", word.substr(0, eq) + " " + word.substr(eq + 1), &cmd);
    if (!s.ok())
      return Status::InvalidArgument("/preview " + StripControl(word, 100) + ": " + s.message());
    if (cmd.route == "sandbox") {
      return Status::InvalidArgument("/preview routes a service to baseline or a URL; " +
                                     cmd.service + "=sandbox is where it runs already");
    }
    routes->emplace_back(cmd.service, cmd.route);
  }
  return Status::Ok();
}

std::string ForgeCommentEventJson(const ForgeEvent& e) {
  return nlohmann::json{{"name", e.name},
                        {"sender", e.sender},
                        {"sender_id", e.sender_id},
                        {"repo", e.repo},
                        {"number", e.number},
                        {"title", e.title},
                        {"url", e.url},
                        {"labels", e.labels},
                        {"comment", e.comment},
                        {"comment_id", e.comment_id}}
      .dump();
}

Status ParseForgeCommentEventJson(const std::string& text, ForgeEvent* e) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::InvalidArgument("a queued comment is not JSON");
  try {
    *e = ForgeEvent{};
    e->kind = ForgeEventKind::kComment;
    e->name = j.value("name", "");
    e->sender = j.value("sender", "");
    e->sender_id = j.value("sender_id", int64_t{0});
    e->repo = j.value("repo", "");
    e->number = j.value("number", int64_t{0});
    e->title = j.value("title", "");
    e->url = j.value("url", "");
    e->labels = j.value("labels", std::vector<std::string>{});
    e->comment = j.value("comment", "");
    e->comment_id = j.value("comment_id", int64_t{0});
  } catch (const nlohmann::json::exception& ex) {
    return Status::InvalidArgument(std::string("a queued comment: ") + ex.what());
  }
  return Status::Ok();
}

Status RunForgePreviewVerb(Db* db, const ForgeDelivery& d, const std::string& line,
                           ForgeOutcome* out,
                           std::vector<std::pair<std::string, std::string>>* late_routes) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  ForgePlanner planner(db, d, out);
  Status s = planner.Verb(line);
  if (!s.ok()) return s;
  if (!planner.created() && out->outcome == "accepted") *late_routes = planner.routes();
  AuditRow row{};
  row.actor = ForgeActor(d.forge.name, d.event.sender);
  row.source = ForgeDoor(d.forge.name);
  row.action = "forge." + line.substr(0, line.find(' '));
  row.sandbox = out->sandbox;
  row.repo = d.event.repo;
  row.branch = "pull/" + std::to_string(d.event.number);
  row.status = out->outcome;
  row.detail = "delivery " + d.delivery + ": " + out->reason;
  s = AppendAudit(db, row);
  if (!s.ok()) return s;
  return tx.Commit();
}

std::string ForgeDoor(const std::string& forge) { return "forge:" + forge; }

Status HandleForgeDelivery(Db* db, const ForgeDelivery& d, ForgeOutcome* out) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Delivery rec;
  rec.forge = d.forge.name;
  rec.delivery = d.delivery;
  rec.event = d.event.name;
  rec.forge_repo = d.event.repo;
  rec.number = d.event.number;
  rec.verified = true;
  bool first = false;
  Status s = RecordDelivery(db, rec, &first);
  if (!s.ok()) return s;
  if (!first) {
    out->outcome = "duplicate";
    out->reason = "delivery " + d.delivery + " was already received; nothing done again";
    return Status::Ok();  // nothing written: the first one's record stands
  }
  ForgePlanner planner(db, d, out);
  s = planner.Run();
  if (!s.ok()) return s;
  s = ReactToComment(db, d, *out);
  if (!s.ok()) return s;
  s = SetDeliveryOutcome(db, d.forge.name, d.delivery, out->outcome, out->reason);
  if (!s.ok()) return s;
  AuditRow row{};
  row.actor = ForgeActor(d.forge.name, d.event.sender);
  row.source = kSource;
  row.action = "forge." + (d.event.name.empty() ? std::string("event") : d.event.name);
  row.sandbox = out->sandbox;
  row.repo = d.event.repo;
  row.branch = d.event.number ? "pull/" + std::to_string(d.event.number) : d.event.ref;
  row.commit = d.event.kind == ForgeEventKind::kPush ? d.event.after : d.event.head_sha;
  row.status = out->outcome;
  row.detail = "delivery " + d.delivery + ": " + out->reason;
  s = AppendAudit(db, row);
  if (!s.ok()) return s;
  return tx.Commit();
}

}  // namespace sandbot
