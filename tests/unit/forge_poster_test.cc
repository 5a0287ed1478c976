#define BOOST_TEST_DYN_LINK
#include "bot/forge_poster.h"

#include <httplib.h>
#include <stdlib.h>

#include <boost/test/unit_test.hpp>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bot/event_hub.h"
#include "bot/forge_sweep.h"
#include "bot/outbox_sender.h"
#include "handlers/forge_pr.h"
#include "store/forges.h"
#include "store/jobs.h"
#include "store/outbox.h"
#include "store/repos.h"
#include "tests/unit/forge_fixture.h"

using namespace sandbot;
using nlohmann::json;

namespace {

struct Call {
  std::string method, path, body;
};

// A forge API on loopback: records every call and answers as `answer` says
// (default 200 {}, 201 {"id": N} for POSTs).
class FakeApi {
 public:
  using Answer = std::function<bool(const httplib::Request&, httplib::Response&)>;
  FakeApi() {
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      calls_.push_back({req.method, req.target, req.body});  // as sent, still encoded
      if (answer_ && answer_(req, res)) return;
      res.status = req.method == "POST" ? 201 : 200;
      res.set_content(json{{"id", next_id_++}}.dump(), "application/json");
    };
    server_.Get(".*", handle);
    server_.Post(".*", handle);
    server_.Patch(".*", handle);
    server_.Put(".*", handle);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeApi() {
    server_.stop();
    thread_.join();
  }
  std::string url(const std::string& prefix = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + prefix;
  }
  std::vector<Call> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Call> out;
    out.swap(calls_);
    return out;
  }
  void SetAnswer(Answer a) {
    std::lock_guard<std::mutex> lock(mu_);
    answer_ = std::move(a);
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<Call> calls_;
  Answer answer_;
  int64_t next_id_ = 100;
};

// A forge of `kind` whose API is `api`, acme/web cloned from it.
Forge PosterForge(const std::string& kind, const FakeApi& api) {
  // A token of its own: the daemon-wide rate budget (bot/forge_budget.h)
  // keys on it, so no fixture inherits another's wait.
  static int fixtures = 0;
  const std::string var = "FORGE_POSTER_TEST_TOKEN_" + std::to_string(++fixtures);
  setenv(var.c_str(), ("tok-" + std::to_string(fixtures)).c_str(), 1);
  const std::string prefix = kind == "gitea" ? "/api/v1" : kind == "gitlab" ? "/api/v4" : "";
  return Forge{"f", kind, api.url(prefix), "env:" + var, "env:NONE", "ana"};
}

struct PosterFixture {
  FakeApi api;  // before the store: the forge's URL is its own
  ForgeStore store;
  TestStore& t;
  explicit PosterFixture(const std::string& kind, const std::string& previews = "auto")
      : store(PosterForge(kind, api), previews, api.url("/acme/web.git")), t(store.t) {}
  ForgeSendResult Send(const std::string& url, const std::string& body) {
    OutboxMessage m;
    m.url = url;
    m.body = body;
    return SendForgeMessage(t.db.get(), m);
  }
  ForgeSendResult Deploy(const std::string& state, const std::string& sha,
                         const std::string& url = "") {
    json b = {{"state", state}, {"sha", sha}};
    if (!url.empty()) b["environment_url"] = url;
    return Send(ForgeDeploymentKey("f", "acme/web", 7), b.dump());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(forge_poster)

BOOST_AUTO_TEST_CASE(reactions_per_forge) {
  for (const std::string kind : {"github", "gitea", "gitlab"}) {
    PosterFixture f(kind);
    ForgeSendResult r = f.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "eyes"));
    BOOST_CHECK_MESSAGE(r.ok, kind + ": " + r.error);
    std::vector<Call> calls = f.api.Take();
    BOOST_REQUIRE_EQUAL(calls.size(), 1u);
    BOOST_CHECK_EQUAL(calls[0].method, "POST");
    if (kind == "gitlab") {
      BOOST_CHECK_EQUAL(calls[0].path,
                        "/api/v4/projects/acme%2Fweb/merge_requests/7/notes/55/award_emoji");
      BOOST_CHECK_EQUAL(json::parse(calls[0].body), json({{"name", "eyes"}}));
    } else {
      BOOST_CHECK_EQUAL(calls[0].path, std::string(kind == "gitea" ? "/api/v1" : "") +
                                           "/repos/acme/web/issues/comments/55/reactions");
      BOOST_CHECK_EQUAL(json::parse(calls[0].body), json({{"content", "eyes"}}));
    }
  }
  // No comment id, nothing sent.
  PosterFixture f("github");
  BOOST_CHECK(!f.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("", "eyes")).ok);
  BOOST_CHECK(f.api.Take().empty());
}

BOOST_AUTO_TEST_CASE(github_deployment_per_sha_with_its_statuses) {
  PosterFixture f("github");
  ForgeSendResult r = f.Deploy("in_progress", kSha1);
  BOOST_REQUIRE_MESSAGE(r.ok, r.error);
  std::vector<Call> calls = f.api.Take();
  BOOST_REQUIRE_EQUAL(calls.size(), 2u);
  BOOST_CHECK_EQUAL(calls[0].path, "/repos/acme/web/deployments");
  json made = json::parse(calls[0].body);
  BOOST_CHECK_EQUAL(made["ref"], kSha1);
  BOOST_CHECK_EQUAL(made["environment"], "pr-7");
  BOOST_CHECK_EQUAL(made["transient_environment"], true);
  BOOST_CHECK_EQUAL(made["auto_merge"], false);
  BOOST_CHECK_EQUAL(made["required_contexts"], json::array());
  BOOST_CHECK_EQUAL(calls[1].path, "/repos/acme/web/deployments/100/statuses");
  BOOST_CHECK_EQUAL(json::parse(calls[1].body)["state"], "in_progress");
  PrDeployment dep;
  BOOST_REQUIRE(GetPrDeployment(f.t.db.get(), "f", "acme/web", 7, &dep).ok());
  BOOST_CHECK_EQUAL(dep.deployment_id, "100");
  BOOST_CHECK_EQUAL(dep.sha, kSha1);

  // The same sha: a status on the same deployment, with the URL.
  BOOST_REQUIRE(f.Deploy("success", kSha1, "http://127.0.0.1:9001").ok);
  calls = f.api.Take();
  BOOST_REQUIRE_EQUAL(calls.size(), 1u);
  BOOST_CHECK_EQUAL(calls[0].path, "/repos/acme/web/deployments/100/statuses");
  json st = json::parse(calls[0].body);
  BOOST_CHECK_EQUAL(st["state"], "success");
  BOOST_CHECK_EQUAL(st["environment_url"], "http://127.0.0.1:9001");

  // A new head: the old deployment goes inactive, a new one is made.
  BOOST_REQUIRE(f.Deploy("failure", kSha2).ok);
  calls = f.api.Take();
  BOOST_REQUIRE_EQUAL(calls.size(), 3u);
  BOOST_CHECK_EQUAL(calls[0].path, "/repos/acme/web/deployments/100/statuses");
  BOOST_CHECK_EQUAL(json::parse(calls[0].body)["state"], "inactive");
  BOOST_CHECK_EQUAL(calls[1].path, "/repos/acme/web/deployments");
  BOOST_CHECK_EQUAL(json::parse(calls[1].body)["ref"], kSha2);
  BOOST_CHECK_EQUAL(calls[2].path, "/repos/acme/web/deployments/104/statuses");
  BOOST_CHECK_EQUAL(json::parse(calls[2].body)["state"], "failure");

  // Destroyed: inactive, on the deployment in the store.
  BOOST_REQUIRE(f.Deploy("inactive", "").ok);
  calls = f.api.Take();
  BOOST_REQUIRE_EQUAL(calls.size(), 1u);
  BOOST_CHECK_EQUAL(calls[0].path, "/repos/acme/web/deployments/104/statuses");
  BOOST_CHECK_EQUAL(json::parse(calls[0].body)["state"], "inactive");

  // A failed creation records nothing: the retry makes it.
  PosterFixture g("github");
  g.api.SetAnswer([](const httplib::Request& req, httplib::Response& res) {
    if (req.path != "/repos/acme/web/deployments") return false;
    res.status = 502;
    return true;
  });
  r = g.Deploy("in_progress", kSha1);
  BOOST_CHECK(!r.ok);
  BOOST_CHECK(r.retry);
  BOOST_REQUIRE(GetPrDeployment(g.t.db.get(), "f", "acme/web", 7, &dep).ok());
  BOOST_CHECK(dep.deployment_id.empty());
}

BOOST_AUTO_TEST_CASE(gitlab_environment_per_mr_and_gitea_has_none) {
  PosterFixture f("gitlab");
  f.api.SetAnswer([](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET") return false;
    res.set_content("[]", "application/json");  // no environment yet
    return true;
  });
  BOOST_REQUIRE(f.Deploy("in_progress", kSha1).ok);
  BOOST_CHECK(f.api.Take().empty());  // GitLab's environment waits for its URL
  ForgeSendResult r = f.Deploy("success", kSha1, "http://127.0.0.1:9001");
  BOOST_REQUIRE_MESSAGE(r.ok, r.error);
  std::vector<Call> calls = f.api.Take();
  BOOST_REQUIRE_EQUAL(calls.size(), 2u);
  BOOST_CHECK_EQUAL(calls[0].method, "GET");
  BOOST_CHECK_EQUAL(calls[0].path, "/api/v4/projects/acme%2Fweb/environments?name=pr-7");
  BOOST_CHECK_EQUAL(calls[1].path, "/api/v4/projects/acme%2Fweb/environments");
  json made = json::parse(calls[1].body);
  BOOST_CHECK_EQUAL(made["name"], "pr-7");
  BOOST_CHECK_EQUAL(made["external_url"], "http://127.0.0.1:9001");
  // Known now: its URL is updated in place, and it is stopped on close.
  BOOST_REQUIRE(f.Deploy("success", kSha2, "http://127.0.0.1:9002").ok);
  calls = f.api.Take();
  BOOST_REQUIRE_EQUAL(calls.size(), 1u);
  BOOST_CHECK_EQUAL(calls[0].method, "PUT");
  BOOST_CHECK_EQUAL(calls[0].path, "/api/v4/projects/acme%2Fweb/environments/100");
  BOOST_REQUIRE(f.Deploy("inactive", "").ok);
  calls = f.api.Take();
  BOOST_REQUIRE_EQUAL(calls.size(), 1u);
  BOOST_CHECK_EQUAL(calls[0].path, "/api/v4/projects/acme%2Fweb/environments/100/stop");

  PosterFixture g("gitea");
  BOOST_CHECK(g.Deploy("success", kSha1, "http://x").ok);
  BOOST_CHECK(g.Deploy("inactive", "").ok);
  BOOST_CHECK(g.api.Take().empty());
}

BOOST_AUTO_TEST_CASE(rate_limits_defer_and_hold_back_the_token) {
  PosterFixture f("github");
  int limited = 1;
  f.api.SetAnswer([&limited](const httplib::Request&, httplib::Response& res) {
    if (limited-- <= 0) return false;
    res.status = 429;
    res.set_header("Retry-After", "7");
    res.set_content("{\"message\":\"slow down\"}", "application/json");
    return true;
  });
  ForgeSendResult r = f.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "eyes"));
  BOOST_CHECK(!r.ok);
  BOOST_CHECK(r.deferred);
  BOOST_CHECK_EQUAL(r.retry_after_ms, 7000);
  BOOST_CHECK_EQUAL(f.api.Take().size(), 1u);
  // Until then, nothing with this token reaches the forge.
  r = f.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "eyes"));
  BOOST_CHECK(r.deferred);
  BOOST_CHECK_GT(r.retry_after_ms, 5000);
  BOOST_CHECK(f.api.Take().empty());

  // The primary limit: 403 with x-ratelimit-remaining 0 waits for the reset.
  PosterFixture g("github");
  g.api.SetAnswer([](const httplib::Request&, httplib::Response& res) {
    res.status = 403;
    res.set_header("x-ratelimit-remaining", "0");
    res.set_header("x-ratelimit-reset", std::to_string(time(nullptr) + 30));
    return true;
  });
  r = g.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "eyes"));
  BOOST_CHECK(r.deferred);
  BOOST_CHECK_GE(r.retry_after_ms, 28000);
  BOOST_CHECK_LE(r.retry_after_ms, 31000);

  // The last call of the quota succeeds; the next waits for the reset.
  PosterFixture q("github");
  q.api.SetAnswer([](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_header("x-ratelimit-remaining", "0");
    res.set_header("x-ratelimit-reset", std::to_string(time(nullptr) + 20));
    res.set_content("{}", "application/json");
    return true;
  });
  BOOST_CHECK(q.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "eyes")).ok);
  r = q.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "rocket"));
  BOOST_CHECK(r.deferred);
  BOOST_CHECK_GE(r.retry_after_ms, 18000);
  BOOST_CHECK_EQUAL(q.api.Take().size(), 1u);

  // GitLab says it as RateLimit-Remaining / RateLimit-Reset: the same wait.
  PosterFixture l("gitlab");
  l.api.SetAnswer([](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_header("RateLimit-Remaining", "0");
    res.set_header("RateLimit-Reset", std::to_string(time(nullptr) + 40));
    res.set_content("{}", "application/json");
    return true;
  });
  BOOST_CHECK(l.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "eyes")).ok);
  r = l.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "rocket"));
  BOOST_CHECK(r.deferred);
  BOOST_CHECK_GE(r.retry_after_ms, 38000);
  BOOST_CHECK_EQUAL(l.api.Take().size(), 1u);
  PosterFixture m("gitlab");
  m.api.SetAnswer([](const httplib::Request&, httplib::Response& res) {
    res.status = 403;
    res.set_header("RateLimit-Remaining", "0");
    res.set_header("RateLimit-Reset", std::to_string(time(nullptr) + 25));
    return true;
  });
  r = m.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "eyes"));
  BOOST_CHECK(r.deferred);
  BOOST_CHECK_GE(r.retry_after_ms, 23000);
  BOOST_CHECK_LE(r.retry_after_ms, 26000);

  // A forge without a token posts nothing, and is not retried.
  PosterFixture n("github");
  BOOST_REQUIRE(n.t.db->Exec("UPDATE forges SET token_ref = ''").ok());
  r = n.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "eyes"));
  BOOST_CHECK(!r.ok);
  BOOST_CHECK(!r.retry);
  BOOST_CHECK_NE(r.error.find("no API token"), std::string::npos);
  BOOST_CHECK(n.api.Take().empty());

  // A 403 that is no limit is a plain failure.
  PosterFixture h("github");
  h.api.SetAnswer([](const httplib::Request&, httplib::Response& res) {
    res.status = 403;
    return true;
  });
  r = h.Send(ForgeReactionKey("f", "acme/web", 7), ReactionBody("55", "eyes"));
  BOOST_CHECK(!r.deferred);
  BOOST_CHECK(!r.retry);
}

BOOST_AUTO_TEST_CASE(the_sender_waits_out_a_429_without_spending_an_attempt) {
  PosterFixture f("github");
  int limited = 1;
  f.api.SetAnswer([&limited](const httplib::Request&, httplib::Response& res) {
    if (limited-- <= 0) return false;
    res.status = 429;
    res.set_header("Retry-After", "1");
    return true;
  });
  OutboxMessage m;
  m.url = ForgeReactionKey("f", "acme/web", 7);
  m.body = ReactionBody("55", "eyes");
  m.purpose = "test reaction";
  BOOST_REQUIRE(EnqueueOutbox(f.t.db.get(), m).ok());
  ChatConfig chat;
  EventHub hub;
  OutboxSender sender(f.t.db.get(), &chat, &hub);
  sender.Start();
  std::vector<OutboxMessage> box;
  for (int i = 0; i < 100; ++i) {
    box.clear();
    BOOST_REQUIRE(ListOutbox(f.t.db.get(), &box).ok());
    if (box.at(0).state != "pending") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  sender.Stop();
  BOOST_CHECK_EQUAL(box.at(0).state, "sent");
  BOOST_CHECK_EQUAL(box.at(0).attempts, 1);  // the 429 was no attempt
  std::vector<Call> calls = f.api.Take();
  BOOST_CHECK_EQUAL(calls.size(), 2u);
}

BOOST_AUTO_TEST_CASE(open_pull_lists_per_forge) {
  std::vector<ForgeOpenPull> out;
  const std::string gh =
      R"([{"number":7,"state":"open","title":"T","html_url":"u","draft":true,
          "updated_at":"2024-01-01T00:00:00Z","labels":[{"name":"preview"}],
          "head":{"sha":")" +
      kSha1 + R"(","ref":"feat","repo":{"full_name":"someone/web"}}}])";
  BOOST_REQUIRE(ParseForgeOpenPulls("github", "acme/web", gh, &out).ok());
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_CHECK_EQUAL(out[0].number, 7);
  BOOST_CHECK_EQUAL(out[0].head_sha, kSha1);
  BOOST_CHECK(out[0].draft);
  BOOST_CHECK(out[0].fork);
  BOOST_CHECK_EQUAL(out[0].labels.at(0), "preview");
  BOOST_CHECK_EQUAL(out[0].head_at, 1704067200);
  out.clear();
  const std::string gl = R"([{"iid":3,"state":"opened","sha":")" + kSha2 +
                         R"(","source_project_id":5,"target_project_id":5,"labels":["a"]}])";
  BOOST_REQUIRE(ParseForgeOpenPulls("gitlab", "acme/web", gl, &out).ok());
  BOOST_REQUIRE_EQUAL(out.size(), 1u);
  BOOST_CHECK_EQUAL(out[0].number, 3);
  BOOST_CHECK(!out[0].fork);
  // Anything but a readable list is an error, never "none open".
  BOOST_CHECK(!ParseForgeOpenPulls("github", "acme/web", "{}", &out).ok());
  BOOST_CHECK(
      !ParseForgeOpenPulls("github", "acme/web", R"([{"number":1,"state":"open"}])", &out).ok());
}

BOOST_AUTO_TEST_CASE(the_sweep_creates_missing_previews_and_a_failed_list_creates_nothing) {
  PosterFixture f("github");
  auto list = [](const httplib::Request& req, httplib::Response& res) {
    if (req.path != "/repos/acme/web/pulls") return false;
    BOOST_CHECK_EQUAL(req.get_param_value("state"), "open");
    json pulls = json::array();
    for (int n : {7, 8}) {
      pulls.push_back(
          {{"number", n},
           {"state", "open"},
           {"title", n == 8 ? "[skip preview] no" : "yes"},
           {"head", {{"sha", kSha1}, {"ref", "f"}, {"repo", {{"full_name", "acme/web"}}}}}});
    }
    res.set_content(pulls.dump(), "application/json");
    return true;
  };
  f.api.SetAnswer([](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    return true;
  });
  ForgeSweepReport report;
  BOOST_REQUIRE(SweepMissingPreviews(f.t.db.get(), 0, &report).ok());
  BOOST_CHECK_EQUAL(report.unknown, 1);
  BOOST_CHECK_EQUAL(report.created, 0);
  PullRequest pr;
  BOOST_CHECK(GetPullRequest(f.t.db.get(), "f", "acme/web", 7, &pr).code() ==
              Status::Code::kNotFound);

  f.api.SetAnswer(list);
  report = ForgeSweepReport{};
  BOOST_REQUIRE(SweepMissingPreviews(f.t.db.get(), 0, &report).ok());
  BOOST_CHECK_EQUAL(report.created, 1);  // #8 says [skip preview]
  BOOST_REQUIRE(GetPullRequest(f.t.db.get(), "f", "acme/web", 7, &pr).ok());
  BOOST_CHECK_EQUAL(pr.sandbox, "pr-7-web");
  BOOST_CHECK_EQUAL(pr.head_sha, kSha1);
  std::vector<Delivery> ds;
  BOOST_REQUIRE(ListDeliveries(f.t.db.get(), "f", "acme/web", 7, 5, &ds).ok());
  BOOST_REQUIRE_EQUAL(ds.size(), 1u);
  BOOST_CHECK_EQUAL(ds[0].delivery, "sweep:acme/web#7:open:" + kSha1);
  BOOST_CHECK_EQUAL(ds[0].outcome, "accepted");
  // Known now: the next sweep leaves it to its events.
  report = ForgeSweepReport{};
  BOOST_REQUIRE(SweepMissingPreviews(f.t.db.get(), 0, &report).ok());
  BOOST_CHECK_EQUAL(report.created, 0);

  // A repo whose previews wait for a comment is not listed at all.
  PosterFixture g("github", "comment");
  g.api.SetAnswer(list);
  report = ForgeSweepReport{};
  BOOST_REQUIRE(SweepMissingPreviews(g.t.db.get(), 0, &report).ok());
  BOOST_CHECK(g.api.Take().empty());
}

BOOST_AUTO_TEST_SUITE_END()
