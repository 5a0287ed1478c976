#define BOOST_TEST_DYN_LINK
#include "handlers/dispatch.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>

#include "store/audit.h"
#include "store/jobs.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

struct DispatchFixture {
  TestStore t;
  std::map<std::string, std::string> baselines = {{"payment", "https://payment-dev.example.com"}};
  HandlerContext ctx;
  DispatchFixture() {
    ctx.db = t.db.get();
    ctx.baselines = &baselines;
    Repo web;
    web.name = "web";
    web.path = "/nonexistent/web.git";
    BOOST_REQUIRE(AddRepo(t.db.get(), web).ok());
  }
  Status Run(const std::string& family, const std::string& text, Reply* reply,
             Role role = Role::kDeployer, const std::string& channel = "slack:C1") {
    Request req;
    req.user_id = "U1";
    req.user_name = "ana";
    req.source = "slack";
    req.channel = channel;
    req.role = role;
    Status s = ParseCommand(family, text, &req.command);
    if (!s.ok()) return s;
    return HandleCommand(ctx, req, reply);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(dispatch)

BOOST_AUTO_TEST_CASE(viewer_is_refused_and_audited) {
  DispatchFixture f;
  Reply reply;
  Status s = f.Run("sandbox", "create qa", &reply, Role::kViewer);
  BOOST_CHECK(s.code() == Status::Code::kForbidden);
  BOOST_CHECK(s.message().find("needs the deployer role; you are a viewer") != std::string::npos);
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.t.db.get(), "", 0, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  BOOST_CHECK_EQUAL(rows[0].status, "refused");
  BOOST_CHECK_EQUAL(rows[0].actor, "ana (U1)");
  BOOST_CHECK(!SandboxExists(f.t.db.get(), "qa"));
}

BOOST_AUTO_TEST_CASE(sandbox_precedence_named_channel_default_last) {
  DispatchFixture f;
  Reply which;
  Status s = f.Run("route", "list", &which);
  BOOST_CHECK(s.message().find("which sandbox?") != std::string::npos);
  Reply reply;
  BOOST_REQUIRE(f.Run("sandbox", "create qa-login", &reply).ok());
  BOOST_CHECK(reply.jobs.empty());
  Reply last;
  BOOST_REQUIRE(f.Run("route", "list", &last).ok());  // the caller's last sandbox
  BOOST_CHECK_EQUAL(last.sandbox, "qa-login");
  std::string canon;
  for (const auto& r : last.view.routes) canon += r.service + "=" + r.route + " ";
  BOOST_CHECK_EQUAL(canon, "payment=baseline web=baseline ");
  BOOST_REQUIRE(f.Run("sandbox", "use qa-login", &reply).ok());
  BOOST_REQUIRE(f.Run("sandbox", "create qa-other", &reply).ok());
  Reply in_c1, in_c2, named;
  BOOST_REQUIRE(f.Run("route", "list", &in_c1).ok());
  BOOST_CHECK_EQUAL(in_c1.sandbox, "qa-login");  // channel default beats the last one
  BOOST_REQUIRE(f.Run("route", "list", &in_c2, Role::kDeployer, "slack:C2").ok());
  BOOST_CHECK_EQUAL(in_c2.sandbox, "qa-other");  // no default in C2: the last one
  BOOST_REQUIRE(f.Run("route", "list qa-login", &named, Role::kDeployer, "slack:C2").ok());
  BOOST_CHECK_EQUAL(named.sandbox, "qa-login");
}

BOOST_AUTO_TEST_CASE(unknown_names_get_suggestions) {
  DispatchFixture f;
  Reply reply;
  BOOST_REQUIRE(f.Run("sandbox", "create qa-login", &reply).ok());
  Status s = f.Run("sandbox", "status qa-logn", &reply);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("Did you mean 'qa-login'?") != std::string::npos);
  s = f.Run("deploy", "wbe feature/x to qa-login", &reply);
  BOOST_CHECK(s.message().find("Did you mean 'web'?") != std::string::npos);
  s = f.Run("route", "paymnt baseline in qa-login", &reply);
  BOOST_CHECK(s.message().find("Did you mean 'payment'?") != std::string::npos);
  s = f.Run("route", "web sandbox in qa-login", &reply);
  BOOST_CHECK(s.message().find("web is not deployed in qa-login") != std::string::npos);
  s = f.Run("route", "web baseline in qa-login", &reply);
  BOOST_CHECK(s.message().find("no baseline URL is configured for web") != std::string::npos);
}

// A compose service a sandbox runs is known there by its own name: /deploy
// takes it from the repo whose file names it, /route and /env attach find
// it, though no repo is called that.
BOOST_AUTO_TEST_CASE(a_sandboxs_compose_service_is_deployed_and_routed_by_name) {
  DispatchFixture f;
  ScratchDir dir;
  const std::string git = dir.path() + "/shop.git";
  auto sh = [](const std::string& cmd) { BOOST_REQUIRE_EQUAL(std::system(cmd.c_str()), 0); };
  sh("git init -q -b main " + dir.path() + "/w && cd " + dir.path() +
     "/w && git -c user.name=t -c user.email=t@t commit -q --allow-empty -m c && "
     "git branch feature/x && git clone -q --bare . " +
     git);
  Repo shop;
  shop.name = "shop";
  shop.path = git;
  BOOST_REQUIRE(AddRepo(f.t.db.get(), shop).ok());
  Reply reply;
  BOOST_REQUIRE(f.Run("sandbox", "create qa", &reply).ok());
  Sandbox qa;
  BOOST_REQUIRE(GetSandbox(f.t.db.get(), "qa", &qa).ok());
  int64_t job = 0;
  BOOST_REQUIRE(QueueDeployFrom(f.t.db.get(), qa, "db", "shop", "main", std::string(40, 'a'),
                                "ana (U1)", "slack", &job)
                    .ok());
  Reply deployed;
  Status s = f.Run("deploy", "db feature/x to qa", &deployed);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_REQUIRE_EQUAL(deployed.jobs.size(), 1u);
  Job queued;
  BOOST_REQUIRE(GetJob(f.t.db.get(), deployed.jobs[0], &queued).ok());
  BOOST_CHECK_EQUAL(queued.service, "db");
  BOOST_CHECK_EQUAL(queued.branch, "feature/x");
  Service db;
  BOOST_REQUIRE(GetService(f.t.db.get(), "qa", "db", &db).ok());
  BOOST_CHECK_EQUAL(db.repo, "shop");  // still from shop's compose file
  BOOST_CHECK_EQUAL(db.branch, "feature/x");
  Reply routed;
  s = f.Run("route", "db http://127.0.0.1:9 in qa", &routed);
  BOOST_CHECK_MESSAGE(s.ok(), s.ToString());
  // Another sandbox does not run db: there it is unknown, as before.
  BOOST_REQUIRE(f.Run("sandbox", "create qa2", &reply).ok());
  s = f.Run("deploy", "db feature/x to qa2", &reply);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("no service named 'db'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(route_to_url_is_recorded_and_destroy_queues_a_job) {
  DispatchFixture f;
  Reply reply;
  BOOST_REQUIRE(f.Run("sandbox", "create qa", &reply).ok());
  Reply routed;
  BOOST_REQUIRE(f.Run("route", "payment http://127.0.0.1:9 in qa", &routed).ok());
  BOOST_CHECK(routed.jobs.empty());  // nothing deployed: nothing to recreate
  bool found = false;
  for (const auto& r : routed.view.routes) {
    if (r.service == "payment") found = r.target == "http://127.0.0.1:9";
  }
  BOOST_CHECK(found);
  Reply destroyed;
  BOOST_REQUIRE(f.Run("sandbox", "destroy qa", &destroyed).ok());
  BOOST_REQUIRE_EQUAL(destroyed.jobs.size(), 1u);
  Job job;
  BOOST_REQUIRE(GetJob(f.t.db.get(), destroyed.jobs[0], &job).ok());
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "destroy");
  BOOST_CHECK_EQUAL(job.actor, "ana (U1)");
  Status again = f.Run("sandbox", "destroy qa", &destroyed);
  BOOST_CHECK(again.code() == Status::Code::kConflict);
}

// A chat list builds whole only what a chat answer can show (50 sandboxes)
// and still counts every one; the CLI gets every sandbox whole.
BOOST_AUTO_TEST_CASE(a_chat_list_builds_only_what_it_shows) {
  DispatchFixture f;
  for (int i = 0; i < 60; ++i) {
    Sandbox b;
    b.name = "qa-" + std::to_string(100 + i);
    b.created_by = "ana";
    BOOST_REQUIRE(CreateSandbox(f.t.db.get(), &b).ok());
    Service s;
    s.name = s.repo = "web";
    s.branch = "main";
    BOOST_REQUIRE(UpsertService(f.t.db.get(), b.id, &s).ok());
  }
  Reply chat;
  BOOST_REQUIRE(f.Run("sandbox", "list", &chat).ok());
  BOOST_CHECK_EQUAL(chat.view.title, "60 sandboxes");
  BOOST_REQUIRE_EQUAL(chat.view.sandboxes.size(), 60u);
  BOOST_CHECK_EQUAL(chat.view.sandboxes[49].services.size(), 1u);
  BOOST_CHECK_EQUAL(chat.view.sandboxes[50].services.size(), 0u);
  BOOST_CHECK_EQUAL(chat.view.sandboxes[59].sandbox, "qa-159");
  BOOST_CHECK_EQUAL(chat.view.sandboxes[59].title, "sandbox qa-159");

  Request req;
  req.user_id = "cli:1000";
  req.source = "cli";
  BOOST_REQUIRE(ParseCommand("sandbox", "list", &req.command).ok());
  Reply cli;
  BOOST_REQUIRE(HandleCommand(f.ctx, req, &cli).ok());
  BOOST_REQUIRE_EQUAL(cli.view.sandboxes.size(), 60u);
  BOOST_CHECK_EQUAL(cli.view.sandboxes[59].services.size(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
