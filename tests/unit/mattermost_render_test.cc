#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "templates/mattermost.h"
#include "tests/unit/render_fixtures.h"

using namespace sandbot;
using namespace sandbot::render_fixtures;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(mattermost_render)

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

BOOST_AUTO_TEST_SUITE_END()
