#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "bot/forge_mirror.h"
#include "bot/forge_permission.h"
#include "bot/forge_server.h"
#include "bot/signatures.h"
#include "handlers/forge_commands.h"
#include "handlers/forge_event.h"
#include "handlers/forge_pr.h"
#include "hooks/git_repo.h"
#include "store/audit.h"
#include "store/baselines.h"
#include "store/engines.h"
#include "store/forge_commands.h"
#include "store/forges.h"
#include "store/jobs.h"
#include "store/outbox.h"
#include "store/repos.h"
#include "store/routes.h"
#include "store/sandboxes.h"
#include "store/templates.h"
#include "tests/unit/forge_fixture.h"

using namespace sandbot;
using nlohmann::json;

namespace {

const std::string kSecret = "It's a Secret to Everybody";
const std::string kBody = "Hello, World!";
const std::string kHex = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

Status Verify(const std::string& kind, const std::string& secret, const std::string& body,
              std::map<std::string, std::string> headers) {
  return VerifyForgeDelivery(kind, secret, body, [&headers](const char* name) {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  });
}

std::string Fixture(const std::string& name) {
  std::ifstream in("tests/fixtures/forges/" + name);
  BOOST_REQUIRE_MESSAGE(in, "cannot read tests/fixtures/forges/" + name + " (run from the root)");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ForgeEvent Parse(const std::string& kind, const std::string& event, const std::string& file) {
  ForgeEvent e;
  Status s = ParseForgeEvent(kind, event, Fixture(file), &e);
  BOOST_REQUIRE_MESSAGE(s.ok(), file + ": " + s.ToString());
  return e;
}

bool SameEvent(const ForgeEvent& a, const ForgeEvent& b) {
  return a.kind == b.kind && a.name == b.name && a.sender == b.sender &&
         a.sender_id == b.sender_id && a.comment_id == b.comment_id && a.repo == b.repo &&
         a.clone_url == b.clone_url && a.action == b.action && a.number == b.number &&
         a.title == b.title && a.url == b.url && a.head_sha == b.head_sha &&
         a.head_ref == b.head_ref && a.head_at == b.head_at && a.draft == b.draft &&
         a.fork == b.fork && a.labels == b.labels && a.comment == b.comment &&
         a.commenter_can_write == b.commenter_can_write && a.ref == b.ref && a.before == b.before &&
         a.after == b.after;
}

// A GitHub forge with repo "web" from acme/web, and events made from the
// real opened payload with the fields a test changes.
struct ForgeFixture : ForgeStore {
  int delivery = 0;
  explicit ForgeFixture(const std::string& previews = "auto")
      : ForgeStore(GithubForge(), previews) {}
  ForgeEvent Pr(const std::string& action, const std::string& sha, int64_t at) {
    ForgeEvent e;
    e.kind = ForgeEventKind::kPullRequest;
    e.name = "pull_request." + action;
    e.action = action == "opened"        ? PrAction::kOpened
               : action == "synchronize" ? PrAction::kSynchronize
               : action == "closed"      ? PrAction::kClosed
               : action == "merged"      ? PrAction::kMerged
               : action == "labeled"     ? PrAction::kLabeled
               : action == "unlabeled"   ? PrAction::kUnlabeled
               : action == "ready"       ? PrAction::kReady
                                         : PrAction::kOther;
    e.repo = "acme/web";
    e.sender = "octo";
    e.number = 7;
    e.head_sha = sha;
    e.head_ref = "feature/x";
    e.head_at = at;
    e.title = "Add things";
    return e;
  }
  ForgeEvent Comment(const std::string& body, bool can_write = true) {
    ForgeEvent e;
    e.kind = ForgeEventKind::kComment;
    e.name = "issue_comment.created";
    e.repo = "acme/web";
    e.sender = "maintainer";
    e.number = 7;
    e.comment = body;
    e.commenter_can_write = can_write;
    return e;
  }
  // A comment's commands wait for the forge's word (the worker in
  // bot/forge_permission.h): here the forge says `commenter_can_write`, or
  // `permission` when it cannot be asked, and the role the config grants.
  ForgeOutcome Send(const ForgeEvent& e, const std::string& id = "") {
    ForgeDelivery d;
    BOOST_REQUIRE(GetForge(t.db.get(), "github", &d.forge).ok());
    d.delivery = id.empty() ? "d-" + std::to_string(++delivery) : id;
    d.event = e;
    ForgeOutcome out;
    Status s = HandleForgeDelivery(t.db.get(), d, &out);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
    if (!out.comment_queued) return out;
    std::vector<ForgeCommentJob> jobs;
    BOOST_REQUIRE(ListForgeComments(t.db.get(), 10, &jobs).ok());
    BOOST_REQUIRE_EQUAL(jobs.size(), 1u);
    BOOST_REQUIRE(DeleteForgeComment(t.db.get(), jobs[0].id).ok());
    ForgeCommentRun run;
    run.forge = d.forge;
    run.delivery = jobs[0].delivery;
    BOOST_REQUIRE(ParseForgeCommentEventJson(jobs[0].event, &run.event).ok());
    run.permission = permission;
    run.can_write = e.commenter_can_write;
    run.role_granted = role_granted;
    run.granted = granted;
    HandlerContext hc{t.db.get(), nullptr, nullptr};
    ForgeOutcome ran;
    s = HandleForgeComment(hc, run, &ran);
    BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
    return ran;
  }
  // A comment by `login`, queued as the webhook queues it (for the worker).
  void QueueComment(const std::string& login, const std::string& body) {
    ForgeDelivery d;
    BOOST_REQUIRE(GetForge(t.db.get(), "github", &d.forge).ok());
    d.delivery = "w-" + login + "-" + std::to_string(++delivery);
    d.event = Comment(body);
    d.event.sender = login;
    ForgeOutcome out;
    BOOST_REQUIRE(HandleForgeDelivery(t.db.get(), d, &out).ok());
    BOOST_REQUIRE(out.comment_queued);
  }
  Status permission;
  bool role_granted = false;
  Role granted = Role::kViewer;
  Job OnlyJob(const ForgeOutcome& out) {
    BOOST_REQUIRE_EQUAL(out.job_ids.size(), 1u);
    Job j;
    BOOST_REQUIRE(GetJob(t.db.get(), out.job_ids[0], &j).ok());
    return j;
  }
  PullRequest Pr7() {
    PullRequest pr;
    BOOST_REQUIRE(GetPullRequest(t.db.get(), "github", "acme/web", 7, &pr).ok());
    return pr;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(forge)

// GitHub's own test vector, through the forge door's check.
BOOST_AUTO_TEST_CASE(github_test_vector) {
  BOOST_CHECK_EQUAL(HexEncode(HmacSha256(kSecret, kBody)), kHex);
  BOOST_CHECK(Verify("github", kSecret, kBody, {{"X-Hub-Signature-256", "sha256=" + kHex}}).ok());
  BOOST_CHECK(
      !Verify("github", kSecret, kBody + " ", {{"X-Hub-Signature-256", "sha256=" + kHex}}).ok());
  BOOST_CHECK(
      !Verify("github", kSecret + "x", kBody, {{"X-Hub-Signature-256", "sha256=" + kHex}}).ok());
  // GitHub always prefixes; the bare hex is Gitea's header, not this one.
  BOOST_CHECK(!Verify("github", kSecret, kBody, {{"X-Hub-Signature-256", kHex}}).ok());
  BOOST_CHECK(!Verify("github", kSecret, kBody, {}).ok());
  BOOST_CHECK(!Verify("github", kSecret, kBody, {{"X-Hub-Signature", "sha1=" + kHex}}).ok());
  // No secret configured: refused, never accepted unsigned.
  BOOST_CHECK(!Verify("github", "", kBody, {{"X-Hub-Signature-256", "sha256=" + kHex}}).ok());
}

BOOST_AUTO_TEST_CASE(gitea_and_gitlab_signatures) {
  BOOST_CHECK(Verify("gitea", kSecret, kBody, {{"X-Gitea-Signature", kHex}}).ok());
  BOOST_CHECK(Verify("gitea", kSecret, kBody, {{"X-Forgejo-Signature", kHex}}).ok());
  BOOST_CHECK(Verify("gitea", kSecret, kBody, {{"X-Hub-Signature-256", "sha256=" + kHex}}).ok());
  std::string bad = kHex;
  bad.back() = bad.back() == '0' ? '1' : '0';
  BOOST_CHECK(!Verify("gitea", kSecret, kBody, {{"X-Gitea-Signature", bad}}).ok());
  // A bad bare signature is not rescued by a good X-Hub one: the first found decides.
  BOOST_CHECK(!Verify("gitea", kSecret, kBody,
                      {{"X-Gitea-Signature", bad}, {"X-Hub-Signature-256", "sha256=" + kHex}})
                   .ok());
  BOOST_CHECK(!Verify("gitea", kSecret, kBody, {}).ok());
  BOOST_CHECK(Verify("gitlab", "tok-123", kBody, {{"X-Gitlab-Token", "tok-123"}}).ok());
  BOOST_CHECK(!Verify("gitlab", "tok-123", kBody, {{"X-Gitlab-Token", "tok-124"}}).ok());
  BOOST_CHECK(!Verify("gitlab", "tok-123", kBody, {{"X-Gitlab-Token", "tok-12"}}).ok());
  BOOST_CHECK(!Verify("gitlab", "tok-123", kBody, {}).ok());
  BOOST_CHECK(!Verify("gitlab", "", kBody, {{"X-Gitlab-Token", ""}}).ok());
}

BOOST_AUTO_TEST_CASE(secret_references) {
  ScratchDir dir;
  const std::string file = dir.path() + "/secret";
  std::ofstream(file) << "s3cret\n";
  std::string v;
  BOOST_CHECK(ResolveForgeRef("file:" + file, &v).ok());
  BOOST_CHECK_EQUAL(v, "s3cret");
  setenv("SANDBOT_TEST_FORGE_SECRET", "from-env", 1);
  BOOST_CHECK(ResolveForgeRef("env:SANDBOT_TEST_FORGE_SECRET", &v).ok());
  BOOST_CHECK_EQUAL(v, "from-env");
  unsetenv("SANDBOT_TEST_FORGE_SECRET");
  Status s = ResolveForgeRef("env:SANDBOT_TEST_FORGE_SECRET", &v);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK(v.empty());
  BOOST_CHECK(!ResolveForgeRef("s3cret", &v).ok());
  BOOST_CHECK(!ResolveForgeRef("file:" + dir.path() + "/missing", &v).ok());
}

BOOST_AUTO_TEST_CASE(parses_real_github_payloads) {
  ForgeEvent e = Parse("github", "pull_request", "github/pull_request.opened.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kPullRequest);
  BOOST_CHECK(e.action == PrAction::kOpened);
  BOOST_CHECK_EQUAL(e.name, "pull_request.opened");
  BOOST_CHECK_EQUAL(e.number, 2);
  BOOST_CHECK_EQUAL(e.repo, "Codertocat/Hello-World");
  BOOST_CHECK_EQUAL(e.head_sha, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
  BOOST_CHECK_EQUAL(e.head_ref, "changes");
  BOOST_CHECK_EQUAL(e.head_at, 1557933633);  // 2019-05-15T15:20:33Z
  BOOST_CHECK(!e.fork);
  BOOST_CHECK(!e.draft);
  BOOST_CHECK_EQUAL(e.sender, "Codertocat");
  BOOST_CHECK_EQUAL(e.clone_url, "https://github.com/Codertocat/Hello-World.git");

  const std::pair<const char*, PrAction> actions[] = {
      {"synchronize", PrAction::kSynchronize}, {"closed", PrAction::kClosed},
      {"closed.merged", PrAction::kMerged},    {"reopened", PrAction::kReopened},
      {"labeled", PrAction::kLabeled},         {"unlabeled", PrAction::kUnlabeled},
      {"ready_for_review", PrAction::kReady},  {"converted_to_draft", PrAction::kDraft},
  };
  for (const auto& [file, action] : actions) {
    e = Parse("github", "pull_request", std::string("github/pull_request.") + file + ".json");
    BOOST_CHECK_MESSAGE(e.action == action, file << " read as " << PrActionName(e.action));
  }
  e = Parse("github", "pull_request", "github/pull_request.labeled.json");
  BOOST_REQUIRE_EQUAL(e.labels.size(), 1u);
  BOOST_CHECK_EQUAL(e.labels[0], "bug");
  e = Parse("github", "pull_request", "github/pull_request.converted_to_draft.json");
  BOOST_CHECK(e.draft);

  e = Parse("github", "issue_comment", "github/issue_comment.created.pr.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kComment);
  BOOST_CHECK_EQUAL(e.number, 2);
  BOOST_CHECK_EQUAL(e.comment, "/preview");
  BOOST_CHECK_EQUAL(e.comment_id, 492700400);
  BOOST_CHECK(e.commenter_can_write);  // OWNER

  e = Parse("github", "ping", "github/ping.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kPing);
  e = Parse("github", "push", "github/push.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kPush);
  BOOST_CHECK_EQUAL(e.ref, "refs/heads/master");
  BOOST_CHECK_EQUAL(e.after.size(), 40u);
  e = Parse("github", "star", "github/ping.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kOther);
}

BOOST_AUTO_TEST_CASE(a_fork_and_a_comment_on_an_issue) {
  json j = json::parse(Fixture("github/pull_request.opened.json"));
  j["pull_request"]["head"]["repo"]["full_name"] = "mallory/Hello-World";
  ForgeEvent e;
  BOOST_REQUIRE(ParseForgeEvent("github", "pull_request", j.dump(), &e).ok());
  BOOST_CHECK(e.fork);
  j["pull_request"]["head"]["repo"] = nullptr;  // the fork was deleted
  BOOST_REQUIRE(ParseForgeEvent("github", "pull_request", j.dump(), &e).ok());
  BOOST_CHECK(e.fork);

  json c = json::parse(Fixture("github/issue_comment.created.pr.json"));
  c["issue"].erase("pull_request");
  BOOST_REQUIRE(ParseForgeEvent("github", "issue_comment", c.dump(), &e).ok());
  BOOST_CHECK(e.kind == ForgeEventKind::kOther);
  c = json::parse(Fixture("github/issue_comment.created.pr.json"));
  c["comment"]["author_association"] = "NONE";
  BOOST_REQUIRE(ParseForgeEvent("github", "issue_comment", c.dump(), &e).ok());
  BOOST_CHECK(!e.commenter_can_write);

  BOOST_CHECK(!ParseForgeEvent("github", "pull_request", "[1]", &e).ok());
  BOOST_CHECK(!ParseForgeEvent("github", "pull_request", "{\"action\":\"opened\"}", &e).ok());
  BOOST_CHECK(!ParseForgeEvent("github", "pull_request", "not json", &e).ok());
}

// The head is deployed and named in forge API paths: a signed payload whose
// head is a revision expression or a path is refused, on every forge.
BOOST_AUTO_TEST_CASE(a_head_that_is_not_a_full_commit_id_is_refused) {
  ForgeEvent e;
  for (const char* head :
       {"main", "HEAD~1", "../../user", "ABCDEF0123456789ABCDEF0123456789ABCDEF01",
        "0123456789abcdef0123456789abcdef0123456", ""}) {
    json j = json::parse(Fixture("github/pull_request.opened.json"));
    j["pull_request"]["head"]["sha"] = head;
    BOOST_CHECK_MESSAGE(!ParseForgeEvent("github", "pull_request", j.dump(), &e).ok(), head);
    json g = json::parse(Fixture("gitlab/merge_request.open.json"));
    g["object_attributes"]["last_commit"]["id"] = head;
    BOOST_CHECK_MESSAGE(!ParseForgeEvent("gitlab", "Merge Request Hook", g.dump(), &e).ok(), head);
  }
}

BOOST_AUTO_TEST_CASE(parses_gitea_payloads) {
  ForgeEvent e = Parse("gitea", "pull_request", "gitea/pull_request.opened.json");
  BOOST_CHECK(e.action == PrAction::kOpened);
  BOOST_CHECK_EQUAL(e.number, 7);
  BOOST_CHECK_EQUAL(e.repo, "acme/web");
  BOOST_CHECK_EQUAL(e.head_sha.substr(0, 8), "7a3c1e5b");
  e = Parse("gitea", "pull_request", "gitea/pull_request.synchronized.json");
  BOOST_CHECK(e.action == PrAction::kSynchronize);
  e = Parse("gitea", "pull_request", "gitea/pull_request.closed.merged.json");
  BOOST_CHECK(e.action == PrAction::kMerged);
  e = Parse("gitea", "pull_request", "gitea/pull_request.closed.json");
  BOOST_CHECK(e.action == PrAction::kClosed);
  e = Parse("gitea", "pull_request", "gitea/pull_request.label_updated.json");
  BOOST_CHECK(e.action == PrAction::kLabeled);
  e = Parse("gitea", "pull_request", "gitea/pull_request.label_cleared.json");
  BOOST_CHECK(e.action == PrAction::kUnlabeled);
  e = Parse("gitea", "issue_comment", "gitea/issue_comment.created.pr.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kComment);
  BOOST_CHECK_EQUAL(e.comment, "/preview");
  BOOST_CHECK_EQUAL(e.comment_id, 105);
  BOOST_CHECK(!e.commenter_can_write);  // Gitea says nothing of the commenter's access
  e = Parse("gitea", "push", "gitea/push.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kPush);
}

BOOST_AUTO_TEST_CASE(parses_gitlab_payloads) {
  ForgeEvent e = Parse("gitlab", "Merge Request Hook", "gitlab/merge_request.open.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kPullRequest);
  BOOST_CHECK(e.action == PrAction::kOpened);
  BOOST_CHECK_EQUAL(e.number, 7);
  BOOST_CHECK_EQUAL(e.repo, "acme/web");
  BOOST_CHECK_EQUAL(e.head_at, ParseForgeTime("2024-03-01T09:00:00Z"));
  BOOST_CHECK(!e.fork);
  const std::pair<const char*, PrAction> actions[] = {
      {"update.oldrev", PrAction::kSynchronize},
      {"update.no_oldrev", PrAction::kLabeled},
      {"merge", PrAction::kMerged},
      {"close", PrAction::kClosed},
      {"reopen", PrAction::kReopened},
  };
  for (const auto& [file, action] : actions) {
    e = Parse("gitlab", "Merge Request Hook",
              std::string("gitlab/merge_request.") + file + ".json");
    BOOST_CHECK_MESSAGE(e.action == action, file << " read as " << PrActionName(e.action));
  }
  e = Parse("gitlab", "Note Hook", "gitlab/note.merge_request.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kComment);
  BOOST_CHECK_EQUAL(e.number, 7);
  BOOST_CHECK_EQUAL(e.comment, "/preview");
  BOOST_CHECK_EQUAL(e.comment_id, 1244);
  e = Parse("gitlab", "Push Hook", "gitlab/push.json");
  BOOST_CHECK(e.kind == ForgeEventKind::kPush);
  BOOST_CHECK_EQUAL(e.ref, "refs/heads/staging");
}

BOOST_AUTO_TEST_CASE(times_and_comment_commands) {
  BOOST_CHECK_EQUAL(ParseForgeTime("2019-05-15T15:20:33Z"), 1557933633);
  BOOST_CHECK_EQUAL(ParseForgeTime("2019-05-15T17:20:33+02:00"), 1557933633);
  BOOST_CHECK_EQUAL(ParseForgeTime("2019-05-15T15:20:33.123Z"), 1557933633);
  BOOST_CHECK_EQUAL(ParseForgeTime("2019-05-15 15:20:33 UTC"), 1557933633);
  BOOST_CHECK_EQUAL(ParseForgeTime("yesterday"), 0);
  auto c = CommentCommands("LGTM\r\n/preview api=baseline\n  /destroy\n/\n/update");
  BOOST_REQUIRE_EQUAL(c.size(), 2u);
  BOOST_CHECK_EQUAL(c[0], "preview api=baseline");
  BOOST_CHECK_EQUAL(c[1], "update");
}

BOOST_AUTO_TEST_CASE(validation_and_clone_urls) {
  Forge f{"github", "github", "https://api.github.com", "env:T", "env:S", "ana"};
  BOOST_CHECK(ValidateForge(f).ok());
  f.secret_ref = "";
  BOOST_CHECK(!ValidateForge(f).ok());  // no secret: every delivery would be refused
  f.secret_ref = "hunter2";
  BOOST_CHECK(!ValidateForge(f).ok());  // a value, not a reference
  f.secret_ref = "file:/etc/sandbot/gh-secret";
  f.kind = "bitbucket";
  BOOST_CHECK(!ValidateForge(f).ok());
  f.kind = "gitea";
  f.name = "Bad Name";
  BOOST_CHECK(!ValidateForge(f).ok());
  BOOST_CHECK(ValidatePreviewsPolicy("auto").ok());
  BOOST_CHECK(ValidatePreviewsPolicy("comment").ok());
  BOOST_CHECK(ValidatePreviewsPolicy("label:preview").ok());
  BOOST_CHECK(!ValidatePreviewsPolicy("label:").ok());
  BOOST_CHECK(!ValidatePreviewsPolicy("always").ok());
  Forge gh{"gh", "github", "https://api.github.com", "", "env:S", ""};
  BOOST_CHECK_EQUAL(DefaultCloneUrl(gh, "acme/web"), "https://github.com/acme/web.git");
  Forge ghe{"ghe", "github", "https://ghe.example.com/api/v3/", "", "env:S", ""};
  BOOST_CHECK_EQUAL(DefaultCloneUrl(ghe, "acme/web"), "https://ghe.example.com/acme/web.git");
  Forge gl{"gl", "gitlab", "https://gitlab.example.com/api/v4", "", "env:S", ""};
  BOOST_CHECK_EQUAL(DefaultCloneUrl(gl, "g/sub/web"), "https://gitlab.example.com/g/sub/web.git");
}

BOOST_AUTO_TEST_CASE(open_deploys_the_head_into_its_own_sandbox) {
  ForgeFixture f;
  ForgeOutcome out = f.Send(f.Pr("opened", kSha1, 100));
  BOOST_CHECK_EQUAL(out.outcome, "accepted");
  BOOST_CHECK_EQUAL(out.sandbox, "pr-7-web");
  Job j = f.OnlyJob(out);
  BOOST_CHECK(j.kind == JobKind::kDeploy);
  BOOST_CHECK_EQUAL(j.sandbox, "pr-7-web");
  BOOST_CHECK_EQUAL(j.service, "web");
  BOOST_CHECK_EQUAL(j.commit, kSha1);
  BOOST_CHECK_EQUAL(j.branch, "pull/7");
  BOOST_CHECK_EQUAL(j.source, "forge");
  BOOST_CHECK_EQUAL(j.actor, "forge:github/octo");  // util/identity.h
  PullRequest pr = f.Pr7();
  BOOST_CHECK_EQUAL(pr.sandbox, "pr-7-web");
  BOOST_CHECK_EQUAL(pr.head_sha, kSha1);
  json pj = PullRequestJson(pr);
  BOOST_CHECK_EQUAL(pj["forge"], "github");
  BOOST_CHECK_EQUAL(pj["repo"], "acme/web");
  BOOST_CHECK_EQUAL(pj["number"], 7);
  BOOST_CHECK_EQUAL(pj["head_sha"], kSha1);

  // The audit row says what the delivery did.
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.t.db.get(), "pr-7-web", 10, &rows).ok());
  BOOST_REQUIRE(!rows.empty());
  BOOST_CHECK_EQUAL(rows.back().action, "forge.pull_request.opened");
  BOOST_CHECK_EQUAL(rows.back().status, "accepted");
}

namespace {

// The outbox messages for acme/web#7's one comment (bot/forge_poster.h).
std::vector<OutboxMessage> CommentMessages(Db* db) {
  std::vector<OutboxMessage> box, out;
  BOOST_REQUIRE(ListOutbox(db, &box).ok());
  for (const auto& m : box) {
    if (m.url == ForgeCommentKey("github", "acme/web", 7)) out.push_back(m);
  }
  return out;
}

// The other outbox messages (replies, reactions…), in the order queued.
std::vector<OutboxMessage> OtherMessages(Db* db) {
  std::vector<OutboxMessage> box, out;
  BOOST_REQUIRE(ListOutbox(db, &box).ok());
  for (const auto& m : box) {
    if (m.url != ForgeCommentKey("github", "acme/web", 7)) out.push_back(m);
  }
  return out;
}

}  // namespace

// The PR's one comment says "queued" in the transaction that queued the
// deploy, before any build; no comment when nothing is queued.
BOOST_AUTO_TEST_CASE(a_queued_preview_says_queued_in_its_comment_at_once) {
  ForgeFixture f;
  ForgeEvent draft = f.Pr("opened", kSha1, 100);
  draft.draft = true;
  BOOST_CHECK(f.Send(draft).job_ids.empty());
  BOOST_CHECK(CommentMessages(f.t.db.get()).empty());
  f.OnlyJob(f.Send(f.Pr("ready", kSha1, 110)));
  std::vector<OutboxMessage> box = CommentMessages(f.t.db.get());
  BOOST_REQUIRE_EQUAL(box.size(), 1u);
  BOOST_CHECK_EQUAL(box[0].body.rfind(kPreviewMarker, 0), 0u);
  BOOST_CHECK_NE(box[0].body.find("`pr-7-web`: queued"), std::string::npos);
  BOOST_CHECK_NE(box[0].body.find("Commit `1111111`"), std::string::npos);
  BOOST_CHECK_EQUAL(box[0].body.find("| service |"), std::string::npos);  // nothing runs yet
  // No new commits: nothing queued, nothing said.
  BOOST_CHECK(f.Send(f.Pr("synchronize", kSha1, 120)).job_ids.empty());
  BOOST_CHECK_EQUAL(CommentMessages(f.t.db.get()).size(), 1u);
  // A new head into the existing preview: queued again, for the same comment.
  BOOST_CHECK_EQUAL(f.OnlyJob(f.Send(f.Pr("synchronize", kSha2, 200))).commit, kSha2);
  box = CommentMessages(f.t.db.get());
  BOOST_REQUIRE_EQUAL(box.size(), 2u);
  BOOST_CHECK_EQUAL(box[1].url, box[0].url);
  BOOST_CHECK_NE(box[1].body.find("`pr-7-web`: queued"), std::string::npos);
  BOOST_CHECK_NE(box[1].body.find("Commit `2222222`"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_redelivery_does_nothing_twice) {
  ForgeFixture f;
  ForgeOutcome first = f.Send(f.Pr("opened", kSha1, 100), "abc-1");
  BOOST_CHECK_EQUAL(first.job_ids.size(), 1u);
  ForgeOutcome again = f.Send(f.Pr("opened", kSha1, 100), "abc-1");
  BOOST_CHECK_EQUAL(again.outcome, "duplicate");
  BOOST_CHECK(again.job_ids.empty());
  std::vector<Delivery> ds;
  BOOST_REQUIRE(ListDeliveries(f.t.db.get(), "github", "acme/web", 7, 10, &ds).ok());
  BOOST_REQUIRE_EQUAL(ds.size(), 1u);
  BOOST_CHECK_EQUAL(ds[0].outcome, "accepted");
  BOOST_CHECK(ds[0].verified);
}

BOOST_AUTO_TEST_CASE(synchronize_deploys_the_new_head_and_older_events_change_nothing) {
  ForgeFixture f;
  f.Send(f.Pr("opened", kSha1, 100));
  ForgeOutcome sync = f.Send(f.Pr("synchronize", kSha2, 200));
  BOOST_CHECK_EQUAL(f.OnlyJob(sync).commit, kSha2);
  // A late delivery of an event from before the push.
  ForgeOutcome late = f.Send(f.Pr("synchronize", kSha1, 150));
  BOOST_CHECK_EQUAL(late.outcome, "ignored");
  BOOST_CHECK(late.job_ids.empty());
  BOOST_CHECK_EQUAL(f.Pr7().head_sha, kSha2);
  // The same head again (an edit): nothing new to deploy once it runs.
  BOOST_REQUIRE(SetPreviewDeployed(f.t.db.get(), "pr-7-web", kSha2).ok());
  ForgeOutcome same = f.Send(f.Pr("synchronize", kSha2, 210));
  BOOST_CHECK(same.job_ids.empty());
}

BOOST_AUTO_TEST_CASE(close_and_merge_destroy_and_reopen_rebuilds) {
  ForgeFixture f;
  f.Send(f.Pr("opened", kSha1, 100));
  ForgeOutcome closed = f.Send(f.Pr("closed", kSha1, 200));
  Job j = f.OnlyJob(closed);
  BOOST_CHECK(j.kind == JobKind::kDestroy);
  BOOST_CHECK_EQUAL(j.sandbox, "pr-7-web");
  BOOST_CHECK_EQUAL(f.Pr7().state, "closed");
  BOOST_CHECK_EQUAL(f.Pr7().sandbox, "pr-7-web");
  // Reopened while the destroy job has not run: refused, nothing queued.
  ForgeEvent early = f.Pr("opened", kSha1, 250);
  early.action = PrAction::kReopened;
  ForgeOutcome refused = f.Send(early);
  BOOST_CHECK_EQUAL(refused.outcome, "refused");
  BOOST_CHECK(refused.job_ids.empty());
  // Once the destroy job ran, the sandbox row is gone; reopen builds it again.
  BOOST_REQUIRE(DeleteSandbox(f.t.db.get(), "pr-7-web").ok());
  ForgeEvent reopen = f.Pr("opened", kSha1, 300);
  reopen.action = PrAction::kReopened;
  ForgeOutcome again = f.Send(reopen);
  BOOST_CHECK_EQUAL(f.OnlyJob(again).commit, kSha1);
  BOOST_CHECK_EQUAL(f.Pr7().state, "open");
  ForgeOutcome merged = f.Send(f.Pr("merged", kSha1, 400));
  BOOST_CHECK(f.OnlyJob(merged).kind == JobKind::kDestroy);
  BOOST_CHECK_EQUAL(f.Pr7().state, "merged");
}

BOOST_AUTO_TEST_CASE(drafts_wait_and_skip_preview_skips) {
  ForgeFixture f;
  ForgeEvent draft = f.Pr("opened", kSha1, 100);
  draft.draft = true;
  ForgeOutcome out = f.Send(draft);
  BOOST_CHECK_EQUAL(out.outcome, "ignored");
  BOOST_CHECK(out.job_ids.empty());
  BOOST_CHECK_NE(out.reason.find("draft"), std::string::npos);
  ForgeOutcome ready = f.Send(f.Pr("ready", kSha1, 200));
  BOOST_CHECK_EQUAL(f.OnlyJob(ready).commit, kSha1);

  ForgeFixture g;
  ForgeEvent skip = g.Pr("opened", kSha1, 100);
  skip.title = "WIP [Skip Preview] refactor";
  out = g.Send(skip);
  BOOST_CHECK(out.job_ids.empty());
  BOOST_CHECK_NE(out.reason.find("skip preview"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_fork_waits_for_approval_of_its_current_head) {
  ForgeFixture f;
  ForgeEvent open = f.Pr("opened", kSha1, 100);
  open.fork = true;
  ForgeOutcome out = f.Send(open);
  BOOST_CHECK(out.job_ids.empty());
  BOOST_CHECK_NE(out.reason.find("fork"), std::string::npos);
  // Someone without write access cannot approve.
  out = f.Send(f.Comment("/approve", false));
  BOOST_CHECK_EQUAL(out.outcome, "refused");
  BOOST_CHECK(out.job_ids.empty());
  out = f.Send(f.Comment("thanks!\n/approve"));
  BOOST_CHECK_EQUAL(f.OnlyJob(out).commit, kSha1);
  BOOST_CHECK_EQUAL(f.Pr7().approved_sha, kSha1);
  // A new push to the fork revokes the approval.
  ForgeEvent sync = f.Pr("synchronize", kSha2, 200);
  sync.fork = true;
  out = f.Send(sync);
  BOOST_CHECK(out.job_ids.empty());
  BOOST_CHECK_NE(out.reason.find("/approve again"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(comment_policy_waits_for_preview_and_destroy_takes_it_down) {
  ForgeFixture f("comment");
  ForgeOutcome out = f.Send(f.Pr("opened", kSha1, 100));
  BOOST_CHECK(out.job_ids.empty());
  out = f.Send(f.Comment("/preview"));
  BOOST_CHECK_EQUAL(f.OnlyJob(out).commit, kSha1);
  out = f.Send(f.Comment("/destroy"));
  BOOST_CHECK(f.OnlyJob(out).kind == JobKind::kDestroy);
  out = f.Send(f.Comment("no command here"));
  BOOST_CHECK_EQUAL(out.outcome, "ignored");
}

BOOST_AUTO_TEST_CASE(why_answers_with_the_last_deliveries) {
  ForgeFixture f;
  ForgeEvent draft = f.Pr("opened", kSha1, 100);
  draft.draft = true;
  f.Send(draft);
  f.Send(f.Pr("ready", kSha1, 200));
  ForgeOutcome out = f.Send(f.Comment("/why"));
  BOOST_CHECK_EQUAL(out.outcome, "accepted");
  BOOST_CHECK(out.job_ids.empty());
  std::vector<OutboxMessage> box = OtherMessages(f.t.db.get());
  BOOST_REQUIRE_EQUAL(box.size(), 1u);
  BOOST_CHECK_EQUAL(box[0].url, "forge:github:reply:acme/web#7");
  const std::string& why = box[0].body;
  BOOST_CHECK_NE(why.find("pull_request.opened | yes | ignored | a draft waits"),
                 std::string::npos);
  BOOST_CHECK_NE(why.find("pull_request.ready | yes | accepted | deploying"), std::string::npos);
  BOOST_CHECK_LT(why.find("pull_request.ready"), why.find("pull_request.opened"));  // newest first
  BOOST_CHECK_EQUAL(why.find("issue_comment"), std::string::npos);  // not the /why itself
  // Not for someone who may not write: they get the refusal, not the table.
  out = f.Send(f.Comment("/why", false));
  BOOST_CHECK_EQUAL(out.outcome, "refused");
  box = OtherMessages(f.t.db.get());
  BOOST_REQUIRE_EQUAL(box.size(), 2u);
  BOOST_CHECK_NE(box[1].body.find("needs write access"), std::string::npos);
  BOOST_CHECK_EQUAL(box[1].body.find("| received"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_command_comment_gets_eyes_and_its_jobs_remember_it) {
  ForgeFixture f("comment");
  f.Send(f.Pr("opened", kSha1, 100));
  ForgeEvent c = f.Comment("/preview");
  c.comment_id = 4242;
  ForgeOutcome out = f.Send(c);
  const Job job = f.OnlyJob(out);
  std::vector<OutboxMessage> box = OtherMessages(f.t.db.get());
  BOOST_REQUIRE_EQUAL(box.size(), 1u);
  BOOST_CHECK_EQUAL(box[0].url, "forge:github:reaction:acme/web#7");
  BOOST_CHECK_EQUAL(json::parse(box[0].body), json({{"comment_id", "4242"}, {"content", "eyes"}}));
  JobComment jc;
  BOOST_REQUIRE(GetJobComment(f.t.db.get(), job.id, &jc).ok());
  BOOST_CHECK_EQUAL(jc.comment_id, "4242");
  BOOST_CHECK_EQUAL(jc.number, 7);
  // Refused once the forge said no write access: 👀 (queued), then the
  // refusal's reply and 😕. No command: no reaction.
  ForgeEvent refused = f.Comment("/preview", false);
  refused.comment_id = 4243;
  f.Send(refused);
  ForgeEvent chat = f.Comment("looks good");
  chat.comment_id = 4244;
  f.Send(chat);
  box = OtherMessages(f.t.db.get());
  BOOST_REQUIRE_EQUAL(box.size(), 4u);
  BOOST_CHECK_EQUAL(json::parse(box[1].body), json({{"comment_id", "4243"}, {"content", "eyes"}}));
  BOOST_CHECK_EQUAL(box[2].url, "forge:github:reply:acme/web#7");
  BOOST_CHECK_EQUAL(json::parse(box[3].body),
                    json({{"comment_id", "4243"}, {"content", "confused"}}));
}

BOOST_AUTO_TEST_CASE(the_comment_says_when_the_preview_is_suspended) {
  PullRequest pr;
  pr.number = 7;
  pr.repo = "web";
  pr.head_sha = kSha1;
  Sandbox sb;
  sb.name = "pr-7-web";
  const std::string text = PreviewComment(pr, &sb, "running", kSha1, "", 1704067200);
  BOOST_CHECK_NE(text.find("Suspended if idle after 2024-01-01 00:00 UTC"), std::string::npos);
  BOOST_CHECK_EQUAL(PreviewComment(pr, &sb, "running", kSha1, "", 0).find("Suspended"),
                    std::string::npos);
  BOOST_CHECK_EQUAL(
      PreviewComment(pr, nullptr, "destroyed", kSha1, "", 1704067200).find("Suspended"),
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_comment_links_the_job_log_when_there_is_a_public_url) {
  PullRequest pr;
  pr.number = 7;
  pr.repo = "web";
  pr.head_sha = kSha1;
  Sandbox sb;
  sb.name = "pr-7-web";
  const std::string url = JobLogUrl("https://sandbot.example.com/", 42);
  BOOST_CHECK_EQUAL(url, "https://sandbot.example.com/ui/jobs/42");
  std::string text = PreviewComment(pr, &sb, "running", kSha1, "", 0, {}, {42, url});
  BOOST_CHECK_NE(text.find("Log: [job 42](https://sandbot.example.com/ui/jobs/42)."),
                 std::string::npos);
  // No public URL: the job is named, and why there is no link.
  text = PreviewComment(pr, &sb, "running", kSha1, "", 0, {}, {42, JobLogUrl("", 42)});
  BOOST_CHECK_NE(text.find("Log: job 42 (no link: sandbot was started without `--public-url`)"),
                 std::string::npos);
  BOOST_CHECK_EQUAL(text.find("/ui/jobs"), std::string::npos);
  BOOST_CHECK_EQUAL(PreviewComment(pr, &sb, "running", kSha1, "").find("Log:"), std::string::npos);
  // Only plain http(s) URLs: nothing that could break out of the link.
  BOOST_CHECK_EQUAL(JobLogUrl("http://127.0.0.1:8080", 7), "http://127.0.0.1:8080/ui/jobs/7");
  for (const char* bad : {"ftp://x", "javascript:alert(1)", "https://x/a)[y](z", "https://a b",
                          "https://x/<img>", "http://", "https://x/`"}) {
    BOOST_CHECK_MESSAGE(JobLogUrl(bad, 7).empty(), bad);
  }
  BOOST_CHECK(JobLogUrl("https://x", 0).empty());
}

BOOST_AUTO_TEST_CASE(the_comment_fences_logs) {
  PullRequest pr;
  pr.number = 7;
  pr.repo = "web";
  pr.head_sha = kSha2;
  const std::string c = PreviewComment(pr, nullptr, "failed", kSha1, "```\n[evil](x)\n```");
  BOOST_CHECK_EQUAL(c.rfind(kPreviewMarker, 0), 0u);
  BOOST_CHECK_NE(c.find("behind the head `2222222`"), std::string::npos);
  // Only the fences sandbot opened and closed.
  size_t fences = 0;
  for (size_t p = 0; (p = c.find("```", p)) != std::string::npos; p += 3) ++fences;
  BOOST_CHECK_EQUAL(fences, 2u);
}

BOOST_AUTO_TEST_CASE(a_template_shapes_the_preview) {
  ForgeFixture f;
  Template t;
  t.name = "QA-DEFAULT";
  t.gateway = "web";
  t.services["web"].branch = "main";
  t.services["api"].route = "baseline";
  t.created_by = "ana";
  BOOST_REQUIRE(CreateTemplate(f.t.db.get(), &t).ok());
  Stmt st(f.t.db.get(), "UPDATE forge_repos SET template = 'QA-DEFAULT' WHERE repo = 'web'");
  BOOST_REQUIRE(st.Run().ok());
  ForgeOutcome out = f.Send(f.Pr("opened", kSha1, 100));
  Job j = f.OnlyJob(out);  // the template's web@main gives way to the PR's head
  BOOST_CHECK_EQUAL(j.commit, kSha1);
  BOOST_CHECK_EQUAL(j.branch, "pull/7");
  Sandbox sb;
  BOOST_REQUIRE(GetSandbox(f.t.db.get(), "pr-7-web", &sb).ok());
  BOOST_CHECK_EQUAL(sb.template_name, "QA-DEFAULT");
  BOOST_CHECK_EQUAL(sb.gateway, "web");
  std::map<std::string, std::string> routes;
  BOOST_REQUIRE(GetRoutes(f.t.db.get(), sb.id, &routes).ok());
  BOOST_CHECK_EQUAL(routes["api"], "baseline");

  // A template that is gone: refused, nothing created.
  ForgeFixture g;
  Stmt gone(g.t.db.get(), "UPDATE forge_repos SET template = 'NOPE' WHERE repo = 'web'");
  BOOST_REQUIRE(gone.Run().ok());
  out = g.Send(g.Pr("opened", kSha1, 100));
  BOOST_CHECK_EQUAL(out.outcome, "refused");
  BOOST_CHECK(!SandboxExists(g.t.db.get(), "pr-7-web"));
}

// The engine of a preview: the forge repo's, else its template's, else
// placed by room at the first job; a drained one refuses the preview.
BOOST_AUTO_TEST_CASE(a_preview_goes_to_the_configured_engine) {
  auto BigTemplate = [](Db* db) {
    Template t;
    t.name = "BIG";
    t.engine = "big";
    t.services["web"].branch = "main";
    t.created_by = "ana";
    BOOST_REQUIRE(CreateTemplate(db, &t).ok());
  };
  auto PreviewEngine = [](ForgeFixture& f) {
    f.OnlyJob(f.Send(f.Pr("opened", kSha1, 100)));
    Sandbox sb;
    BOOST_REQUIRE(GetSandbox(f.t.db.get(), "pr-7-web", &sb).ok());
    return sb.engine;
  };
  {
    ForgeFixture f;
    BOOST_CHECK_EQUAL(PreviewEngine(f), "");
  }
  {
    ForgeFixture f;
    BigTemplate(f.t.db.get());
    Stmt st(f.t.db.get(), "UPDATE forge_repos SET template = 'BIG' WHERE repo = 'web'");
    BOOST_REQUIRE(st.Run().ok());
    BOOST_CHECK_EQUAL(PreviewEngine(f), "big");
  }
  {
    ForgeFixture f;
    BigTemplate(f.t.db.get());
    Stmt st(f.t.db.get(),
            "UPDATE forge_repos SET template = 'BIG', engine = 'edge' WHERE repo = 'web'");
    BOOST_REQUIRE(st.Run().ok());
    ForgeRepo fr;
    BOOST_REQUIRE(GetForgeRepo(f.t.db.get(), "web", &fr).ok());
    BOOST_CHECK_EQUAL(fr.engine, "edge");
    BOOST_CHECK_EQUAL(PreviewEngine(f), "edge");  // the repo's over its template's
  }
  {
    ForgeFixture f;
    Stmt st(f.t.db.get(), "UPDATE forge_repos SET engine = 'edge' WHERE repo = 'web'");
    BOOST_REQUIRE(st.Run().ok());
    BOOST_REQUIRE(SetEngineDrained(f.t.db.get(), "edge", true, "ana").ok());
    ForgeOutcome out = f.Send(f.Pr("opened", kSha1, 100));
    BOOST_CHECK_EQUAL(out.outcome, "refused");
    BOOST_CHECK(out.reason.find("engine 'edge'") != std::string::npos);
    BOOST_CHECK(out.reason.find("drained") != std::string::npos);
    BOOST_CHECK(!SandboxExists(f.t.db.get(), "pr-7-web"));
  }
}

BOOST_AUTO_TEST_CASE(label_policy_follows_the_label) {
  ForgeFixture f("label:preview");
  ForgeOutcome out = f.Send(f.Pr("opened", kSha1, 100));
  BOOST_CHECK(out.job_ids.empty());
  ForgeEvent labeled = f.Pr("labeled", kSha1, 200);
  labeled.labels = {"bug", "preview"};
  out = f.Send(labeled);
  BOOST_CHECK_EQUAL(f.OnlyJob(out).commit, kSha1);
  ForgeEvent unlabeled = f.Pr("unlabeled", kSha1, 300);
  unlabeled.labels = {"bug"};
  out = f.Send(unlabeled);
  BOOST_CHECK(f.OnlyJob(out).kind == JobKind::kDestroy);
}

BOOST_AUTO_TEST_CASE(other_repos_pings_and_pushes) {
  ForgeFixture f;
  ForgeEvent e = f.Pr("opened", kSha1, 100);
  e.repo = "acme/other";
  ForgeOutcome out = f.Send(e);
  BOOST_CHECK_EQUAL(out.outcome, "ignored");
  BOOST_CHECK(out.job_ids.empty());
  ForgeEvent ping;
  ping.kind = ForgeEventKind::kPing;
  ping.name = "ping";
  BOOST_CHECK_EQUAL(f.Send(ping).outcome, "ignored");
  // A push acts as a git push into the repo: a feature branch gets a sandbox.
  ForgeEvent push;
  push.kind = ForgeEventKind::kPush;
  push.name = "push";
  push.repo = "acme/web";
  push.sender = "octo";
  push.ref = "refs/heads/feature/login";
  push.before = std::string(40, '0');
  push.after = kSha2;
  out = f.Send(push);
  Job j = f.OnlyJob(out);
  BOOST_CHECK_EQUAL(j.sandbox, "feature-login");
  BOOST_CHECK_EQUAL(j.commit, kSha2);
}

BOOST_AUTO_TEST_CASE(an_unreadable_delivery_is_recorded_as_refused) {
  ForgeFixture f;
  ForgeDelivery d;
  BOOST_REQUIRE(GetForge(f.t.db.get(), "github", &d.forge).ok());
  d.delivery = "bad-1";
  d.event.name = "pull_request";
  d.unreadable = "the payload is not a JSON object";
  ForgeOutcome out;
  BOOST_REQUIRE(HandleForgeDelivery(f.t.db.get(), d, &out).ok());
  BOOST_CHECK_EQUAL(out.outcome, "refused");
  BOOST_CHECK(out.job_ids.empty());
  Stmt st(f.t.db.get(), "SELECT outcome, reason FROM forge_deliveries WHERE delivery = 'bad-1'");
  BOOST_REQUIRE(st.Step());
  BOOST_CHECK_EQUAL(st.Text(0), "refused");
  BOOST_CHECK_EQUAL(st.Text(1), "the payload is not a JSON object");
}

BOOST_AUTO_TEST_CASE(store_keeps_references_and_refuses_removing_a_used_forge) {
  ForgeFixture f;
  Forge got;
  BOOST_REQUIRE(GetForge(f.t.db.get(), "github", &got).ok());
  BOOST_CHECK_EQUAL(got.secret_ref, "env:GH_SECRET");
  BOOST_CHECK(RemoveForge(f.t.db.get(), "github").code() == Status::Code::kConflict);
  BOOST_CHECK(RemoveForge(f.t.db.get(), "nope").code() == Status::Code::kNotFound);
  BOOST_REQUIRE(RemoveRepo(f.t.db.get(), "web").ok());
  ForgeRepo fr;
  BOOST_CHECK(GetForgeRepo(f.t.db.get(), "web", &fr).code() == Status::Code::kNotFound);
  BOOST_CHECK(RemoveForge(f.t.db.get(), "github").ok());
}

// The mirror fetches a PR head by ref from the forge (here a local path,
// the same libgit2 fetch as over HTTPS), only when the commit is missing.
BOOST_AUTO_TEST_CASE(mirror_fetches_the_pull_request_head) {
  ForgeFixture f;
  const std::string origin = f.t.dir.path() + "/origin.git";
  const std::string work = f.t.dir.path() + "/work";
  auto sh = [](const std::string& cmd) {
    std::string out;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    char buf[256];
    while (p && fgets(buf, sizeof buf, p)) out += buf;
    BOOST_REQUIRE_MESSAGE(p && pclose(p) == 0, cmd + ": " + out);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  };
  const std::string git =
      "git -c user.name=t -c user.email=t@t -c init.defaultBranch=main -c "
      "protocol.file.allow=always ";
  sh(git + "init -q --bare " + origin);
  sh(git + "init -q " + work);
  sh("echo hi > " + work + "/index.html");
  sh(git + "-C " + work + " add index.html");
  sh(git + "-C " + work + " commit -qm one");
  const std::string sha = sh("git -C " + work + " rev-parse HEAD");
  // Only the PR ref has the commit, as for a fork's PR on GitHub.
  sh(git + "-C " + work + " push -q " + origin + " HEAD:refs/pull/7/head");
  BOOST_REQUIRE(GitRepo::InitBare(f.t.dir.path() + "/mirrors/web.git", "main").ok());
  Stmt st(f.t.db.get(), "UPDATE forge_repos SET clone_url = ? WHERE repo = 'web'");
  st.Bind(1, origin);
  BOOST_REQUIRE(st.Run().ok());
  Repo repo;
  BOOST_REQUIRE(GetRepo(f.t.db.get(), "web", &repo).ok());
  setenv("GH_TOKEN", "ghp_test", 1);
  std::vector<std::string> log;
  auto note = [&log](const std::string& line) { log.push_back(line); };
  Status s = EnsureForgeCommit(f.t.db.get(), repo, "pull/7", sha, note);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_CHECK_EQUAL(log.size(), 1u);
  std::unique_ptr<GitRepo> mirror;
  BOOST_REQUIRE(GitRepo::Open(repo.path, &mirror).ok());
  std::string got;
  BOOST_REQUIRE(mirror->ResolveCommit("refs/pull/7/head", &got).ok());
  BOOST_CHECK_EQUAL(got, sha);
  // Present now: no second fetch.
  BOOST_REQUIRE(EnsureForgeCommit(f.t.db.get(), repo, "pull/7", sha, note).ok());
  BOOST_CHECK_EQUAL(log.size(), 1u);
  // A commit the forge does not have.
  s = EnsureForgeCommit(f.t.db.get(), repo, "pull/7", std::string(40, 'e'), note);
  BOOST_CHECK(s.code() == Status::Code::kNotFound);
  for (const auto& line : log) BOOST_CHECK_EQUAL(line.find("ghp_test"), std::string::npos);
  BOOST_CHECK_EQUAL(s.message().find("ghp_test"), std::string::npos);
  unsetenv("GH_TOKEN");
}

// --- Who may command, and the whole grammar in comments ---------------------

BOOST_AUTO_TEST_CASE(permission_answers_per_forge) {
  bool w = false;
  // GitHub: `permission` folds maintain into write; role_name says it too.
  BOOST_REQUIRE(
      ParseForgePermission("github", 200, R"({"permission":"write","role_name":"write"})", &w)
          .ok());
  BOOST_CHECK(w);
  BOOST_REQUIRE(
      ParseForgePermission("github", 200, R"({"permission":"write","role_name":"maintain"})", &w)
          .ok());
  BOOST_CHECK(w);
  BOOST_REQUIRE(
      ParseForgePermission("github", 200, R"({"permission":"admin","role_name":"admin"})", &w)
          .ok());
  BOOST_CHECK(w);
  BOOST_REQUIRE(
      ParseForgePermission("github", 200, R"({"permission":"read","role_name":"triage"})", &w)
          .ok());
  BOOST_CHECK(!w);
  BOOST_REQUIRE(
      ParseForgePermission("github", 200, R"({"permission":"none","role_name":"none"})", &w).ok());
  BOOST_CHECK(!w);
  // Gitea: owner, admin, write.
  BOOST_REQUIRE(ParseForgePermission("gitea", 200, R"({"permission":"owner"})", &w).ok());
  BOOST_CHECK(w);
  BOOST_REQUIRE(
      ParseForgePermission("gitea", 200, R"({"permission":"write","role_name":"write"})", &w).ok());
  BOOST_CHECK(w);
  BOOST_REQUIRE(ParseForgePermission("gitea", 200, R"({"permission":"read"})", &w).ok());
  BOOST_CHECK(!w);
  // GitLab: Developer (30) and up, an active member.
  BOOST_REQUIRE(
      ParseForgePermission("gitlab", 200, R"({"access_level":30,"state":"active"})", &w).ok());
  BOOST_CHECK(w);
  BOOST_REQUIRE(ParseForgePermission("gitlab", 200, R"({"access_level":50})", &w).ok());
  BOOST_CHECK(w);
  BOOST_REQUIRE(
      ParseForgePermission("gitlab", 200, R"({"access_level":20,"state":"active"})", &w).ok());
  BOOST_CHECK(!w);
  BOOST_REQUIRE(
      ParseForgePermission("gitlab", 200, R"({"access_level":40,"state":"blocked"})", &w).ok());
  BOOST_CHECK(!w);
  // Not a collaborator or member: a definite no.
  w = true;
  BOOST_REQUIRE(ParseForgePermission("gitlab", 404, R"({"message":"404 Not found"})", &w).ok());
  BOOST_CHECK(!w);
  // Anything else is no answer: never taken for a yes (nor a no).
  for (const char* kind : {"github", "gitea", "gitlab"}) {
    BOOST_CHECK(!ParseForgePermission(kind, 500, "oops", &w).ok());
    BOOST_CHECK(!ParseForgePermission(kind, 401, R"({"message":"Bad credentials"})", &w).ok());
    BOOST_CHECK(!ParseForgePermission(kind, 200, "<html>", &w).ok());
    BOOST_CHECK(!ParseForgePermission(kind, 200, "{}", &w).ok());
  }
}

BOOST_AUTO_TEST_CASE(a_forge_that_cannot_be_asked_refuses) {
  Forge f{"gh", "github", "http://127.0.0.1:1", "env:SANDBOT_TEST_NO_SUCH_TOKEN", "env:X", ""};
  bool w = true;
  Status s = AskForgePermission(f, "acme/web", "octo", 0, &w);
  BOOST_CHECK(!s.ok());
  Forge lab{"lab", "gitlab", "http://127.0.0.1:1", "", "env:X", ""};
  s = AskForgePermission(lab, "acme/web", "octo", 0, &w);  // a note without the user's id
  BOOST_CHECK(!s.ok());
}

BOOST_AUTO_TEST_CASE(comment_commands_are_scoped_to_the_preview) {
  const std::string sb = "pr-7-web";
  Command c;
  BOOST_REQUIRE(ScopeForgeCommand("route payment baseline", sb, false, &c).ok());
  BOOST_CHECK_EQUAL(c.family, "route");
  BOOST_CHECK_EQUAL(c.service, "payment");
  BOOST_CHECK_EQUAL(c.route, "baseline");
  BOOST_CHECK_EQUAL(c.sandbox, sb);
  c = Command{};
  BOOST_REQUIRE(ScopeForgeCommand("sandbox status", sb, false, &c).ok());
  BOOST_CHECK_EQUAL(c.verb, "status");
  BOOST_CHECK_EQUAL(c.sandbox, sb);
  c = Command{};
  BOOST_REQUIRE(ScopeForgeCommand("sandbox destroy", sb, false, &c).ok());
  BOOST_CHECK_EQUAL(c.sandbox, sb);
  c = Command{};
  BOOST_REQUIRE(ScopeForgeCommand("sandbox logs web 20", sb, false, &c).ok());
  BOOST_CHECK_EQUAL(c.sandbox, sb);
  BOOST_CHECK_EQUAL(c.service, "web");
  BOOST_CHECK_EQUAL(c.lines, 20);
  c = Command{};
  BOOST_REQUIRE(ScopeForgeCommand("sandbox snapshot before-fix", sb, false, &c).ok());
  BOOST_CHECK_EQUAL(c.sandbox, sb);
  BOOST_CHECK_EQUAL(c.name, "before-fix");
  c = Command{};
  BOOST_REQUIRE(ScopeForgeCommand("deploy api main", sb, false, &c).ok());
  BOOST_CHECK_EQUAL(c.sandbox, sb);
  c = Command{};
  BOOST_REQUIRE(ScopeForgeCommand("env attach creds", sb, false, &c).ok());
  BOOST_CHECK_EQUAL(c.sandbox, sb);
  BOOST_CHECK_EQUAL(c.name, "creds");
  c = Command{};
  BOOST_REQUIRE(ScopeForgeCommand("baseline list", sb, false, &c).ok());
  c = Command{};
  BOOST_REQUIRE(ScopeForgeCommand("route help", sb, false, &c).ok());
  BOOST_CHECK_EQUAL(c.verb, "help");

  // Beyond the preview: refused with the reason.
  for (const char* line :
       {"sandbox status qa-login", "sandbox destroy qa-login", "route payment baseline in qa-login",
        "deploy api main to qa-login", "sandbox create x", "sandbox list", "sandbox use pr-7-web",
        "sandbox clone pr-7-web copy", "env set creds KEY=v", "env delete creds",
        "template delete qa", "baseline set payment http://pay.example"}) {
    c = Command{};
    Status s = ScopeForgeCommand(line, sb, false, &c);
    BOOST_CHECK_MESSAGE(s.code() == Status::Code::kForbidden, line << ": " << s.ToString());
  }
  // A fork's preview gets no environments.
  c = Command{};
  BOOST_CHECK(ScopeForgeCommand("env attach creds", sb, true, &c).code() ==
              Status::Code::kForbidden);
  // Not a command family: the help; a bad one: its usage.
  c = Command{};
  BOOST_CHECK(ScopeForgeCommand("lgtm", sb, false, &c).IsNotFound());
  c = Command{};
  Status s = ScopeForgeCommand("route payment", sb, false, &c);
  BOOST_CHECK(s.code() == Status::Code::kInvalidArgument);
  BOOST_CHECK(ForgeCommenterRole(ForgeCommentRun{}) == Role::kDeployer);
}

namespace {

std::vector<OutboxMessage> Replies(Db* db) {
  std::vector<OutboxMessage> box, out;
  BOOST_REQUIRE(ListOutbox(db, &box).ok());
  for (const auto& m : box) {
    if (m.url.find(":reply:") != std::string::npos) out.push_back(m);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(commands_wait_for_the_forge_and_a_failed_check_refuses) {
  ForgeFixture f("comment");
  f.Send(f.Pr("opened", kSha1, 100));
  // The webhook only queues the comment: no HTTP on its way.
  ForgeDelivery d;
  BOOST_REQUIRE(GetForge(f.t.db.get(), "github", &d.forge).ok());
  d.delivery = "c-1";
  d.event = f.Comment("/preview");
  ForgeOutcome queued;
  BOOST_REQUIRE(HandleForgeDelivery(f.t.db.get(), d, &queued).ok());
  BOOST_CHECK(queued.comment_queued);
  BOOST_CHECK(queued.job_ids.empty());
  std::vector<ForgeCommentJob> jobs;
  BOOST_REQUIRE(ListForgeComments(f.t.db.get(), 10, &jobs).ok());
  BOOST_REQUIRE_EQUAL(jobs.size(), 1u);
  ForgeEvent back;
  BOOST_REQUIRE(ParseForgeCommentEventJson(jobs[0].event, &back).ok());
  BOOST_CHECK_EQUAL(back.comment, "/preview");
  BOOST_CHECK_EQUAL(back.sender, "maintainer");
  BOOST_REQUIRE(DeleteForgeComment(f.t.db.get(), jobs[0].id).ok());

  // The forge answered 500: refused with a reply, nothing deployed.
  f.permission = Status::Unavailable("the forge answered HTTP 500");
  ForgeOutcome out = f.Send(f.Comment("/preview"));
  BOOST_CHECK_EQUAL(out.outcome, "refused");
  BOOST_CHECK(out.job_ids.empty());
  BOOST_CHECK(!SandboxExists(f.t.db.get(), "pr-7-web"));
  auto replies = Replies(f.t.db.get());
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_CHECK_NE(replies[0].body.find("could not check @maintainer's permission on the forge: "
                                      "the forge answered HTTP 500"),
                 std::string::npos);
  BOOST_CHECK_NE(replies[0].body.find("try again"), std::string::npos);
  std::vector<Delivery> ds;
  BOOST_REQUIRE(ListDeliveries(f.t.db.get(), "github", "acme/web", 7, 1, &ds).ok());
  BOOST_CHECK_EQUAL(ds[0].outcome, "refused");

  // The forge says no write access: refused with a reply.
  f.permission = Status::Ok();
  out = f.Send(f.Comment("/preview", false));
  BOOST_CHECK_EQUAL(out.outcome, "refused");
  BOOST_CHECK(out.job_ids.empty());
  BOOST_CHECK_EQUAL(Replies(f.t.db.get()).size(), 2u);

  // The permission is kept a few minutes per (forge, repo, login).
  bool found = false, w = false;
  BOOST_REQUIRE(SaveForgePermission(f.t.db.get(), "github", "acme/web", "maintainer", true).ok());
  BOOST_REQUIRE(
      GetForgePermission(f.t.db.get(), "github", "ACME/web", "maintainer", 60000, &found, &w).ok());
  BOOST_CHECK(found && w);
  BOOST_REQUIRE(
      GetForgePermission(f.t.db.get(), "github", "acme/web", "other", 60000, &found, &w).ok());
  BOOST_CHECK(!found);
  BOOST_REQUIRE(
      GetForgePermission(f.t.db.get(), "github", "acme/web", "maintainer", -1000, &found, &w).ok());
  BOOST_CHECK(!found);  // too old

  // With write access: the preview.
  out = f.Send(f.Comment("/preview"));
  BOOST_CHECK_EQUAL(f.OnlyJob(out).commit, kSha1);
}

BOOST_AUTO_TEST_CASE(a_granted_role_applies_to_a_forge_user) {
  ForgeFixture f("comment");
  f.Send(f.Pr("opened", kSha1, 100));
  f.role_granted = true;
  f.granted = Role::kViewer;
  ForgeOutcome out = f.Send(f.Comment("/preview"));
  BOOST_CHECK_EQUAL(out.outcome, "refused");
  BOOST_CHECK(out.job_ids.empty());
  BOOST_CHECK_NE(
      Replies(f.t.db.get()).back().body.find("needs the deployer role; you are a viewer"),
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(route_and_status_in_a_comment_act_on_the_preview) {
  ForgeFixture f("comment");
  BOOST_REQUIRE(SetBaseline(f.t.db.get(), "payment", "http://payment.baseline:8080", "ops").ok());
  BOOST_REQUIRE(SetBaseline(f.t.db.get(), "api", "http://api.baseline:8080", "ops").ok());
  f.Send(f.Pr("opened", kSha1, 100));
  // /preview api=baseline: the route is set when the preview is made.
  ForgeOutcome out = f.Send(f.Comment("/preview api=baseline"));
  BOOST_CHECK_EQUAL(out.outcome, "accepted");
  Sandbox sb;
  BOOST_REQUIRE(GetSandbox(f.t.db.get(), "pr-7-web", &sb).ok());
  std::map<std::string, std::string> routes;
  BOOST_REQUIRE(GetRoutes(f.t.db.get(), sb.id, &routes).ok());
  BOOST_CHECK_EQUAL(routes["api"], "baseline");

  out = f.Send(f.Comment("Looks good.\n/route payment baseline\n/sandbox status"));
  BOOST_CHECK_EQUAL(out.outcome, "accepted");
  routes.clear();
  BOOST_REQUIRE(GetRoutes(f.t.db.get(), sb.id, &routes).ok());
  BOOST_CHECK_EQUAL(routes["payment"], "baseline");
  auto replies = Replies(f.t.db.get());
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_CHECK_EQUAL(replies[0].url, "forge:github:reply:acme/web#7");
  BOOST_CHECK_NE(replies[0].body.find("> /route payment baseline"), std::string::npos);
  BOOST_CHECK_NE(replies[0].body.find("> /sandbox status"), std::string::npos);
  BOOST_CHECK_NE(replies[0].body.find("pr-7-web"), std::string::npos);

  // The audit names the door.
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.t.db.get(), "pr-7-web", 50, &rows).ok());
  bool routed = false;
  for (const auto& r : rows) {
    if (r.action == "route.set") {
      routed = true;
      BOOST_CHECK_EQUAL(r.source, "forge:github");
      BOOST_CHECK_EQUAL(r.actor, "forge:github/maintainer");
    }
  }
  BOOST_CHECK(routed);

  // The preview comment shows the route table.
  PullRequest pr = f.Pr7();
  BOOST_REQUIRE(GetSandbox(f.t.db.get(), "pr-7-web", &sb).ok());
  const std::string c = PreviewComment(pr, &sb, "running", kSha1, "", 0, routes);
  BOOST_CHECK_NE(c.find("| route |"), std::string::npos);
  BOOST_CHECK_NE(c.find("| payment | | | baseline |"), std::string::npos);
  BOOST_CHECK_MESSAGE(c.find("| web | `` | queued | sandbox |") != std::string::npos, c);

  // Beyond the preview: refused, nothing changed.
  out = f.Send(f.Comment("/sandbox destroy qa-login"));
  BOOST_CHECK_EQUAL(out.outcome, "refused");
  BOOST_CHECK(out.job_ids.empty());
}

BOOST_AUTO_TEST_CASE(unknown_commands_get_the_help_once_per_pr) {
  ForgeFixture f;
  f.Send(f.Pr("opened", kSha1, 100));
  ForgeOutcome out = f.Send(f.Comment("/lgtm"));
  BOOST_CHECK_EQUAL(out.outcome, "ignored");
  auto replies = Replies(f.t.db.get());
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_CHECK_NE(replies[0].body.find("/preview"), std::string::npos);
  BOOST_CHECK_NE(replies[0].body.find("once per pull request"), std::string::npos);
  out = f.Send(f.Comment("/assign me\n/lgtm"));
  BOOST_CHECK_EQUAL(out.outcome, "ignored");
  BOOST_CHECK_EQUAL(Replies(f.t.db.get()).size(), 1u);  // not again
}

// The worker: a fresh answer in the store is used without asking; a login
// the forge must be asked about, on a forge that does not answer, is refused.
BOOST_AUTO_TEST_CASE(the_worker_uses_a_kept_answer_and_refuses_when_it_cannot_ask) {
  ForgeFixture f("comment");
  // The forge's API is a port nobody listens on.
  setenv("SANDBOT_TEST_FORGE_TOKEN", "t0ken", 1);
  BOOST_REQUIRE(f.t.db
                    ->Exec("UPDATE forges SET api_url = 'http://127.0.0.1:1', token_ref = "
                           "'env:SANDBOT_TEST_FORGE_TOKEN'")
                    .ok());
  f.Send(f.Pr("opened", kSha1, 100));
  BOOST_REQUIRE(SaveForgePermission(f.t.db.get(), "github", "acme/web", "maintainer", true).ok());
  auto queue = [&f](const std::string& login, const std::string& body) {
    f.QueueComment(login, body);
  };
  queue("maintainer", "/preview");
  queue("stranger", "/preview");
  queue("watcher", "/why");
  HandlerContext hc{f.t.db.get(), nullptr, nullptr};
  const std::map<std::string, Role> roles = {{"forge:github/watcher", Role::kViewer}};
  BOOST_REQUIRE(SaveForgePermission(f.t.db.get(), "github", "acme/web", "watcher", true).ok());
  int ran = 0;
  bool jobs = false;
  BOOST_REQUIRE(RunForgeComments(hc, roles, &ran, &jobs).ok());
  BOOST_CHECK_EQUAL(ran, 3);
  BOOST_CHECK(jobs);
  BOOST_CHECK(SandboxExists(f.t.db.get(), "pr-7-web"));  // the maintainer's, from the kept answer
  std::vector<ForgeCommentJob> left;
  BOOST_REQUIRE(ListForgeComments(f.t.db.get(), 10, &left).ok());
  BOOST_CHECK(left.empty());
  auto replies = Replies(f.t.db.get());
  BOOST_REQUIRE_EQUAL(replies.size(), 2u);
  BOOST_CHECK_NE(replies[0].body.find("could not check @stranger's permission on the forge"),
                 std::string::npos);
  BOOST_CHECK_NE(replies[0].body.find("cannot reach http://127.0.0.1:1"), std::string::npos);
  BOOST_CHECK_EQUAL(replies[0].body.find("t0ken"), std::string::npos);
  unsetenv("SANDBOT_TEST_FORGE_TOKEN");
  // A granted viewer may still ask /why.
  BOOST_CHECK_NE(replies[1].body.find("the last deliveries for #7"), std::string::npos);
}

// The sweep saw the PR open before its webhook came: the webhook finds the
// same head's deploy under way and queues no second one (which would only
// replace the container the first is starting).
BOOST_AUTO_TEST_CASE(a_deploy_of_the_same_head_under_way_is_not_queued_twice) {
  ForgeFixture f;
  ForgeOutcome first = f.Send(f.Pr("opened", kSha1, 100));
  BOOST_CHECK_EQUAL(first.outcome, "accepted");
  BOOST_REQUIRE_EQUAL(first.job_ids.size(), 1u);
  ForgeOutcome again = f.Send(f.Pr("opened", kSha1, 101));  // another delivery
  BOOST_CHECK_EQUAL(again.outcome, "ignored");
  BOOST_CHECK_NE(again.reason.find("already under way (job " + std::to_string(first.job_ids[0])),
                 std::string::npos);
  BOOST_CHECK(again.job_ids.empty());
  // A new head is deployed, under way or not.
  ForgeOutcome next = f.Send(f.Pr("synchronize", kSha2, 102));
  BOOST_CHECK_EQUAL(next.outcome, "accepted");
  BOOST_CHECK_EQUAL(next.job_ids.size(), 1u);
}

// A forge without a token cannot be asked who may write: a role granted to
// forge:NAME/LOGIN decides alone, and everyone else is told how to fix it.
BOOST_AUTO_TEST_CASE(without_a_token_only_granted_roles_command) {
  ForgeFixture f("comment");
  BOOST_REQUIRE(f.t.db->Exec("UPDATE forges SET token_ref = ''").ok());
  f.Send(f.Pr("opened", kSha1, 100));
  auto queue = [&f](const std::string& login, const std::string& body) {
    f.QueueComment(login, body);
  };
  queue("stranger", "/preview");
  queue("watcher", "/preview\n/why");
  queue("dev", "/preview");
  HandlerContext hc{f.t.db.get(), nullptr, nullptr};
  const std::map<std::string, Role> roles = {{"forge:github/watcher", Role::kViewer},
                                             {"forge:github/dev", Role::kDeployer}};
  int ran = 0;
  bool jobs = false;
  BOOST_REQUIRE(RunForgeComments(hc, roles, &ran, &jobs).ok());
  BOOST_CHECK_EQUAL(ran, 3);
  BOOST_CHECK(jobs);
  // Only the granted deployer's /preview made one.
  BOOST_CHECK(SandboxExists(f.t.db.get(), "pr-7-web"));
  auto replies = Replies(f.t.db.get());
  BOOST_REQUIRE_EQUAL(replies.size(), 3u);  // the refusal, /why's answer, the viewer's refusal
  const std::string& refused = replies[0].body;
  BOOST_CHECK_NE(refused.find("forge github has no API token"), std::string::npos);
  BOOST_CHECK_NE(refused.find("\"forge:github/stranger\": \"deployer\""), std::string::npos);
  BOOST_CHECK_NE(refused.find("--token-env"), std::string::npos);
  // The granted viewer: no /preview, but /why.
  BOOST_CHECK_NE(replies[1].body.find("the last deliveries for #7"), std::string::npos);
  BOOST_CHECK_NE(replies[2].body.find("needs the deployer role; you are a viewer"),
                 std::string::npos);
  std::vector<Delivery> ds;
  BOOST_REQUIRE(ListDeliveries(f.t.db.get(), "github", "acme/web", 7, 20, &ds).ok());
  int refusals = 0;
  for (const Delivery& d : ds)
    refusals += d.outcome == "refused" && d.delivery.find("stranger") != std::string::npos;
  BOOST_CHECK_EQUAL(refusals, 1);
}

// A run that fails midway is rolled back whole and the comment stays queued
// (a crash is the same: nothing committed); after kMaxForgeCommentAttempts
// runs it is given up, its delivery "failed".
BOOST_AUTO_TEST_CASE(a_comment_run_that_fails_midway_is_undone_and_retried_then_given_up) {
  ForgeFixture f("comment");
  f.Send(f.Pr("opened", kSha1, 100));
  BOOST_REQUIRE(SaveForgePermission(f.t.db.get(), "github", "acme/web", "maintainer", true).ok());
  ForgeDelivery d;
  BOOST_REQUIRE(GetForge(f.t.db.get(), "github", &d.forge).ok());
  d.delivery = "midway";
  d.event = f.Comment("/preview\n/lgtm");  // /lgtm marks the help given: made to fail below
  ForgeOutcome queued;
  BOOST_REQUIRE(HandleForgeDelivery(f.t.db.get(), d, &queued).ok());
  BOOST_REQUIRE(queued.comment_queued);
  BOOST_REQUIRE(f.t.db->Exec("ALTER TABLE forge_help_given RENAME TO help_away").ok());
  HandlerContext hc{f.t.db.get(), nullptr, nullptr};
  for (int run = 1; run <= kMaxForgeCommentAttempts; ++run) {
    int ran = 0;
    bool jobs = false;
    BOOST_REQUIRE(RunForgeComments(hc, {}, &ran, &jobs).ok());
    BOOST_CHECK_EQUAL(ran, 0);
    // The /preview before the failing line left nothing behind.
    BOOST_CHECK(!SandboxExists(f.t.db.get(), "pr-7-web"));
    BOOST_CHECK(Replies(f.t.db.get()).empty());
    std::vector<ForgeCommentJob> left;
    BOOST_REQUIRE(ListForgeComments(f.t.db.get(), 10, &left).ok());
    BOOST_REQUIRE_EQUAL(left.size(), 1u);
    BOOST_CHECK_EQUAL(left[0].attempts, run);
  }
  int ran = 0;
  bool jobs = false;
  BOOST_REQUIRE(RunForgeComments(hc, {}, &ran, &jobs).ok());
  std::vector<ForgeCommentJob> left;
  BOOST_REQUIRE(ListForgeComments(f.t.db.get(), 10, &left).ok());
  BOOST_CHECK(left.empty());
  std::vector<Delivery> ds;
  BOOST_REQUIRE(ListDeliveries(f.t.db.get(), "github", "acme/web", 7, 20, &ds).ok());
  bool failed = false;
  for (const Delivery& x : ds) failed = failed || (x.delivery == "midway" && x.outcome == "failed");
  BOOST_CHECK(failed);

  // Once the store works again, a comment runs once and leaves the queue.
  BOOST_REQUIRE(f.t.db->Exec("ALTER TABLE help_away RENAME TO forge_help_given").ok());
  d.delivery = "midway-2";
  BOOST_REQUIRE(HandleForgeDelivery(f.t.db.get(), d, &queued).ok());
  BOOST_REQUIRE(RunForgeComments(hc, {}, &ran, &jobs).ok());
  BOOST_CHECK_EQUAL(ran, 1);
  BOOST_CHECK(SandboxExists(f.t.db.get(), "pr-7-web"));
  BOOST_REQUIRE(ListForgeComments(f.t.db.get(), 10, &left).ok());
  BOOST_CHECK(left.empty());
}

// Sandbot's answers quote usage lines ("/route SERVICE …"): read back from
// the forge's webhook they must command nothing, or it would answer itself.
BOOST_AUTO_TEST_CASE(fenced_lines_and_sandbots_own_comments_command_nothing) {
  const auto cmds = CommentCommands("/preview\n```\n/destroy\n```\n/why");
  BOOST_REQUIRE_EQUAL(cmds.size(), 2u);
  BOOST_CHECK_EQUAL(cmds[0], "preview");
  BOOST_CHECK_EQUAL(cmds[1], "why");
  ForgeFixture f;
  f.Send(f.Pr("opened", kSha1, 100));
  ForgeOutcome out = f.Send(f.Comment("**sandbot**, for @x:\n\n/route web sandbox"));
  BOOST_CHECK_EQUAL(out.outcome, "ignored");
  BOOST_CHECK(!out.comment_queued);
  out = f.Send(f.Comment("/route payment"));  // a usage error, answered in a fence
  auto replies = Replies(f.t.db.get());
  BOOST_REQUIRE_EQUAL(replies.size(), 1u);
  BOOST_CHECK_EQUAL(CommentCommands(replies[0].body).size(), 0u);
}

// ParseForgeEvent reads only the members it needs (simdjson): over every
// fixture, under every event header, and over bodies that simdjson refuses
// or where the pruning could matter, it must mean what the whole nlohmann
// DOM meant.
BOOST_AUTO_TEST_CASE(the_fast_parser_reads_every_fixture_as_the_dom_did) {
  const std::pair<const char*, const char*> headers[] = {
      {"github", "pull_request"}, {"github", "issue_comment"},
      {"github", "push"},         {"github", "ping"},
      {"gitea", "pull_request"},  {"gitea", "issue_comment"},
      {"gitea", "push"},          {"gitlab", "Merge Request Hook"},
      {"gitlab", "Note Hook"},    {"gitlab", "Push Hook"},
      {"github", "star"},         {"bitbucket", "push"}};
  std::vector<std::string> bodies;
  int files = 0;
  for (const char* forge : {"github", "gitea", "gitlab"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string("tests/fixtures/forges/") + forge)) {
      if (entry.path().extension() != ".json") continue;
      bodies.push_back(Fixture(std::string(forge) + "/" + entry.path().filename().string()));
      ++files;
    }
  }
  BOOST_CHECK_GE(files, 29);
  json changed = json::parse(Fixture("github/pull_request.opened.json"));
  changed["pull_request"]["labels"] = {{{"name", "a"}}, 7, {{"name", 8}}, {{"title", "t"}}};
  changed["pull_request"]["number"] = -0.0;
  changed["pull_request"]["draft"] = "yes";
  changed["sender"] = json::array({"login"});
  bodies.push_back(changed.dump());
  changed["pull_request"]["number"] = 18446744073709551615ull;  // beyond int64
  bodies.push_back(changed.dump());
  json gitlab = json::parse(Fixture("gitlab/merge_request.update.no_oldrev.json"));
  gitlab["changes"] = {{"draft", {{"previous", true}}}, {"labels", 1}};
  bodies.push_back(gitlab.dump());
  const std::string opened = Fixture("github/pull_request.opened.json");
  bodies.push_back("\xEF\xBB\xBF" + opened);              // a byte-order mark
  bodies.push_back(opened.substr(0, opened.size() / 2));  // cut short
  bodies.push_back(R"({"action":"opened","action":"closed","number":1e999})");
  bodies.push_back(R"({"action":"x","number":123456789012345678901234567890})");
  bodies.push_back(R"({"action":"a","action":"b","pull_request":{"number":3},"pull_request":7})");
  bodies.push_back(R"({"comment":{"body":"\ud83d\ude80 \u0000 /preview"},"action":"created",)"
                   R"("issue":{"number":4,"pull_request":{"url":"x"}}})");
  bodies.push_back(R"({"comment":{"body":"\udc00"}})");  // a lone low surrogate
  bodies.push_back("[1,2]");
  bodies.push_back("");
  bodies.push_back(std::string(2000, '[') + std::string(2000, ']'));
  for (const std::string& body : bodies) {
    for (const auto& [kind, event] : headers) {
      ForgeEvent fast, dom;
      const Status a = ParseForgeEvent(kind, event, body, &fast);
      const Status b = ParseForgeEventDom(kind, event, body, &dom);
      const std::string what = std::string(kind) + " " + event + " " + body.substr(0, 80);
      BOOST_CHECK_MESSAGE(a.ToString() == b.ToString(),
                          what << ": " << a.ToString() << " vs " << b.ToString());
      BOOST_CHECK_MESSAGE(SameEvent(fast, dom), what);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
