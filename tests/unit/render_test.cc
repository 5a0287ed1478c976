#define BOOST_TEST_DYN_LINK
#include "templates/render.h"

#include <boost/test/unit_test.hpp>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "templates/embedded.h"
#include "templates/json_compact.h"

using namespace sandbot;
using nlohmann::json;

namespace {

const std::vector<std::string> kKinds = {"status", "list", "job",    "notification", "help",
                                         "error",  "ack",  "routes", "logs",         ""};

MessageView StatusView() {
  MessageView v;
  v.kind = "status";
  v.title = "sandbox qa-login";
  v.sandbox = "qa-login";
  v.actor = "ana (U0ANA)";
  v.services.push_back({"web", "feature/x", "3f2a9c1d2e3f40516273", "running",
                        "http://127.0.0.1:9001", "sandbox", ""});
  v.services.push_back({"payment", "main", "", "failed", "", "baseline", "build failed: exit 2"});
  v.routes.push_back({"web", "sandbox", "http://127.0.0.1:9001"});
  v.routes.push_back({"payment", "baseline", "http://payments.internal"});
  v.buttons.push_back({"Redeploy web", "service.redeploy", "qa-login/web", ""});
  v.buttons.push_back(
      {"Route payment to baseline", "route.baseline", "qa-login/payment", "primary"});
  v.buttons.push_back({"Destroy qa-login", "sandbox.destroy", "qa-login", "danger"});
  return v;
}

MessageView ViewOfKind(const std::string& kind) {
  MessageView v = StatusView();
  v.kind = kind;
  if (kind == "list") {
    MessageView item = StatusView();
    item.buttons.clear();
    v.title = "2 sandboxes";
    v.sandboxes = {item, item};
    v.sandboxes[1].sandbox = "qa-other";
    v.sandboxes[1].title = "sandbox qa-other";
    v.services.clear();
    v.buttons.clear();
  } else if (kind == "help" || kind == "error" || kind == "ack") {
    v.text =
        kind == "help" ? "/sandbox create NAME [SERVICE@BRANCH…]\n/sandbox list" : "it is " + kind;
    v.services.clear();
    v.routes.clear();
    v.buttons.clear();
  } else if (kind == "job" || kind == "notification") {
    v.outcome = "succeeded";
    v.text = "job 7 (web@feature/x 3f2a9c1): succeeded";
  } else if (kind == "logs") {
    v.title = "web in qa-login: last 2 log lines";
    v.actor.clear();
    v.services.clear();
    v.routes.clear();
    v.buttons.clear();
    v.log_lines = {"listening on :8080", "GET / 200"};
  }
  return v;
}

// Every character of a long hostile string, and more.
const std::string kNasty =
    "q\"uote\\back\nnew\r\tline <@U123> <!channel> <!here> @channel a&b &amp; <http://evil|click> "
    "[link](http://evil) ```code``` `tick` *bold* _it_ | pipe \x01\x02\x1b[31m\x7f \xC2\x9B "
    "bad\xFF\xC3utf8 ünïcødé 日本語 🚀 </script>";

MessageView HostileView(const std::string& kind) {
  MessageView v;
  v.kind = kind;
  v.title = kNasty + std::string(400, 'T');
  v.text = kNasty + "\n" + std::string(5000, 'x') + "\n" + kNasty;
  v.sandbox = "qa" + kNasty;
  v.actor = kNasty;
  v.outcome = "failed";
  for (int i = 0; i < 100; ++i) {
    ServiceView s;
    s.name = "svc" + std::to_string(i) + kNasty;
    s.branch = "feature/<script>&" + kNasty;
    s.commit = "\xFF\"3f2a9c1d";
    s.status = i % 2 ? "failed" : "running";
    s.url = "http://127.0.0.1:" + std::to_string(9000 + i) + "/?a=1&b=<2>|3\"";
    s.route = kNasty;
    s.detail = std::string(3000, 'd') + kNasty;
    v.services.push_back(s);
    v.routes.push_back({s.name, kNasty, s.url});
  }
  for (int i = 0; i < 60; ++i) {
    v.buttons.push_back({std::string(200, 'B') + kNasty,
                         i % 3 ? "service.redeploy" : "x" + std::to_string(i),
                         std::string(5000, 'v') + kNasty, i % 2 ? "danger" : "weird\"style"});
  }
  for (int i = 0; i < 200; ++i) v.log_lines.push_back(std::string(1000, 'l') + kNasty);
  if (kind == "list") {
    MessageView item = v;
    item.kind = "status";
    item.services.resize(10);
    for (int i = 0; i < 70; ++i) v.sandboxes.push_back(item);
  }
  return v;
}

json Parse(const std::string& s) {
  json j = json::parse(s, nullptr, false);
  BOOST_REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " + s.substr(0, 400));
  BOOST_REQUIRE(j.is_object());
  return j;
}

// Characters, not bytes: Slack counts characters.
size_t Chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// text without its well-formed Slack links <http…|…>.
std::string WithoutLinks(const std::string& t) {
  std::string out;
  for (size_t i = 0; i < t.size();) {
    if (t[i] == '<' &&
        (t.compare(i + 1, 7, "http://") == 0 || t.compare(i + 1, 8, "https://") == 0)) {
      size_t bar = t.find('|', i), end = t.find('>', i), lt = t.find('<', i + 1);
      if (bar != std::string::npos && end != std::string::npos && bar < end &&
          (lt == std::string::npos || lt > end)) {
        i = end + 1;
        continue;
      }
    }
    out += t[i++];
  }
  return out;
}

// A mrkdwn text holds no live markup: links only as <http…|…>, and every &
// starts an entity.
void CheckMrkdwnSafe(const std::string& text) {
  std::string rest = WithoutLinks(text);
  BOOST_CHECK_MESSAGE(rest.find('<') == std::string::npos && rest.find('>') == std::string::npos,
                      "live markup in: " + text.substr(0, 300));
  for (size_t i = text.find('&'); i != std::string::npos; i = text.find('&', i + 1)) {
    bool entity = text.compare(i, 5, "&amp;") == 0 || text.compare(i, 4, "&lt;") == 0 ||
                  text.compare(i, 4, "&gt;") == 0;
    BOOST_CHECK_MESSAGE(entity, "raw & in: " + text.substr(i, 40));
  }
}

// Every Block Kit limit this project relies on.
void CheckSlackLimits(const json& msg) {
  BOOST_REQUIRE(msg.contains("text"));
  BOOST_CHECK(!msg["text"].get<std::string>().empty());
  CheckMrkdwnSafe(msg["text"].get<std::string>());
  BOOST_REQUIRE(msg["blocks"].is_array());
  BOOST_CHECK(!msg["blocks"].empty());
  BOOST_CHECK_LE(msg["blocks"].size(), 50u);
  size_t actions = 0;
  for (const json& b : msg["blocks"]) {
    const std::string type = b["type"];
    if (type == "header") {
      BOOST_CHECK_EQUAL(b["text"]["type"], "plain_text");
      BOOST_CHECK_LE(Chars(b["text"]["text"]), 150u);
      BOOST_CHECK(!b["text"]["text"].get<std::string>().empty());
    } else if (type == "section") {
      BOOST_CHECK_EQUAL(b["text"]["type"], "mrkdwn");
      const std::string t = b["text"]["text"];
      BOOST_CHECK(!t.empty());
      BOOST_CHECK_LE(Chars(t), 3000u);
      CheckMrkdwnSafe(t);
    } else if (type == "context") {
      BOOST_CHECK_LE(b["elements"].size(), 10u);
      for (const json& e : b["elements"]) {
        BOOST_CHECK_LE(Chars(e["text"]), 3000u);
        CheckMrkdwnSafe(e["text"]);
      }
    } else if (type == "actions") {
      BOOST_CHECK(!b["elements"].empty());
      BOOST_CHECK_LE(b["elements"].size(), 25u);
      std::set<std::string> ids;
      for (const json& e : b["elements"]) {
        ++actions;
        BOOST_CHECK_EQUAL(e["type"], "button");
        BOOST_CHECK_LE(Chars(e["text"]["text"]), 75u);
        BOOST_CHECK(!e["text"]["text"].get<std::string>().empty());
        BOOST_CHECK_LE(Chars(e["action_id"]), 255u);
        BOOST_CHECK_LE(Chars(e["value"]), 2000u);
        BOOST_CHECK_MESSAGE(ids.insert(e["action_id"].get<std::string>()).second,
                            "duplicate action_id in one block");
        if (e.contains("style")) {
          BOOST_CHECK(e["style"] == "primary" || e["style"] == "danger");
        }
        if (e.contains("confirm")) {
          BOOST_CHECK_LE(Chars(e["confirm"]["title"]["text"]), 100u);
          BOOST_CHECK_LE(Chars(e["confirm"]["text"]["text"]), 300u);
          BOOST_CHECK_LE(Chars(e["confirm"]["confirm"]["text"]), 30u);
          BOOST_CHECK_LE(Chars(e["confirm"]["deny"]["text"]), 30u);
        }
      }
    } else {
      BOOST_ERROR("unexpected block type " + type);
    }
  }
  BOOST_CHECK_LE(actions, 25u);
}

void CheckTeamsCard(const std::string& s) {
  BOOST_CHECK_LE(s.size(), 28000u);
  json m = Parse(s);
  BOOST_CHECK_EQUAL(m["type"], "message");
  BOOST_REQUIRE_EQUAL(m["attachments"].size(), 1u);
  const json& a = m["attachments"][0];
  BOOST_CHECK_EQUAL(a["contentType"], "application/vnd.microsoft.card.adaptive");
  BOOST_CHECK(a.contains("contentUrl") && a["contentUrl"].is_null());
  const json& c = a["content"];
  BOOST_CHECK_EQUAL(c["type"], "AdaptiveCard");
  BOOST_CHECK_EQUAL(c["version"], "1.4");
  BOOST_CHECK_EQUAL(c["$schema"], "http://adaptivecards.io/schemas/adaptive-card.json");
  BOOST_REQUIRE(c["body"].is_array() && !c["body"].empty());
  BOOST_CHECK_EQUAL(c["body"][0]["type"], "TextBlock");
  for (const json& b : c["body"]) {
    BOOST_CHECK(b["type"] == "TextBlock" || b["type"] == "FactSet");
    if (b["type"] == "TextBlock") {
      BOOST_CHECK_EQUAL(b["wrap"], true);
      BOOST_CHECK(b["text"].get<std::string>().find("](") == std::string::npos);
    }
  }
  for (const json& act : c.value("actions", json::array())) {
    BOOST_CHECK_EQUAL(act["type"], "Action.OpenUrl");
    BOOST_CHECK(act["url"].get<std::string>().rfind("http", 0) == 0);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(render)

BOOST_AUTO_TEST_CASE(templates_are_embedded_and_parse) {
  std::vector<std::string> names = EmbeddedTemplateNames();
  for (const char* required : {"slack", "teams_card", "mattermost", "text"}) {
    BOOST_CHECK_MESSAGE(std::find(names.begin(), names.end(), required) != names.end(), required);
  }
  for (const std::string& name : names) {
    const char* text = EmbeddedTemplate(name);
    BOOST_REQUIRE(text);
    kainjow::mustache::mustache tmpl{std::string(text)};
    BOOST_CHECK_MESSAGE(tmpl.is_valid(), name + ": " + tmpl.error_message());
  }
  BOOST_CHECK(EmbeddedTemplate("no_such_template") == nullptr);
}

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

BOOST_AUTO_TEST_CASE(hostile_inputs_stay_valid_and_within_limits) {
  for (const std::string& kind : kKinds) {
    BOOST_TEST_CONTEXT("kind " << kind) {
      MessageView v = HostileView(kind);
      for (bool replace : {false, true}) {
        std::string s = RenderSlack(v, "in_channel", replace);
        json m = Parse(s);
        CheckSlackLimits(m);
        BOOST_CHECK_EQUAL(m.contains("replace_original"), replace);
      }
      CheckTeamsCard(RenderTeamsCard(v));

      json mm = Parse(RenderMattermost(v, "in_channel"));
      BOOST_CHECK_EQUAL(mm["response_type"], "in_channel");
      BOOST_CHECK_EQUAL(mm["skip_slack_parsing"], true);
      const std::string mtext = mm["text"];
      BOOST_CHECK_LE(mtext.size(), 16383u);
      BOOST_CHECK(mtext.find(" @channel") == std::string::npos);
      BOOST_CHECK(mtext.find("](") == std::string::npos);

      json tt = Parse(RenderTeamsText(v));
      BOOST_CHECK_EQUAL(tt["type"], "message");
      const std::string ttext = tt["text"];
      BOOST_CHECK(ttext.find('<') == std::string::npos);
      BOOST_CHECK(ttext.find("](") == std::string::npos);

      std::string text = RenderText(v);
      BOOST_CHECK(text.find('\x1b') == std::string::npos);
      BOOST_CHECK(text.find('\x01') == std::string::npos);
      BOOST_CHECK(text.find("\xC2\x9B") == std::string::npos);
      BOOST_CHECK(json(text).dump(-1, ' ', false, json::error_handler_t::strict).size() > 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(control_characters_and_unicode_round_trip) {
  MessageView e;
  e.kind = "ack";
  e.text = std::string("tab\there \x01 quote\" back\\slash 日本語 🚀 \xFF");
  json m = Parse(RenderSlack(e, "", false));
  BOOST_CHECK_EQUAL(m["blocks"][0]["text"]["text"],
                    "tab\there \x01 quote\" back\\slash 日本語 🚀 \xEF\xBF\xBD");
  json t = Parse(RenderTeamsCard(e));
  BOOST_CHECK_EQUAL(t["attachments"][0]["content"]["body"][1]["text"],
                    "tab\there \x01 quote\" back\\slash 日本語 🚀 \xEF\xBF\xBD");
  BOOST_CHECK_EQUAL(RenderText(e), "tab\there ? quote\" back\\slash 日本語 🚀 \xEF\xBF\xBD\n");
}

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

BOOST_AUTO_TEST_CASE(mattermost_markdown) {
  json m = Parse(RenderMattermost(StatusView(), "in_channel"));
  BOOST_CHECK_EQUAL(m["response_type"], "in_channel");
  BOOST_CHECK_EQUAL(
      m["text"],
      "#### sandbox qa-login\n\n"
      "| | Service | Branch | Status | URL |\n"
      "|:-|:--|:--|:--|:--|\n"
      "| :white_check_mark: | **web** | `feature/x@3f2a9c1` | running | http://127.0.0.1:9001 |\n"
      "| :x: | **payment** | `main` | failed: build failed: exit 2 |  |\n\n"
      "routes: web → sandbox, payment → baseline\n\n"
      "by ana (U0ANA)");
  MessageView v = StatusView();
  v.services[0].branch = "a|b";
  v.services[0].detail = "x";
  v.actor = "@channel [x](http://evil)";
  const std::string text = Parse(RenderMattermost(v, "ephemeral"))["text"];
  BOOST_CHECK(text.find("`a\\|b@3f2a9c1`") != std::string::npos);
  BOOST_CHECK(text.find("by @\xE2\x80\x8B"
                        "channel [x]\xE2\x80\x8B(http://evil)") != std::string::npos);
  for (const std::string& kind : kKinds) {
    BOOST_TEST_CONTEXT("kind " << kind) {
      json k = Parse(RenderMattermost(ViewOfKind(kind), "ephemeral"));
      BOOST_CHECK_EQUAL(k["response_type"], "ephemeral");
      BOOST_CHECK(!k["text"].get<std::string>().empty());
    }
  }
  BOOST_CHECK_EQUAL(Parse(RenderMattermost(ViewOfKind("error"), "ephemeral"))["text"],
                    ":warning: it is error");
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

BOOST_AUTO_TEST_SUITE_END()
