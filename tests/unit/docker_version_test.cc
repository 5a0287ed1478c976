#define BOOST_TEST_DYN_LINK
#include "bot/docker_version.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(docker_version)

BOOST_AUTO_TEST_CASE(api_version_negotiation) {
  BOOST_TEST(ApiMinor("1.41") == 41);
  BOOST_TEST(ApiMinor("1.5") == 5);
  BOOST_TEST(ApiMinor("2.0") == -1);
  BOOST_TEST(ApiMinor("1.") == -1);
  BOOST_TEST(ApiMinor("1.4x") == -1);
  BOOST_TEST(ApiMinor("") == -1);
  BOOST_TEST(NegotiateApiVersion("1.41") == "1.41");
  BOOST_TEST(NegotiateApiVersion("1.45") == "1.45");
  BOOST_TEST(NegotiateApiVersion("1.56") == "1.45");
  BOOST_TEST(NegotiateApiVersion("") == "1.41");
  BOOST_TEST(NegotiateApiVersion("garbage") == "1.41");
}

BOOST_AUTO_TEST_CASE(ping_and_minimum_without_an_engine) {
  DockerTransport t("unix:///nonexistent/sandbot-test/docker.sock");
  std::string server = "stale";
  BOOST_TEST(PingEngine(t, &server).IsUnavailable());
  BOOST_TEST(server.empty());
  // /version is best effort: no answer is no objection.
  BOOST_TEST(CheckMinApiVersion(t, "1.41").ok());
}

BOOST_AUTO_TEST_SUITE_END()
