#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "templates/json_compact.h"
#include "templates/slack.h"
#include "tests/unit/render_fixtures.h"

using namespace sandbot;
using namespace sandbot::render_fixtures;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(slack_render)

// The exact message Slack receives for a sandbox status, pinned: keys in
// the template's order, whitespace between tokens removed.
BOOST_AUTO_TEST_CASE(slack_status_pinned) {
  const std::string expected_text = R"json({
    "response_type": "in_channel",
    "replace_original": true,
    "text": "sandbox qa-login",
    "blocks": [
      {"type": "header", "text": {"type": "plain_text", "text": "sandbox qa-login", "emoji": true}},
      {"type": "section", "text": {"type": "mrkdwn", "text":
        ":white_check_mark: *web*  `feature/x@3f2a9c1`  running  <http://127.0.0.1:9001|http://127.0.0.1:9001>"}},
      {"type": "section", "text": {"type": "mrkdwn", "text":
        ":x: *payment*  `main`  failed\u000abuild failed: exit 2"}},
      {"type": "context", "elements": [{"type": "mrkdwn", "text": "routes: web → sandbox, payment → baseline"}]},
      {"type": "context", "elements": [{"type": "mrkdwn", "text": "by ana (U0ANA)"}]},
      {"type": "actions", "elements": [
        {"type": "button", "text": {"type": "plain_text", "text": "Redeploy web", "emoji": true},
         "action_id": "service.redeploy", "value": "qa-login/web"},
        {"type": "button", "text": {"type": "plain_text", "text": "Route payment to baseline", "emoji": true},
         "action_id": "route.baseline", "value": "qa-login/payment", "style": "primary"},
        {"type": "button", "text": {"type": "plain_text", "text": "Destroy qa-login", "emoji": true},
         "action_id": "sandbox.destroy", "value": "qa-login", "style": "danger",
         "confirm": {"title": {"type": "plain_text", "text": "Are you sure?"},
                     "text": {"type": "plain_text", "text": "Destroy qa-login?"},
                     "confirm": {"type": "plain_text", "text": "Destroy"},
                     "deny": {"type": "plain_text", "text": "Cancel"}}}
      ]}
    ]
  })json";
  const std::string out = RenderSlack(StatusView(), "in_channel", true);
  BOOST_CHECK_EQUAL(Parse(out), json::parse(expected_text));
  std::string exact;
  BOOST_REQUIRE(CompactJson(expected_text, &exact));
  BOOST_CHECK_EQUAL(out, exact);
}

BOOST_AUTO_TEST_CASE(slack_structure) {
  json m = Parse(RenderSlack(StatusView(), "ephemeral", false));
  BOOST_CHECK_EQUAL(m["response_type"], "ephemeral");
  BOOST_CHECK(!m.contains("replace_original"));
  BOOST_CHECK_EQUAL(m["blocks"][0]["type"], "header");
  BOOST_CHECK_EQUAL(m["blocks"][0]["text"]["text"], "sandbox qa-login");
  bool found = false;
  for (const json& b : m["blocks"]) {
    if (b["type"] == "section" &&
        b["text"]["text"].get<std::string>().find("`feature/x@3f2a9c1`") != std::string::npos) {
      found = true;
    }
  }
  BOOST_CHECK(found);
  const json& buttons = m["blocks"].back()["elements"];
  BOOST_CHECK_EQUAL(m["blocks"].back()["type"], "actions");
  BOOST_CHECK_EQUAL(buttons[0]["action_id"], "service.redeploy");
  BOOST_CHECK_EQUAL(buttons[0]["value"], "qa-login/web");
  BOOST_CHECK(!buttons[0].contains("style"));
  BOOST_CHECK(!buttons[0].contains("confirm"));
  BOOST_CHECK_EQUAL(buttons[1]["style"], "primary");
  BOOST_CHECK(!buttons[1].contains("confirm"));
  BOOST_CHECK_EQUAL(buttons[2]["style"], "danger");
  BOOST_CHECK(buttons[2].contains("confirm"));
  CheckSlackLimits(m);

  // Incoming webhooks: no response_type at all.
  json hook = Parse(RenderSlack(StatusView(), "", false));
  BOOST_CHECK(!hook.contains("response_type"));
  BOOST_CHECK(!hook.contains("replace_original"));
}

BOOST_AUTO_TEST_CASE(slack_every_kind) {
  for (const std::string& kind : kKinds) {
    BOOST_TEST_CONTEXT("kind " << kind) {
      MessageView v = ViewOfKind(kind);
      json m = Parse(RenderSlack(v, "ephemeral", false));
      CheckSlackLimits(m);
      const json& first = m["blocks"][0];
      if (kind == "help" || kind == "error" || kind == "ack") {
        BOOST_CHECK_EQUAL(first["type"], "section");
        BOOST_CHECK_EQUAL(m["blocks"].size(), 1u);
        const std::string t = first["text"]["text"];
        BOOST_CHECK_EQUAL(t, (kind == "error" ? ":warning: " : "") + v.text);
        BOOST_CHECK(m["text"].get<std::string>().find(v.text) != std::string::npos);
      } else {
        BOOST_CHECK_EQUAL(first["type"], "header");
        BOOST_CHECK_EQUAL(first["text"]["text"], v.title);
      }
      if (kind == "list") {
        BOOST_REQUIRE_EQUAL(m["blocks"].size(), 3u);
        BOOST_CHECK_EQUAL(m["blocks"][1]["text"]["text"],
                          "*sandbox qa-login*\n:white_check_mark: *web*  `feature/x@3f2a9c1`  "
                          "running  <http://127.0.0.1:9001|http://127.0.0.1:9001>\n:x: *payment*  "
                          "`main`  failed\nbuild failed: exit 2");
        BOOST_CHECK(m["blocks"][2]["text"]["text"].get<std::string>().find("*sandbox qa-other*") ==
                    0);
      }
      if (kind == "job" || kind == "notification") {
        // The outcome is in the notification text and right under the header.
        BOOST_CHECK(m["text"].get<std::string>().find("succeeded") != std::string::npos);
        BOOST_CHECK_EQUAL(m["blocks"][1]["text"]["text"],
                          ":white_check_mark: job 7 (web@feature/x 3f2a9c1): succeeded");
      }
      if (kind == "logs") {
        BOOST_CHECK_EQUAL(m["blocks"][1]["text"]["text"],
                          "```\nlistening on :8080\nGET / 200\n```");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(slack_escapes_mrkdwn) {
  MessageView v = StatusView();
  v.services[0].branch = "feature/<script>";
  v.services[0].name = "a&b";
  v.actor = "<@U123> <!channel>";
  json m = Parse(RenderSlack(v, "ephemeral", false));
  BOOST_CHECK_EQUAL(m["blocks"][1]["text"]["text"],
                    ":white_check_mark: *a&amp;b*  `feature/&lt;script&gt;@3f2a9c1`  running  "
                    "<http://127.0.0.1:9001|http://127.0.0.1:9001>");
  BOOST_CHECK_EQUAL(m["blocks"][4]["elements"][0]["text"], "by &lt;@U123&gt; &lt;!channel&gt;");
  CheckSlackLimits(m);

  MessageView e;
  e.kind = "error";
  e.text = "unknown <!here> & \"quoted\" \\ path";
  m = Parse(RenderSlack(e, "ephemeral", false));
  BOOST_CHECK_EQUAL(m["blocks"][0]["text"]["text"],
                    ":warning: unknown &lt;!here&gt; &amp; \"quoted\" \\ path");
  BOOST_CHECK_EQUAL(m["text"], ":warning: unknown &lt;!here&gt; &amp; \"quoted\" \\ path");
}

// Slack rejects a block in which two buttons share an action_id: the second
// "Redeploy …" goes to another actions block.
BOOST_AUTO_TEST_CASE(slack_action_ids_unique_per_block) {
  MessageView v = StatusView();
  v.buttons.insert(v.buttons.begin() + 1,
                   ButtonView{"Redeploy payment", "service.redeploy", "qa-login/payment", ""});
  json m = Parse(RenderSlack(v, "ephemeral", false));
  CheckSlackLimits(m);
  std::vector<json> rows;
  for (const json& b : m["blocks"]) {
    if (b["type"] == "actions") rows.push_back(b);
  }
  BOOST_REQUIRE_EQUAL(rows.size(), 2u);
  BOOST_CHECK_EQUAL(rows[0]["elements"].size(), 3u);
  BOOST_CHECK_EQUAL(rows[0]["elements"][2]["action_id"], "sandbox.destroy");
  BOOST_CHECK_EQUAL(rows[1]["elements"][0]["value"], "qa-login/payment");
}

BOOST_AUTO_TEST_CASE(slack_limits_with_many_services) {
  MessageView v = StatusView();
  v.services.clear();
  for (int i = 0; i < 100; ++i) {
    v.services.push_back(
        {"svc" + std::to_string(i), "main", "abcdef0123", "running", "", "sandbox", ""});
  }
  v.log_lines = {"one", "two"};
  json m = Parse(RenderSlack(v, "ephemeral", false));
  CheckSlackLimits(m);
  BOOST_CHECK_EQUAL(m["blocks"].size(), 50u);
  bool more = false;
  for (const json& b : m["blocks"]) {
    if (b["type"] == "context" && b["elements"][0]["text"].get<std::string>().find("… and ") == 0) {
      more = true;
      BOOST_CHECK_EQUAL(b["elements"][0]["text"], "… and 56 more services");
    }
  }
  BOOST_CHECK(more);
}

// The chat `/sandbox list` of a big installation (issue 14's figure: 1,000
// sandboxes of 3 services): within Slack's 50 blocks, the rest counted.
BOOST_AUTO_TEST_CASE(slack_list_of_1000_sandboxes_stays_within_50_blocks) {
  MessageView v = ViewOfKind("list");
  const MessageView item = v.sandboxes[0];
  v.sandboxes.clear();
  for (int i = 0; i < 1000; ++i) {
    MessageView b = item;
    b.sandbox = "qa-" + std::to_string(i);
    b.title = "sandbox " + b.sandbox;
    b.services.push_back(b.services[0]);
    b.services[2].name = "api";
    v.sandboxes.push_back(std::move(b));
  }
  v.title = "1000 sandboxes";
  json m = Parse(RenderSlack(v, "ephemeral", false));
  CheckSlackLimits(m);
  BOOST_CHECK_LE(m["blocks"].size(), 50u);
  BOOST_CHECK_EQUAL(m["blocks"][0]["text"]["text"], "1000 sandboxes");
  size_t sections = 0;
  std::string more;
  for (const json& b : m["blocks"]) {
    if (b["type"] == "section") ++sections;
    if (b["type"] == "context") more = b["elements"][0]["text"].get<std::string>();
  }
  BOOST_CHECK_EQUAL(more, "… and " + std::to_string(1000 - sections) + " more sandboxes");
  BOOST_CHECK_EQUAL(sections + 2, m["blocks"].size());  // the header and the "… and" line
}

BOOST_AUTO_TEST_SUITE_END()
