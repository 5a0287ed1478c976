#define BOOST_TEST_DYN_LINK
#include "templates/escape.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(escape)

const char kZw[] = "\xE2\x80\x8B";  // U+200B

BOOST_AUTO_TEST_CASE(json_strings) {
  BOOST_CHECK_EQUAL(JsonEscape("q\"b\\\n\x01"), "q\\\"b\\\\\\u000a\\u0001");
  BOOST_CHECK_EQUAL(JsonEscape("bad\xFF"), "bad\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(slack_mrkdwn) {
  BOOST_CHECK_EQUAL(MrkdwnEscape("<@U1> a&b <!channel>"), "&lt;@U1&gt; a&amp;b &lt;!channel&gt;");
  BOOST_CHECK_EQUAL(MrkdwnCodeEscape("a`b"),
                    "a\xCB\x8B"
                    "b");
}

BOOST_AUTO_TEST_CASE(markdown_links_and_mentions) {
  BOOST_CHECK_EQUAL(NoMarkdownLinks("[x](y)"), std::string("[x]") + kZw + "(y)");
  BOOST_CHECK_EQUAL(MattermostEscape("@channel web@feature"),
                    std::string("@") + kZw + "channel web@feature");
  BOOST_CHECK_EQUAL(TeamsTextEscape("a<b\nc"), "a&lt;b\n\nc");
  BOOST_CHECK_EQUAL(TeamsCardEscape("[x](y) \""), std::string("[x]") + kZw + "(y) \\\"");
}

BOOST_AUTO_TEST_CASE(terminal) {
  BOOST_CHECK_EQUAL(PlainEscape("a\x1b[31m\tb\nc\x7f\xC2\x9B"
                                "d"),
                    "a?[31m\tb\nc??d");
}

BOOST_AUTO_TEST_SUITE_END()
