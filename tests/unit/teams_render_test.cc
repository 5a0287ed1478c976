#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "templates/teams.h"
#include "tests/unit/render_fixtures.h"

using namespace sandbot;
using namespace sandbot::render_fixtures;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(teams_render)

BOOST_AUTO_TEST_CASE(teams_card_structure) {
  const std::string s = RenderTeamsCard(StatusView());
  CheckTeamsCard(s);
  json c = Parse(s)["attachments"][0]["content"];
  BOOST_CHECK_EQUAL(c["body"][0]["text"], "sandbox qa-login");
  BOOST_CHECK_EQUAL(c["body"][0]["size"], "Medium");
  BOOST_CHECK_EQUAL(c["body"][0]["weight"], "Bolder");
  BOOST_CHECK_EQUAL(c["body"][1]["type"], "FactSet");
  BOOST_CHECK_EQUAL(c["body"][1]["facts"][0]["title"], "web");
  BOOST_CHECK_EQUAL(c["body"][1]["facts"][0]["value"], "feature/x@3f2a9c1 · running");
  BOOST_CHECK_EQUAL(c["body"][2]["type"], "FactSet");
  BOOST_CHECK_EQUAL(c["body"][2]["facts"][0]["value"], "main · failed");
  BOOST_CHECK_EQUAL(c["body"][2]["facts"][1]["value"], "build failed: exit 2");
  BOOST_CHECK_EQUAL(c["body"][3]["text"], "routes: web → sandbox, payment → baseline");
  BOOST_REQUIRE_EQUAL(c["actions"].size(), 1u);
  BOOST_CHECK_EQUAL(c["actions"][0]["type"], "Action.OpenUrl");
  BOOST_CHECK_EQUAL(c["actions"][0]["title"], "Open web");
  BOOST_CHECK_EQUAL(c["actions"][0]["url"], "http://127.0.0.1:9001");

  for (const std::string& kind : kKinds) {
    BOOST_TEST_CONTEXT("kind " << kind) { CheckTeamsCard(RenderTeamsCard(ViewOfKind(kind))); }
  }
  MessageView e = ViewOfKind("error");
  json body = Parse(RenderTeamsCard(e))["attachments"][0]["content"]["body"];
  BOOST_CHECK_EQUAL(body[1]["color"], "Attention");
  BOOST_CHECK(!Parse(RenderTeamsCard(e))["attachments"][0]["content"].contains("actions"));
}

BOOST_AUTO_TEST_CASE(teams_card_stays_under_28kb) {
  MessageView v = StatusView();
  for (int i = 0; i < 100; ++i) {
    v.services.push_back({"svc" + std::to_string(i), "main", "abc", "failed",
                          "http://h/" + std::to_string(i), "sandbox", std::string(1200, 'd')});
  }
  for (int i = 0; i < 300; ++i) v.log_lines.push_back(std::string(300, 'l'));
  const std::string s = RenderTeamsCard(v);
  CheckTeamsCard(s);
  json c = Parse(s)["attachments"][0]["content"];
  BOOST_CHECK_LE(c["actions"].size(), 6u);
  BOOST_CHECK_EQUAL(c["body"][0]["text"], "sandbox qa-login");
}

BOOST_AUTO_TEST_CASE(teams_text_reply) {
  json m = Parse(RenderTeamsText(StatusView()));
  BOOST_CHECK_EQUAL(m["type"], "message");
  BOOST_CHECK_EQUAL(m["text"],
                    "**sandbox qa-login**\n\n"
                    "- **web** feature/x@3f2a9c1 · running · http://127.0.0.1:9001\n\n"
                    "- **payment** main · failed · build failed: exit 2\n\n"
                    "routes: web → sandbox, payment → baseline\n\n"
                    "by ana (U0ANA)");
  MessageView a = ViewOfKind("ack");
  a.text = "creating sandbox qa <b>x</b> & co\nnext line";
  BOOST_CHECK_EQUAL(Parse(RenderTeamsText(a))["text"],
                    "creating sandbox qa &lt;b&gt;x&lt;/b&gt; &amp; co\n\nnext line");
  for (const std::string& kind : kKinds) {
    BOOST_TEST_CONTEXT("kind " << kind) { Parse(RenderTeamsText(ViewOfKind(kind))); }
  }
}

BOOST_AUTO_TEST_SUITE_END()
