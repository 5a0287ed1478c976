#define BOOST_TEST_DYN_LINK
#include "templates/render.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/unit/render_fixtures.h"

using namespace sandbot;
using namespace sandbot::render_fixtures;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(render)

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

BOOST_AUTO_TEST_SUITE_END()
