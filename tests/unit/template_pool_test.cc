#define BOOST_TEST_DYN_LINK
#include "templates/template_pool.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <kainjow/mustache.hpp>
#include <string>
#include <vector>

#include "templates/embedded.h"
#include "templates/escape.h"

using namespace sandbot;
namespace mu = kainjow::mustache;

BOOST_AUTO_TEST_SUITE(template_pool)

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

BOOST_AUTO_TEST_CASE(partials_are_written_in_and_escapes_apply) {
  mu::data service{mu::data::type::object};
  service.set("name", std::string("web<1>"));
  service.set("status", std::string("running"));
  mu::data d{mu::data::type::object};
  d.set("title", std::string("a & b"));
  mu::data services{mu::data::type::list};
  services.push_back(service);
  d.set("sandboxes", mu::data{mu::data::type::list});
  std::string out;
  mu::data box{mu::data::type::object};
  box.set("title", std::string("sandbox x"));
  box.set("services", services);
  mu::data boxes{mu::data::type::list};
  boxes.push_back(box);
  d.set("sandboxes", boxes);
  BOOST_REQUIRE(RenderTemplate("slack_sandbox", box, MrkdwnEscape, &out, {"slack_service"}));
  BOOST_CHECK(out.find("web&lt;1&gt;") != std::string::npos);
  BOOST_CHECK(out.find("{{>") == std::string::npos);
  BOOST_CHECK(!RenderTemplate("no_such_template", d, MrkdwnEscape, &out));
  BOOST_CHECK(!RenderTemplate("slack_sandbox", d, MrkdwnEscape, &out, {"no_such_partial"}));
  BOOST_CHECK_EQUAL(Fragment("no_such_template", d, MrkdwnEscape), "");
}

BOOST_AUTO_TEST_CASE(keeps_at_most_two_idle_copies) {
  TemplatePool pool;
  std::vector<TemplatePool::Ptr> taken;
  for (int i = 0; i < 4; ++i) {
    taken.push_back(pool.Take("text|text_service", "text", {"text_service"}));
    BOOST_REQUIRE(taken.back());
  }
  BOOST_CHECK_EQUAL(pool.Idle("text|text_service"), 0u);
  for (auto& t : taken) pool.Give("text|text_service", std::move(t));
  BOOST_CHECK_EQUAL(pool.Idle("text|text_service"), TemplatePool::kMaxIdle);
  TemplatePool::Ptr again = pool.Take("text|text_service", "text", {"text_service"});
  BOOST_CHECK(again);
  BOOST_CHECK_EQUAL(pool.Idle("text|text_service"), TemplatePool::kMaxIdle - 1);
}

BOOST_AUTO_TEST_SUITE_END()
