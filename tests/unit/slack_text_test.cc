#define BOOST_TEST_DYN_LINK
#include "bot/slack_text.h"

#include <boost/test/unit_test.hpp>

#include "handlers/command.h"

using namespace sandbot;

namespace {

const std::string kNbsp = "\xC2\xA0";

// The command the Slack door hands on for `text`, as "family verb field=value".
std::string Parsed(const std::string& family, const std::string& text, Status* status) {
  Command c;
  *status = ParseCommand(family, SlackCommandText(text), &c);
  std::string out = c.family + " " + c.verb;
  for (const auto& [name, value] : {std::pair<const char*, std::string>{"sandbox", c.sandbox},
                                    {"service", c.service},
                                    {"branch", c.branch},
                                    {"route", c.route}}) {
    if (!value.empty()) out += std::string(" ") + name + "=" + value;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(slack_text)

BOOST_AUTO_TEST_CASE(unwraps_links_and_mentions) {
  BOOST_CHECK_EQUAL(UnwrapSlack("user <http://10.0.0.5:9000> in qa"),
                    "user http://10.0.0.5:9000 in qa");
  BOOST_CHECK_EQUAL(UnwrapSlack("<@U123|ana> <#C1> <http://x|label>"), "ana #C1 label");
  BOOST_CHECK_EQUAL(UnwrapSlack("a < b"), "a < b");  // no closing '>': kept
}

BOOST_AUTO_TEST_CASE(parses_what_slack_sends) {
  const struct {
    std::string family, text, parsed;
  } cases[] = {
      // NBSP that Slack clients insert separates words.
      {"sandbox", "status" + kNbsp + "qa-login", "sandbox status sandbox=qa-login"},
      {"deploy", kNbsp + "web" + kNbsp + kNbsp + "main" + kNbsp,
       "deploy deploy service=web branch=main"},
      // Links and mentions.
      {"/route", "user <http://10.0.0.5:9000> in qa",
       "route set sandbox=qa service=user route=http://10.0.0.5:9000"},
      {"/route", "user <https://x.example.com/a|https://x.example.com/a>",
       "route set service=user route=https://x.example.com/a"},
      {"/sandbox", "status <#C123|qa-login>", "sandbox status sandbox=qa-login"},
      // Entities after unwrapping, as before.
      {"/deploy", "web fix&amp;co to qa", "deploy deploy sandbox=qa service=web branch=fix&co"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.family << " " << c.text) {
      Status s;
      BOOST_CHECK_EQUAL(Parsed(c.family, c.text, &s), c.parsed);
      BOOST_CHECK_MESSAGE(s.ok(), s.ToString());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_link_label_is_what_is_parsed) {
  Status s;
  Parsed("route", "user <http://10.0.0.5:9000|10.0.0.5:9000> in qa", &s);
  BOOST_CHECK(s.IsInvalidArgument());
  BOOST_CHECK_MESSAGE(
      s.message().find("'10.0.0.5:9000' is not an allowed URL") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_SUITE_END()
