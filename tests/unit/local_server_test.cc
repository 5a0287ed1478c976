// The local socket's server: the caller comes from SO_PEERCRED (issue 16
// item 2), and requests are framed as on the chat listener.
#define BOOST_TEST_DYN_LINK
#include "bot/local_server.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <string>
#include <thread>

#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

int Connect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string Exchange(int fd, const std::string& request) {
  BOOST_REQUIRE(write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size()));
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) got.append(buf, static_cast<size_t>(n));
  return got;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(local_server)

BOOST_AUTO_TEST_CASE(peer_credentials_are_the_kernels) {
  int fds[2];
  BOOST_REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  PeerCredentials peer;
  BOOST_REQUIRE(ReadPeerCredentials(fds[0], &peer).ok());
  BOOST_CHECK_EQUAL(peer.uid, getuid());
  BOOST_CHECK_EQUAL(peer.gid, getgid());
  BOOST_CHECK_EQUAL(peer.pid, getpid());
  close(fds[0]);
  close(fds[1]);
  // Not a unix socket: no credentials, and no caller made up.
  int tcp = socket(AF_INET, SOCK_STREAM, 0);
  BOOST_CHECK(!ReadPeerCredentials(tcp, &peer).ok());
  close(tcp);
  BOOST_CHECK(!ReadPeerCredentials(-1, &peer).ok());
}

BOOST_AUTO_TEST_CASE(handlers_get_the_peer_not_what_the_body_says) {
  ScratchDir dir;
  const std::string path = dir.path() + "/s.sock";
  LocalServer server(LocalServer::Options{});
  server.Post("/who", [](const HttpRequest& req, const PeerCredentials& peer, HttpResponse* res) {
    res->Set("uid=" + std::to_string(peer.uid) + " pid=" + std::to_string(peer.pid) +
                 " body=" + req.body + " q=" + req.query,
             "text/plain");
  });
  std::string error;
  BOOST_REQUIRE_MESSAGE(server.Bind(path, 0600, &error), error);
  std::thread run([&] { server.Run(); });

  int fd = Connect(path);
  BOOST_REQUIRE(fd >= 0);
  const std::string body = R"({"user":"admin"})";
  std::string got = Exchange(fd,
                             "POST /who?a=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                             "Content-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n" + body);
  close(fd);
  BOOST_CHECK_MESSAGE(got.rfind("HTTP/1.1 200", 0) == 0, got);
  BOOST_CHECK_MESSAGE(
      got.find("uid=" + std::to_string(getuid()) + " pid=" + std::to_string(getpid()) +
               " body=" + body + " q=a=1") != std::string::npos,
      got);

  // Keep-alive: two requests on one connection; then an unknown path.
  fd = Connect(path);
  got = Exchange(fd,
                 "POST /who HTTP/1.1\r\nContent-Length: 1\r\n\r\nx"
                 "GET /nothing HTTP/1.1\r\nConnection: close\r\n\r\n");
  close(fd);
  BOOST_CHECK_MESSAGE(got.find("body=x") != std::string::npos, got);
  BOOST_CHECK_MESSAGE(got.find("HTTP/1.1 404") != std::string::npos, got);

  // A malformed request is answered and closed.
  fd = Connect(path);
  got = Exchange(fd, "POST /who HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  close(fd);
  BOOST_CHECK_MESSAGE(got.rfind("HTTP/1.1 501", 0) == 0 || got.rfind("HTTP/1.1 411", 0) == 0, got);

  server.Stop();
  run.join();
}

BOOST_AUTO_TEST_SUITE_END()
