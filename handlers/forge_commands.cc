#include "handlers/forge_commands.h"

#include <algorithm>
#include <set>
#include <sstream>
#include <vector>

#include "store/audit.h"
#include "store/forge_commands.h"
#include "store/outbox.h"
#include "store/sandboxes.h"
#include "templates/text.h"
#include "util/identity.h"

namespace sandbot {

namespace {

bool IsPreviewVerb(const std::string& verb) {
  return verb == "preview" || verb == "update" || verb == "destroy" || verb == "approve" ||
         verb == "why";
}

// An answer, in a Markdown fence no line can close early: its lines are
// never read back as commands when the forge sends sandbot's own reply
// (CommentCommands skips fenced lines), and never render as Markdown.
std::string Fenced(std::string text) {
  for (size_t p; (p = text.find("```")) != std::string::npos;) text.replace(p, 3, "'''");
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return "```\n" + text + "\n```\n";
}

// "> /route payment baseline": the command an answer is for.
std::string Quote(const std::string& line) { return "> /" + StripControl(line, 200) + "\n"; }

class CommentRunner {
 public:
  CommentRunner(const HandlerContext& ctx, const ForgeCommentRun& run, ForgeOutcome* out)
      : ctx_(ctx), run_(run), e_(run.event), out_(out) {}

  Status Run() {
    Status s = FindForgeRepo(ctx_.db, run_.forge.name, e_.repo, &frepo_);
    if (s.IsNotFound()) return Finish("ignored", s.message());
    if (!s.ok()) return s;
    s = GetPullRequest(ctx_.db, run_.forge.name, frepo_.forge_repo, e_.number, &pr_);
    if (s.IsNotFound()) return Finish("ignored", "sandbot has not seen #" + Number());
    if (!s.ok()) return s;
    sandbox_ = pr_.sandbox.empty() ? PreviewSandboxName(pr_.number, pr_.repo) : pr_.sandbox;
    const std::string login = StripControl(e_.sender.empty() ? "?" : e_.sender, 100);
    if (run_.no_token && !run_.role_granted) {
      return Refuse("forge " + run_.forge.name +
                    " has no API token, so sandbot cannot ask it "
                    "whether @" +
                    login + " may write to " + frepo_.forge_repo +
                    "; nothing was done. An operator can grant a role in sandbot's "
                    "configuration (\"roles\": {\"" +
                    Identity() +
                    "\": \"deployer\"}) or give the forge a token (`sandbot forge add " +
                    run_.forge.name + " … --token-env VAR`)");
    }
    // A forge without a token, a granted role: that role decides alone.
    if (!run_.no_token && !run_.permission.ok()) {
      return Refuse("could not check @" + login + "'s permission on the forge: " +
                    run_.permission.message() + "; nothing was done, try again");
    }
    if (!run_.no_token && !run_.can_write) {
      return Refuse("@" + login + " may not command sandbot on " + frepo_.forge_repo +
                    ": that needs write access to the repository on the forge");
    }
    role_ = ForgeCommenterRole(run_);
    for (const std::string& line : CommentCommands(e_.comment)) {
      s = Line(line);
      if (!s.ok()) return s;
    }
    const bool any = ran_ > 0;
    return Finish(any ? "accepted" : (refused_ > 0 ? "refused" : "ignored"), Summary());
  }

 private:
  std::string Number() const { return std::to_string(e_.number); }
  std::string Identity() const {
    return ForgeIdentity(run_.forge.name, StripControl(e_.sender.empty() ? "?" : e_.sender, 100));
  }

  Status Line(const std::string& line) {
    const std::string verb = Lower(line.substr(0, line.find(' ')));
    if (IsPreviewVerb(verb)) return PreviewVerb(line);
    Command cmd;
    Status s = ScopeForgeCommand(line, sandbox_, pr_.fork, &cmd);
    if (s.IsNotFound()) return Unknown(line);
    if (!s.ok()) {
      ++refused_;
      reply_ += Quote(line) + Fenced(s.message()) + "\n";
      if (s.code() == Status::Code::kForbidden)
        return Audit("forge.comment", "refused", s.message());
      return Status::Ok();
    }
    return Grammar(line, cmd);
  }

  Status PreviewVerb(const std::string& line) {
    // /why only reads; the others deploy or destroy.
    const bool reads = line.substr(0, line.find(' ')) == "why";
    if (!reads && role_ < Role::kDeployer) {
      ++refused_;
      reply_ += Quote(line) + "`/" + line.substr(0, line.find(' ')) +
                "` needs the deployer role; you are a " + RoleName(role_) + ".\n\n";
      return Audit("forge." + line.substr(0, line.find(' ')), "refused", "needs the deployer role");
    }
    ForgeDelivery d;
    d.forge = run_.forge;
    d.delivery = run_.delivery;
    d.event = e_;
    d.max_sandboxes = ctx_.max_sandboxes;
    ForgeOutcome o;
    std::vector<std::pair<std::string, std::string>> late_routes;
    Status s = RunForgePreviewVerb(ctx_.db, d, line, &o, &late_routes);
    if (!s.ok()) return s;
    Note(o.outcome, "/" + line.substr(0, line.find(' ')) + ": " + o.reason);
    out_->job_ids.insert(out_->job_ids.end(), o.job_ids.begin(), o.job_ids.end());
    if (!o.sandbox.empty()) sandbox_ = o.sandbox;
    // The answer is the preview comment; a refusal is said here.
    if (o.outcome != "accepted") reply_ += Quote(line) + Fenced(o.reason) + "\n";
    // The preview existed: its routes change as /route would change them.
    for (const auto& [service, route] : late_routes) {
      Command cmd;
      s = ScopeForgeCommand("route " + service + " " + route, sandbox_, pr_.fork, &cmd);
      if (s.ok()) s = Grammar("route " + service + " " + route, cmd);
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  // A command of the chat grammar, as chat runs it.
  Status Grammar(const std::string& line, const Command& cmd) {
    if (!cmd.sandbox.empty() && !SandboxExists(ctx_.db, cmd.sandbox)) {
      ++refused_;
      reply_ += Quote(line) + "#" + Number() + " has no preview (`" + cmd.sandbox +
                "`) yet; `/preview` starts one.\n\n";
      return Status::Ok();
    }
    Request req;
    req.command = cmd;
    req.user_id = Identity();
    req.source = ForgeDoor(run_.forge.name);
    req.channel = req.source + ":" + frepo_.forge_repo + "#" + Number();
    req.role = role_;
    Reply reply;
    Status s = HandleCommand(ctx_, req, &reply);
    if (s.ok()) {
      reply_ += Quote(line) + Fenced(RenderText(reply.view)) + "\n";
      out_->job_ids.insert(out_->job_ids.end(), reply.jobs.begin(), reply.jobs.end());
      Note("accepted", "/" + line);
      return Status::Ok();
    }
    // The command's refusal or error is its answer (and has its audit row);
    // a store that failed under it is the worker's to retry.
    if (s.code() == Status::Code::kInternal) return s;
    ++refused_;
    reply_ += Quote(line) + Fenced(s.message()) + "\n";
    return Status::Ok();
  }

  Status Unknown(const std::string& line) {
    bool first = false;
    Status s = MarkForgeHelpGiven(ctx_.db, run_.forge.name, frepo_.forge_repo, e_.number, &first);
    if (!s.ok()) return s;
    if (first) reply_ += Quote(line) + ForgeCommentHelp(sandbox_) + "\n";
    lines_.push_back("/" + StripControl(line.substr(0, line.find(' ')), 60) + ": unknown" +
                     (first ? ", answered with the help" : ""));
    return Status::Ok();
  }

  void Note(const std::string& outcome, const std::string& what) {
    if (outcome == "accepted") ++ran_;
    if (outcome == "refused") ++refused_;
    lines_.push_back(StripControl(what, 200));
  }

  std::string Summary() const {
    std::string text;
    for (const std::string& l : lines_) text += (text.empty() ? "" : "; ") + l;
    return text.empty() ? "answered in a reply" : text;
  }

  Status Refuse(const std::string& why) {
    reply_ = StripControl(why, 1000) + "\n";  // one line: nothing in it reads as a command
    Status s = Audit("forge.comment", "refused", why);
    if (!s.ok()) return s;
    return Finish("refused", why);
  }

  Status Audit(const std::string& action, const std::string& status, const std::string& detail) {
    AuditRow row{};
    row.actor = Identity();
    row.source = ForgeDoor(run_.forge.name);
    row.action = action;
    row.sandbox = pr_.sandbox;
    row.repo = e_.repo;
    row.branch = "pull/" + Number();
    row.status = status;
    row.detail = "delivery " + run_.delivery + ": " + detail;
    return AppendAudit(ctx_.db, row);
  }

  // The reply comment and the delivery's outcome, together.
  Status Finish(const std::string& outcome, const std::string& reason) {
    Transaction tx(ctx_.db);
    if (!tx.status().ok()) return tx.status();
    if (!reply_.empty()) {
      OutboxMessage m;
      m.url = ForgeReplyKey(run_.forge.name,
                            frepo_.forge_repo.empty() ? e_.repo : frepo_.forge_repo, e_.number);
      m.body = "**sandbot**, for @" + StripControl(e_.sender, 100) + ":\n\n" + reply_;
      m.purpose = "reply → " + m.url.substr(m.url.rfind(':') + 1);
      Status s = EnqueueOutbox(ctx_.db, m);
      if (!s.ok()) return s;
    }
    out_->outcome = outcome;
    out_->reason = reason;
    out_->sandbox = pr_.sandbox;
    Status s = React();
    if (!s.ok()) return s;
    s = SetDeliveryOutcome(ctx_.db, run_.forge.name, run_.delivery, outcome, reason);
    if (!s.ok()) return s;
    return tx.Commit();
  }

  // The comment got 👀 when the webhook queued it: its jobs remember it (the
  // notifier adds 🚀 or 😕 when they end); a refusal gets 😕 now.
  Status React() {
    if (e_.comment_id <= 0) return Status::Ok();
    const std::string id = std::to_string(e_.comment_id);
    const std::string repo = frepo_.forge_repo.empty() ? e_.repo : frepo_.forge_repo;
    for (int64_t job : out_->job_ids) {
      Status s = LinkJobComment(ctx_.db, job, JobComment{run_.forge.name, repo, e_.number, id});
      if (!s.ok()) return s;
    }
    if (out_->outcome != "refused") return Status::Ok();
    OutboxMessage m;
    m.url = ForgeReactionKey(run_.forge.name, repo, e_.number);
    m.body = ReactionBody(id, "confused");
    m.purpose = "reaction → " + repo + "#" + Number();
    return EnqueueOutbox(ctx_.db, m);
  }

  const HandlerContext& ctx_;
  const ForgeCommentRun& run_;
  const ForgeEvent& e_;
  ForgeOutcome* out_;
  ForgeRepo frepo_;
  PullRequest pr_;
  std::string sandbox_;
  Role role_ = Role::kViewer;
  std::string reply_;
  std::vector<std::string> lines_;
  int ran_ = 0, refused_ = 0;
};

}  // namespace

Role ForgeCommenterRole(const ForgeCommentRun& run) {
  return run.role_granted ? run.granted : Role::kDeployer;
}

Status ScopeForgeCommand(const std::string& line, const std::string& sandbox, bool fork,
                         Command* command) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string w; in >> w;) words.push_back(w);
  if (words.empty()) return Status::NotFound("no command");
  const std::string family = Lower(words[0]);
  const std::vector<std::string> families = CommandFamilies();
  if (std::find(families.begin(), families.end(), family) == families.end()) {
    return Status::NotFound("unknown command /" + family);
  }
  const std::string verb = words.size() > 1 ? Lower(words[1]) : "";
  const std::string beyond =
      "reaches beyond this pull request's preview `" + sandbox + "`; run it from chat or the CLI";
  static const std::set<std::string> kBeyond = {"create", "list", "use", "rename", "clone"};
  // Where a sandbox verb's NAME goes when the comment leaves it out: the
  // verbs that take only NAME have it as their third word, if at all.
  static const std::set<std::string> kOnlyName = {"status", "destroy", "suspend", "resume",
                                                  "unlock"};
  static const std::set<std::string> kNameAndSnap = {"snapshot", "restore"};
  const bool env_scoped = family == "env" && (verb == "attach" || verb == "detach");
  if (family == "sandbox" && kBeyond.count(verb))
    return Status::Forbidden("`/sandbox " + verb + "` " + beyond);
  // A comment names no sandbox: the preview is the one meant.
  if (family == "sandbox") {
    const bool named = kOnlyName.count(verb)              ? words.size() >= 3
                       : kNameAndSnap.count(verb)         ? words.size() >= 4
                       : verb == "logs" || verb == "lock" ? words.size() >= 3 && words[2] == sandbox
                                                          : true;
    if (!named) words.insert(words.begin() + 2, sandbox);
  }
  if (env_scoped) {
    if (fork) {
      return Status::Forbidden(
          "a preview of a pull request from a fork gets no environments (they may hold secrets)");
    }
    if (words.size() >= 3 && (words.size() < 4 || words[3] != sandbox)) {
      words.insert(words.begin() + 3, sandbox);
    }
  }
  std::string text;
  for (size_t i = 1; i < words.size(); ++i) text += (i > 1 ? " " : "") + words[i];
  Status s = ParseCommand(family, text, command);
  if (!s.ok()) return s;
  const CommandSpec* spec = FindCommand(command->family, command->verb);
  if (command->verb == "help") return Status::Ok();
  const bool scoped = family == "sandbox" || family == "deploy" || family == "route" || env_scoped;
  if (!scoped) {
    // Environments, templates and baselines are shared by every sandbox:
    // reading them is fine, changing them is not a PR's business.
    if (spec && Writes(*spec)) {
      return Status::Forbidden("`/" + family + " " + command->verb + "` " + beyond);
    }
    return Status::Ok();
  }
  if (command->sandbox.empty()) command->sandbox = sandbox;
  if (command->sandbox != sandbox) {
    return Status::Forbidden("a comment on this pull request acts on its preview `" + sandbox +
                             "` only, not on " + StripControl(command->sandbox, 100));
  }
  return Status::Ok();
}

std::string ForgeCommentHelp(const std::string& sandbox) {
  return "Commands in a comment, one per line, each at the start of its line:\n\n"
         "- `/preview [SERVICE=baseline|URL …]`: start this pull request's preview (or "
         "redeploy its head), routing the services named\n"
         "- `/update`: redeploy the head · `/destroy`: remove the preview · `/approve`: deploy "
         "a fork's current head · `/why`: what sandbot did with the last deliveries, and why\n"
         "- the chat commands, acting on the preview `" +
         sandbox +
         "`: `/sandbox status`, `/sandbox logs SERVICE [LINES]`, `/sandbox suspend|resume|"
         "lock|unlock|destroy`, `/sandbox snapshot|restore SNAP`, `/route SERVICE "
         "sandbox|baseline|URL`, `/route list`, `/deploy SERVICE BRANCH`, `/env attach|detach "
         "NAME [SERVICE]`; `/sandbox help`, `/route help` … list them\n\n"
         "They need write access to the repository on the forge. (This help is given once per "
         "pull request.)\n";
}

Status HandleForgeComment(const HandlerContext& ctx, const ForgeCommentRun& run,
                          ForgeOutcome* outcome) {
  CommentRunner runner(ctx, run, outcome);
  return runner.Run();
}

}  // namespace sandbot
