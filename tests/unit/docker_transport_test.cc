#define BOOST_TEST_DYN_LINK
#include "bot/docker_transport.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>

#include "tests/unit/test_util.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(docker_transport)

// No engine involved: the message says why nothing answered.
BOOST_AUTO_TEST_CASE(missing_socket_is_unavailable_and_says_why) {
  DockerTransport t("unix:///nonexistent/sandbot-test/docker.sock");
  DockerCall call;
  call.path = "/_ping";
  DockerReply reply;
  Status s = t.Send(call, &reply);
  BOOST_TEST(s.IsUnavailable());
  BOOST_TEST(s.message().find("/nonexistent/sandbot-test/docker.sock does not exist") !=
             std::string::npos);
  BOOST_TEST(s.message().find("systemctl start docker") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_plain_file_is_not_a_socket) {
  ScratchDir dir;
  const std::string path = dir.path() + "/docker.sock";
  std::ofstream(path) << "x";
  DockerTransport t(path);  // a bare absolute path is a unix socket
  DockerCall call;
  call.path = "/_ping";
  DockerReply reply;
  Status s = t.Send(call, &reply);
  BOOST_TEST(s.IsUnavailable());
  BOOST_TEST(s.message().find(path + " is not a socket") != std::string::npos, s.message());
}

BOOST_AUTO_TEST_CASE(unsupported_endpoints_are_invalid_before_any_request) {
  for (const char* e :
       {"ssh://host", "unix://relative.sock", "npipe:////./pipe/docker", "tcp://", "http:///"}) {
    DockerTransport t(e);
    DockerCall call;
    DockerReply reply;
    Status s = t.Send(call, &reply);
    BOOST_TEST(s.IsInvalidArgument(), e << ": " << s.ToString());
    BOOST_TEST(t.endpoint() == e);
  }
}

BOOST_AUTO_TEST_CASE(missing_body_file_is_not_found) {
  ScratchDir dir;
  // Checked before connecting: a TCP port where nobody listens is fine.
  DockerTransport t("tcp://127.0.0.1:1");
  DockerCall call;
  call.method = "POST";
  call.body_file = dir.path() + "/no.tar";
  DockerReply reply;
  BOOST_TEST(t.Send(call, &reply).IsNotFound());
}

BOOST_AUTO_TEST_SUITE_END()
