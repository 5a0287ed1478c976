#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

#include "bot/config.h"
#include "hooks/hook_install.h"
#include "hooks/spool.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(hook)

BOOST_AUTO_TEST_CASE(hook_script_quotes_everything) {
  std::string script = PostReceiveHookScript("/usr/bin/sandbot", "/var/lib/o'brien", "web");
  BOOST_CHECK_EQUAL(script,
                    "#!/bin/sh\n# installed by sandbot (sandbot repo add): hands each push to the "
                    "sandbot daemon\nexec '/usr/bin/sandbot' hook post-receive --data "
                    "'/var/lib/o'\\''brien' --repo 'web'\n");
}

BOOST_AUTO_TEST_CASE(spool_files_are_complete_and_ordered) {
  ScratchDir dir;
  std::string a, b;
  BOOST_REQUIRE(WriteSpoolFile(dir.path() + "/spool", "{\"n\":1}", &a).ok());
  BOOST_REQUIRE(WriteSpoolFile(dir.path() + "/spool", "{\"n\":2}", &b).ok());
  std::ofstream(dir.path() + "/spool/.tmp-half.json") << "{";  // an interrupted write
  auto names = ListSpoolFiles(dir.path() + "/spool");
  BOOST_REQUIRE_EQUAL(names.size(), 2u);
  BOOST_CHECK_EQUAL(names[0], a);
  BOOST_CHECK_EQUAL(names[1], b);
  std::ifstream in(dir.path() + "/spool/" + b);
  std::stringstream text;
  text << in.rdbuf();
  BOOST_CHECK_EQUAL(text.str(), "{\"n\":2}");
}

BOOST_AUTO_TEST_CASE(spool_reports_an_unwritable_folder) {
  std::string name;
  Status s = WriteSpoolFile("/proc/sandbot-cannot-exist", "{}", &name);
  BOOST_CHECK(s.IsUnavailable());
}

BOOST_AUTO_TEST_CASE(config_parsing) {
  int lo, hi, port;
  std::string host;
  BOOST_CHECK(ParsePortRange("9001-9999", &lo, &hi).ok());
  BOOST_CHECK_EQUAL(lo, 9001);
  BOOST_CHECK_EQUAL(hi, 9999);
  for (const std::string bad : {"9001", "9999-9001", "0-10", "a-b", "1-70000", ""}) {
    BOOST_CHECK_MESSAGE(!ParsePortRange(bad, &lo, &hi).ok(), bad);
  }
  BOOST_CHECK(ParseListen("127.0.0.1:8088", &host, &port).ok());
  BOOST_CHECK_EQUAL(host, "127.0.0.1");
  BOOST_CHECK_EQUAL(port, 8088);
  BOOST_CHECK(ParseListen("[::1]:80", &host, &port).ok());
  BOOST_CHECK_EQUAL(host, "::1");
  BOOST_CHECK(!ParseListen("8088", &host, &port).ok());
  BOOST_CHECK(!ParseListen("x:99999", &host, &port).ok());
}

BOOST_AUTO_TEST_SUITE_END()
