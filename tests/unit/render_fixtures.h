// Views and checks shared by the renderer tests (render_test.cc and the
// per-transport *_render_test.cc).
#ifndef SANDBOT_TESTS_UNIT_RENDER_FIXTURES_H_
#define SANDBOT_TESTS_UNIT_RENDER_FIXTURES_H_

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "templates/view.h"

namespace sandbot {
namespace render_fixtures {

using nlohmann::json;

const std::vector<std::string> kKinds = {"status", "list", "job",    "notification", "help",
                                         "error",  "ack",  "routes", "logs",         ""};

inline MessageView StatusView() {
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

inline MessageView ViewOfKind(const std::string& kind) {
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

inline MessageView HostileView(const std::string& kind) {
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

inline json Parse(const std::string& s) {
  json j = json::parse(s, nullptr, false);
  BOOST_REQUIRE_MESSAGE(!j.is_discarded(), "not JSON: " + s.substr(0, 400));
  BOOST_REQUIRE(j.is_object());
  return j;
}

// Characters, not bytes: Slack counts characters.
inline size_t Chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// text without its well-formed Slack links <http…|…>.
inline std::string WithoutLinks(const std::string& t) {
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
inline void CheckMrkdwnSafe(const std::string& text) {
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
inline void CheckSlackLimits(const json& msg) {
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

inline void CheckTeamsCard(const std::string& s) {
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

}  // namespace render_fixtures
}  // namespace sandbot

#endif  // SANDBOT_TESTS_UNIT_RENDER_FIXTURES_H_
