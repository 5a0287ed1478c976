#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "templates/text.h"
#include "tests/unit/render_fixtures.h"

using namespace sandbot;
using namespace sandbot::render_fixtures;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(text_render)

BOOST_AUTO_TEST_CASE(plain_text) {
  BOOST_CHECK_EQUAL(RenderText(StatusView()),
                    "sandbox qa-login\n"
                    "  web  feature/x@3f2a9c1  running  http://127.0.0.1:9001\n"
                    "  payment  main  failed\n"
                    "    build failed: exit 2\n"
                    "  routes: web → sandbox, payment → baseline\n"
                    "  by ana (U0ANA)\n");
  BOOST_CHECK_EQUAL(RenderText(ViewOfKind("ack")), "it is ack\n");
  BOOST_CHECK_EQUAL(RenderText(ViewOfKind("logs")),
                    "web in qa-login: last 2 log lines\n  | listening on :8080\n  | GET / 200\n");
  const std::string list = RenderText(ViewOfKind("list"));
  BOOST_CHECK(list.find("2 sandboxes\nsandbox qa-login\n  web  feature/x@3f2a9c1") == 0);
  BOOST_CHECK(list.find("sandbox qa-other\n  web") != std::string::npos);
  MessageView empty;
  empty.kind = "list";
  empty.title = "0 sandboxes";
  empty.text = "no sandboxes yet";
  BOOST_CHECK_EQUAL(RenderText(empty), "0 sandboxes\nno sandboxes yet\n");
}

// A sandbox's own lines (main URL, lifecycle notes) sit under its title, in
// a status as in each item of a list: `sandbot sandbox status|list`.
BOOST_AUTO_TEST_CASE(sandbox_lines_are_indented_under_the_title) {
  MessageView v = StatusView();
  v.actor.clear();
  v.routes.clear();
  v.services.resize(1);
  v.text = "main URL: http://127.0.0.1:9001 (gateway web)\nlocked by ana since 2026-11-23";
  BOOST_CHECK_EQUAL(RenderText(v),
                    "sandbox qa-login\n"
                    "  main URL: http://127.0.0.1:9001 (gateway web)\n"
                    "  locked by ana since 2026-11-23\n"
                    "  web  feature/x@3f2a9c1  running  http://127.0.0.1:9001\n");
  MessageView list;
  list.kind = "list";
  list.title = "2 sandboxes";
  list.sandboxes = {v, v};
  list.sandboxes[1].title = "sandbox qa-other";
  list.sandboxes[1].text.clear();
  list.sandboxes[1].services.clear();
  BOOST_CHECK_EQUAL(RenderText(list),
                    "2 sandboxes\n"
                    "sandbox qa-login\n"
                    "  main URL: http://127.0.0.1:9001 (gateway web)\n"
                    "  locked by ana since 2026-11-23\n"
                    "  web  feature/x@3f2a9c1  running  http://127.0.0.1:9001\n"
                    "sandbox qa-other\n"
                    "  (no services)\n");
  // Help, errors and acknowledgements are their text, as typed.
  BOOST_CHECK_EQUAL(RenderText(ViewOfKind("help")),
                    "/sandbox create NAME [SERVICE@BRANCH…]\n/sandbox list\n");
}

BOOST_AUTO_TEST_CASE(audit_rows) {
  AuditView r;
  r.time = 1795426867000;  // 2026-11-23 09:41:07 UTC
  r.actor = "ana";
  r.source = "cli";
  r.action = "sandbox.destroy";
  r.status = "accepted";
  r.sandbox = "qa";
  r.commit = "3f2a9c1d2e3f";
  r.detail = "job 7 \x1b[31m";
  BOOST_CHECK_EQUAL(FormatTime(r.time), "2026-11-23 09:41:07");
  BOOST_CHECK_EQUAL(RenderAuditText({r}),
                    "2026-11-23 09:41:07  ana       cli    sandbox.destroy accepted  sandbox=qa "
                    "commit=3f2a9c1 - job 7 ?[31m\n");
  BOOST_CHECK_EQUAL(RenderAuditText({}), "");
}

BOOST_AUTO_TEST_CASE(repo_list) {
  BOOST_CHECK_EQUAL(RenderRepoListText({}), "no repos yet: sandbot repo add NAME PATH --init\n");
  RepoView r{"web", "/srv/web.git", 8080, "", "main", "node:20", true, "HUP", ""};
  BOOST_CHECK_EQUAL(
      RenderRepoListText({r}),
      "web         /srv/web.git  port 8080  health (none)  default main  image node:20"
      "  wait  reload-signal HUP\n");
  r.compose_file = "deploy/compose.qa.yaml";  // repo add --compose
  BOOST_CHECK(RenderRepoListText({r}).find("  compose deploy/compose.qa.yaml\n") !=
              std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
