#define BOOST_TEST_DYN_LINK
#include "bot/docker_version.h"

#include <boost/test/unit_test.hpp>
#include <string>

#include "tests/unit/podman_answers.h"

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
  // /version is best effort: no answer is no objection, and dockerd.
  EngineVersion engine;
  engine.podman = true;
  ReadEngineVersion(t, &engine);
  BOOST_TEST(!engine.podman);
  BOOST_TEST(engine.min_api.empty());
  BOOST_TEST(CheckMinApiVersion(t.endpoint(), engine, "1.41").ok());
}

BOOST_AUTO_TEST_CASE(version_answer_says_minimum_and_podman) {
  EngineVersion podman = ParseEngineVersion(recorded::kPodmanVersion);
  BOOST_TEST(podman.podman);
  BOOST_TEST(podman.product == "Podman Engine 4.3.1");
  // The top-level minimum is the Docker API's; the component's "4.0.0" is
  // Podman's own API and must not be read as one.
  BOOST_TEST(podman.min_api == "1.24");
  BOOST_TEST(CheckMinApiVersion("unix:///p.sock", podman, "1.41").ok());
  EngineVersion docker = ParseEngineVersion(recorded::kDockerVersion);
  BOOST_TEST(!docker.podman);
  BOOST_TEST(docker.min_api == "1.12");
  BOOST_TEST(!ParseEngineVersion("not json").podman);
  EngineVersion strict = ParseEngineVersion(R"({"MinAPIVersion":"1.44"})");
  BOOST_TEST(CheckMinApiVersion("unix:///d.sock", strict, "1.41").IsUnavailable());
}

BOOST_AUTO_TEST_SUITE_END()
