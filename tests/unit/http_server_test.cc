// The chat listener (bot/http_server.h) over real sockets on 127.0.0.1:
// keep-alive, pipelining, bodies in pieces, 100-continue, early answers that
// close the connection, timeouts, many connections at once, slow readers and
// stopping. The client side is plain POSIX sockets so every byte is the
// test's choice; every read has a deadline, so a failure cannot hang.
#define BOOST_TEST_DYN_LINK
#include "bot/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <mutex>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sandbot {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long any single read waits before the test gives up on it.
constexpr int kReadTimeoutSeconds = 3;

// Waits until `done()` holds or `limit` has passed; returns done().
template <typename F>
bool PollUntil(F done, milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) return done();
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// 2 MB that a truncated or reordered copy cannot match.
const std::string& BigBody() {
  static const std::string body = [] {
    std::string b(2 * 1024 * 1024, '\0');
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
    return b;
  }();
  return body;
}

struct Response {
  int status = 0;
  std::string head;  // status line, headers and the blank line
  std::string body;

  // The value of the first header of that name, "" when absent.
  std::string Header(std::string_view name) const {
    size_t pos = head.find("\r\n");
    while (pos != std::string::npos && pos + 2 < head.size()) {
      const size_t start = pos + 2;
      const size_t eol = head.find("\r\n", start);
      const std::string_view line(head.data() + start, eol - start);
      const size_t colon = line.find(':');
      if (colon == name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        return std::string(value);
      }
      pos = eol;
    }
    return "";
  }
  bool Closes() const { return Header("Connection") == "close"; }
};

// How a connection ended while the test waited for it to end.
enum class End { kEof, kReset, kData, kTimeout };

std::ostream& operator<<(std::ostream& os, End end) {
  switch (end) {
    case End::kEof: return os << "EOF";
    case End::kReset: return os << "reset";
    case End::kData: return os << "unexpected data";
    case End::kTimeout: return os << "still open";
  }
  return os;
}

// A client connection to 127.0.0.1:port. No Boost.Test assertions inside, so
// several threads may use clients at once; failures are return values.
class Client {
 public:
  // `receive_buffer` > 0 shrinks SO_RCVBUF before connecting (a slow reader).
  explicit Client(int port, int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    if (receive_buffer > 0) {
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    timeval timeout{kReadTimeoutSeconds, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Close();
  }
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return fd_ >= 0; }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads the next response: head, then a body of Content-Length bytes (none
  // for 1xx). False on EOF, error, timeout or a malformed answer.
  bool Read(Response* response) {
    for (;;) {
      const size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        Response r;
        r.head = buffer_.substr(0, end + 4);
        if (r.head.compare(0, 9, "HTTP/1.1 ") != 0 || r.head.size() < 12) return false;
        r.status = std::stoi(r.head.substr(9, 3));
        size_t length = 0;
        if (r.status >= 200) {
          const std::string value = r.Header("Content-Length");
          if (value.empty()) return false;
          length = std::stoul(value);
        }
        if (buffer_.size() >= end + 4 + length) {
          r.body = buffer_.substr(end + 4, length);
          buffer_.erase(0, end + 4 + length);
          *response = std::move(r);
          return true;
        }
      }
      if (Fill() <= 0) return false;
    }
  }

  // Sends a request and reads its response; status 0 when that failed.
  Response Exchange(std::string_view request) {
    Response r;
    if (!Send(request) || !Read(&r)) r.status = 0;
    return r;
  }

  // Everything until the server closes (or a read times out).
  std::string ReadToEnd() {
    while (Fill() > 0) {
    }
    std::string all;
    all.swap(buffer_);
    return all;
  }

  // Whether something (data or EOF) arrives within `limit`; reads nothing.
  bool WaitReadable(milliseconds limit) {
    pollfd p{fd_, POLLIN, 0};
    return !buffer_.empty() || poll(&p, 1, static_cast<int>(limit.count())) == 1;
  }

  // Waits up to `limit` for the server to end the connection, reading
  // nothing meanwhile: EOF (or reset) is expected, data or silence is not.
  End WaitForEnd(milliseconds limit) {
    if (!buffer_.empty()) return End::kData;
    const auto deadline = Clock::now() + limit;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) return End::kTimeout;
      pollfd p{fd_, POLLIN, 0};
      const int ready = poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return End::kTimeout;
      char byte;
      const ssize_t n = recv(fd_, &byte, 1, 0);
      if (n == 0) return End::kEof;
      if (n > 0) return End::kData;
      if (errno == EINTR || errno == EAGAIN) continue;
      return End::kReset;
    }
  }

 private:
  // One recv into the buffer: bytes read, 0 on EOF, -1 on error or timeout.
  ssize_t Fill() {
    char chunk[65536];
    ssize_t n;
    do {
      n = recv(fd_, chunk, sizeof chunk, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0) buffer_.append(chunk, static_cast<size_t>(n));
    return n;
  }

  int fd_ = -1;
  std::string buffer_;  // read, not yet returned
};

std::string Get(const std::string& path, const std::string& extra_headers = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n";
}

std::string Post(const std::string& path, const std::string& body,
                 const std::string& extra_headers = "") {
  return "POST " + path +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extra_headers + "\r\n" + body;
}

HttpServer::Options DefaultOptions() { return HttpServer::Options(); }

// An HttpServer on 127.0.0.1 with an ephemeral port, running two event loops
// on its own thread from construction until Stop() or destruction:
//   GET  /hello  "hello\n"
//   POST /echo   the request body
//   GET  /throw  throws std::runtime_error
//   GET  /big    BigBody()
// and a too-large handler that records what it saw.
class TestServer {
 public:
  explicit TestServer(HttpServer::Options options = DefaultOptions()) : server_(options) {
    server_.Get("/hello", [](const HttpRequest&, HttpResponse* res) { res->body = "hello\n"; });
    server_.Post("/echo", [](const HttpRequest& req, HttpResponse* res) {
      res->Set(req.body, "application/octet-stream");
    });
    server_.Get("/throw", [](const HttpRequest&, HttpResponse*) {
      throw std::runtime_error("handler failed on purpose");
    });
    server_.Get("/big", [](const HttpRequest&, HttpResponse* res) { res->body = BigBody(); });
    // Streaming answers: two lines, and one that runs until the server stops.
    server_.Get("/stream", [](const HttpRequest&, HttpResponse* res) {
      res->Set("", "text/event-stream");
      res->stream = [](int fd, const std::atomic<bool>&) {
        for (const char* line : {"data: a\n\n", "data: b\n\n"}) {
          (void)!send(fd, line, strlen(line), MSG_NOSIGNAL);
          std::this_thread::sleep_for(milliseconds(20));
        }
      };
    });
    server_.Get("/forever", [](const HttpRequest&, HttpResponse* res) {
      res->Set("", "text/event-stream");
      res->stream = [](int fd, const std::atomic<bool>& stopping) {
        (void)!send(fd, ": hi\n\n", 6, MSG_NOSIGNAL);
        while (!stopping) std::this_thread::sleep_for(milliseconds(10));
      };
    });
    // An answer deferred (HttpResponse::defer) and given 50 ms later by
    // another thread, as the forge door's group commit does.
    server_.Post("/later", [this](const HttpRequest& req, HttpResponse* res) {
      BOOST_REQUIRE(res->defer);
      HttpResponse::Reply reply = res->defer();
      std::lock_guard<std::mutex> lock(mu_);
      repliers_.emplace_back([reply = std::move(reply), body = req.body] {
        std::this_thread::sleep_for(milliseconds(50));
        HttpResponse answer;
        answer.status = 202;
        answer.Set("later " + body + "\n", "text/plain");
        reply(std::move(answer));
      });
    });
    server_.OnTooLarge([this](const HttpRequest& req, HttpResponse* res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        too_large_.push_back(req.path + " from " + req.remote_addr);
      }
      res->status = 413;
      res->Set("too large for " + req.path + "\n", "text/plain");
    });
    std::string error;
    BOOST_REQUIRE_MESSAGE(server_.Bind("127.0.0.1", 0, &error), "bind: " << error);
    port_ = server_.port();
    BOOST_REQUIRE_GT(port_, 0);
    thread_ = std::thread([this] {
      server_.Run(2);
      run_returned_ = true;
    });
  }
  ~TestServer() { Stop(); }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  void Stop() {
    JoinRepliers();
    if (!thread_.joinable()) return;
    server_.Stop();
    thread_.join();
  }
  void JoinRepliers() {
    std::vector<std::thread> threads;
    {
      std::lock_guard<std::mutex> lock(mu_);
      threads.swap(repliers_);
    }
    for (std::thread& t : threads) t.join();
  }

  int port() const { return port_; }
  HttpServer& server() { return server_; }
  bool run_returned() const { return run_returned_; }
  std::vector<std::string> too_large() {
    std::lock_guard<std::mutex> lock(mu_);
    return too_large_;
  }

 private:
  HttpServer server_;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> run_returned_{false};
  std::mutex mu_;
  std::vector<std::string> too_large_;  // "PATH from ADDR"
  std::vector<std::thread> repliers_;   // /later's
};

BOOST_AUTO_TEST_SUITE(http_server)

BOOST_AUTO_TEST_CASE(a_keep_alive_connection_answers_requests_one_after_another) {
  TestServer server;
  Client client(server.port());
  BOOST_REQUIRE(client.connected());
  for (const char* body : {"one", "two", "three"}) {
    Response r = client.Exchange(Post("/echo", body));
    BOOST_CHECK_EQUAL(r.status, 200);
    BOOST_CHECK_EQUAL(r.body, std::string(body));
    BOOST_CHECK_EQUAL(r.Header("Content-Type"), "application/octet-stream");
    BOOST_CHECK(!r.Closes());
  }
  BOOST_CHECK_EQUAL(server.server().connections(), 1);
}

BOOST_AUTO_TEST_CASE(a_streaming_answer_leaves_the_loop_and_ends_with_its_connection) {
  TestServer server;
  Client client(server.port());
  BOOST_REQUIRE(client.connected());
  BOOST_REQUIRE(client.Send(Get("/stream")));
  const std::string all = client.ReadToEnd();
  const size_t end = all.find("\r\n\r\n");
  BOOST_REQUIRE(end != std::string::npos);
  const std::string head = all.substr(0, end);
  BOOST_CHECK(head.rfind("HTTP/1.1 200 OK", 0) == 0);
  BOOST_CHECK(head.find("Content-Type: text/event-stream") != std::string::npos);
  BOOST_CHECK(head.find("Content-Length") == std::string::npos);
  BOOST_CHECK(head.find("Connection: close") != std::string::npos);
  BOOST_CHECK_EQUAL(all.substr(end + 4), "data: a\n\ndata: b\n\n");
  BOOST_CHECK(PollUntil([&] { return server.server().streams() == 0; }, milliseconds(2000)));
  // The loop still answers others meanwhile and after.
  Client other(server.port());
  BOOST_CHECK_EQUAL(other.Exchange(Get("/hello")).status, 200);
}

BOOST_AUTO_TEST_CASE(stopping_the_server_ends_its_streams) {
  HttpServer::Options options = DefaultOptions();
  options.max_streams = 1;
  TestServer server(options);
  Client client(server.port());
  BOOST_REQUIRE(client.Send(Get("/forever")));
  BOOST_REQUIRE(PollUntil([&] { return server.server().streams() == 1; }, milliseconds(2000)));
  // One stream at most here: the next gets 503.
  Client second(server.port());
  Response busy = second.Exchange(Get("/forever"));
  BOOST_CHECK_EQUAL(busy.status, 503);
  const auto start = Clock::now();
  server.Stop();
  BOOST_CHECK(server.run_returned());
  BOOST_CHECK_LT(SecondsSince(start), 2.0);
  BOOST_CHECK_EQUAL(server.server().streams(), 0);
  BOOST_CHECK(client.ReadToEnd().find(": hi") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pipelined_requests_in_one_write_are_answered_in_order) {
  TestServer server;
  Client client(server.port());
  BOOST_REQUIRE(client.Send(Post("/echo", "first") + Get("/missing") + Post("/echo", "third") +
                            Get("/hello")));
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "first");
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 404);
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "third");
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "hello\n");
  // Still open afterwards.
  r = client.Exchange(Get("/hello"));
  BOOST_CHECK_EQUAL(r.status, 200);
}

BOOST_AUTO_TEST_CASE(a_deferred_answer_comes_first_and_the_pipelined_request_after_it) {
  TestServer server;
  Client client(server.port());
  BOOST_REQUIRE(client.connected());
  BOOST_REQUIRE(client.Send(Post("/later", "one") + Get("/hello") + Post("/later", "two")));
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 202);
  BOOST_CHECK_EQUAL(r.body, "later one\n");
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "hello\n");
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.body, "later two\n");
  // The connection reads again once the answers are out.
  BOOST_CHECK_EQUAL(client.Exchange(Get("/hello")).body, "hello\n");
}

BOOST_AUTO_TEST_CASE(a_deferred_answer_to_a_connection_gone_meanwhile_is_dropped) {
  TestServer server;
  {
    Client gone(server.port());
    BOOST_REQUIRE(gone.connected());
    BOOST_REQUIRE(gone.Send(Post("/later", "lost")));
    BOOST_REQUIRE(
        PollUntil([&] { return server.server().connections() == 1; }, milliseconds(2000)));
  }
  server.JoinRepliers();  // the answer was given after the client left
  BOOST_CHECK(PollUntil([&] { return server.server().connections() == 0; }, milliseconds(2000)));
  Client client(server.port());
  BOOST_CHECK_EQUAL(client.Exchange(Post("/later", "next")).body, "later next\n");
}

BOOST_AUTO_TEST_CASE(a_request_split_over_several_writes_is_answered_once_complete) {
  TestServer server;
  Client client(server.port());
  const std::string request = Post("/echo", "hello, split world");
  // Pieces that cut the request line, a header, the blank line and the body.
  const size_t cuts[] = {
      0, 7, 30, request.size() - 20, request.size() - 18, request.size() - 5, request.size()};
  for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
    BOOST_REQUIRE(client.Send(request.substr(cuts[i], cuts[i + 1] - cuts[i])));
    std::this_thread::sleep_for(milliseconds(30));  // so each piece is its own read
  }
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "hello, split world");
}

BOOST_AUTO_TEST_CASE(an_unknown_path_gets_404_and_a_wrong_method_405_on_an_open_connection) {
  TestServer server;
  Client client(server.port());
  Response r = client.Exchange(Get("/nowhere"));
  BOOST_CHECK_EQUAL(r.status, 404);
  BOOST_CHECK(!r.Closes());
  r = client.Exchange(Get("/echo"));
  BOOST_CHECK_EQUAL(r.status, 405);
  BOOST_CHECK(!r.Closes());
  r = client.Exchange(Post("/hello", "x"));
  BOOST_CHECK_EQUAL(r.status, 405);
  r = client.Exchange(Get("/hello?x=1"));  // the query is not part of the path
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "hello\n");
}

BOOST_AUTO_TEST_CASE(expect_100_continue_gets_continue_before_the_body_is_sent) {
  TestServer server;
  Client client(server.port());
  BOOST_REQUIRE(client.Send(
      "POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n"));
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.head, "HTTP/1.1 100 Continue\r\n\r\n");
  BOOST_REQUIRE(client.Send("hello there"));
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "hello there");
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_gets_the_too_large_answer_and_the_connection_closes) {
  HttpServer::Options options;
  options.max_body_bytes = 1024;
  TestServer server(options);
  // The client waits for 100 Continue, as curl does: it gets the refusal
  // instead, without sending a byte of the body.
  Client client(server.port());
  BOOST_REQUIRE(
      client.Send("POST /upload?x=1 HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\n"
                  "Content-Length: 1048576\r\n\r\n"));
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 413);
  BOOST_CHECK_EQUAL(r.body, "too large for /upload\n");
  BOOST_CHECK(r.Closes());
  BOOST_CHECK_EQUAL(client.WaitForEnd(milliseconds(2000)), End::kEof);
  BOOST_REQUIRE_EQUAL(server.too_large().size(), 1u);
  BOOST_CHECK_EQUAL(server.too_large()[0], "/upload from 127.0.0.1");
  // Exactly at the limit is fine.
  Client fits(server.port());
  r = fits.Exchange(Post("/echo", std::string(1024, 'x')));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body.size(), 1024u);
  BOOST_CHECK_EQUAL(server.too_large().size(), 1u);
}

BOOST_AUTO_TEST_CASE(a_client_sending_a_too_large_body_without_waiting_still_reads_the_answer) {
  HttpServer::Options options;
  options.max_body_bytes = 1024;
  TestServer server(options);
  Client client(server.port());
  // 256 KB of the declared 1 MB in one go, before reading anything: the
  // server must answer, keep reading what comes, and close without a reset
  // that would lose the answer.
  BOOST_REQUIRE(client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1048576\r\n\r\n" +
                            std::string(256 * 1024, 'b')));
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 413);
  BOOST_CHECK_EQUAL(r.body, "too large for /echo\n");
  BOOST_CHECK(r.Closes());
  BOOST_CHECK_EQUAL(client.WaitForEnd(milliseconds(2000)), End::kEof);
  BOOST_REQUIRE_EQUAL(server.too_large().size(), 1u);
  BOOST_CHECK_EQUAL(server.too_large()[0], "/echo from 127.0.0.1");
}

BOOST_AUTO_TEST_CASE(a_malformed_request_gets_400_and_the_connection_closes) {
  TestServer server;
  Client client(server.port());
  // The request after the bad one is not answered.
  BOOST_REQUIRE(client.Send("BROKEN\r\n\r\n" + Get("/hello")));
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 400);
  BOOST_CHECK(r.Closes());
  BOOST_CHECK(!r.body.empty());
  BOOST_CHECK_EQUAL(client.WaitForEnd(milliseconds(2000)), End::kEof);

  Client chunked(server.port());
  r = chunked.Exchange(
      "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  BOOST_CHECK_EQUAL(r.status, 411);
  BOOST_CHECK(r.Closes());
  BOOST_CHECK_EQUAL(chunked.WaitForEnd(milliseconds(2000)), End::kEof);
}

BOOST_AUTO_TEST_CASE(connection_close_from_the_client_gets_the_answer_then_eof) {
  TestServer server;
  Client client(server.port());
  BOOST_REQUIRE(client.Send(Get("/hello", "Connection: close\r\n") + Get("/hello")));
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "hello\n");
  BOOST_CHECK(r.Closes());
  BOOST_CHECK_EQUAL(client.WaitForEnd(milliseconds(2000)), End::kEof);
}

BOOST_AUTO_TEST_CASE(http_1_0_closes_after_the_answer_unless_it_asks_for_keep_alive) {
  TestServer server;
  Client once(server.port());
  Response r = once.Exchange("GET /hello HTTP/1.0\r\n\r\n");
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "hello\n");
  BOOST_CHECK(r.Closes());
  BOOST_CHECK_EQUAL(once.WaitForEnd(milliseconds(2000)), End::kEof);

  Client kept(server.port());
  for (int i = 0; i < 2; ++i) {
    r = kept.Exchange("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    BOOST_CHECK_EQUAL(r.status, 200);
    BOOST_CHECK(!r.Closes());
  }
}

BOOST_AUTO_TEST_CASE(a_handler_that_throws_gets_500_and_the_connection_keeps_serving) {
  TestServer server;
  Client client(server.port());
  Response r = client.Exchange(Get("/throw"));
  BOOST_CHECK_EQUAL(r.status, 500);
  BOOST_CHECK(!r.Closes());
  r = client.Exchange(Get("/hello"));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "hello\n");
  Client other(server.port());
  r = other.Exchange(Get("/hello"));
  BOOST_CHECK_EQUAL(r.status, 200);
}

BOOST_AUTO_TEST_CASE(an_idle_keep_alive_connection_is_closed_after_the_idle_timeout) {
  HttpServer::Options options;
  options.idle_timeout_seconds = 1;
  TestServer server(options);
  Client client(server.port());
  BOOST_REQUIRE_EQUAL(client.Exchange(Get("/hello")).status, 200);
  const auto start = Clock::now();
  BOOST_CHECK_EQUAL(client.WaitForEnd(milliseconds(3500)), End::kEof);
  const double waited = SecondsSince(start);
  BOOST_CHECK_GT(waited, 0.5);  // not before the timeout (1 s after the answer)
  BOOST_CHECK_LT(waited, 3.5);
  BOOST_CHECK(PollUntil([&] { return server.server().connections() == 0; }, milliseconds(2000)));
}

BOOST_AUTO_TEST_CASE(a_request_not_completed_in_time_is_closed_after_the_request_timeout) {
  HttpServer::Options options;
  options.request_timeout_seconds = 1;
  options.idle_timeout_seconds = 60;
  TestServer server(options);
  Client idle(server.port());  // answered, then quiet: governed by the idle timeout
  BOOST_REQUIRE_EQUAL(idle.Exchange(Get("/hello")).status, 200);
  Client half_head(server.port());
  BOOST_REQUIRE(half_head.Send("GET /hello HTTP/1.1\r\nHost: test\r\n"));
  Client half_body(server.port());
  BOOST_REQUIRE(half_body.Send("POST /echo HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"));
  const auto deadline = Clock::now() + milliseconds(3500);
  const auto left = [&] {
    return std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  };
  const auto start = Clock::now();
  BOOST_CHECK_EQUAL(half_head.WaitForEnd(left()), End::kEof);
  BOOST_CHECK_EQUAL(half_body.WaitForEnd(left()), End::kEof);
  BOOST_CHECK_GT(SecondsSince(start), 0.5);
  BOOST_CHECK_LT(SecondsSince(start), 3.5);
  Response r = idle.Exchange(Get("/hello"));
  BOOST_CHECK_EQUAL(r.status, 200);
}

BOOST_AUTO_TEST_CASE(a_request_trickled_in_slowly_is_still_closed_at_the_request_timeout) {
  // A byte every 100 ms keeps the connection busy but the request never
  // completes: the timeout counts from the request's first byte.
  HttpServer::Options options;
  options.request_timeout_seconds = 1;
  TestServer server(options);
  Client client(server.port());
  const auto start = Clock::now();
  BOOST_REQUIRE(client.Send("POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\n"));
  End end = End::kTimeout;
  while (end == End::kTimeout && SecondsSince(start) < 3.5) {
    if (!client.Send("x")) {
      end = End::kReset;
      break;
    }
    end = client.WaitForEnd(milliseconds(100));
  }
  BOOST_CHECK_MESSAGE(end == End::kEof || end == End::kReset, "the connection ended with " << end);
  BOOST_CHECK_GT(SecondsSince(start), 0.5);
  BOOST_CHECK_LT(SecondsSince(start), 3.5);
}

BOOST_AUTO_TEST_CASE(a_head_over_the_limit_gets_431_and_the_connection_closes) {
  HttpServer::Options options;
  options.max_head_bytes = 1024;
  TestServer server(options);
  Client client(server.port());
  Response r = client.Exchange(Get("/hello", "X-Pad: " + std::string(2000, 'p') + "\r\n"));
  BOOST_CHECK_EQUAL(r.status, 431);
  BOOST_CHECK(r.Closes());
  BOOST_CHECK_EQUAL(client.WaitForEnd(milliseconds(2000)), End::kEof);
  // Empty lines without end are not buffered without end either.
  Client blank(server.port());
  std::string lines;
  for (int i = 0; i < 4096; ++i) lines += "\r\n";
  r = blank.Exchange(lines);
  BOOST_CHECK_EQUAL(r.status, 431);
  BOOST_CHECK(r.Closes());
  BOOST_CHECK_EQUAL(blank.WaitForEnd(milliseconds(2000)), End::kEof);
  // A head of exactly the limit (without its blank line) is served.
  Client fits(server.port());
  const std::string head = Get("/hello", "X-Pad: ");  // the blank line, 2 bytes short
  r = fits.Exchange(Get("/hello", "X-Pad: " + std::string(1024 + 2 - head.size(), 'p') + "\r\n"));
  BOOST_CHECK_EQUAL(r.status, 200);
}

BOOST_AUTO_TEST_CASE(twenty_connections_with_fifty_requests_each_all_get_their_own_answers) {
  TestServer server;
  constexpr int kThreads = 4, kConnectionsPerThread = 5, kRequests = 50;
  std::mutex mu;
  std::vector<std::string> failures;
  std::atomic<int> answered{0};
  auto fail = [&](const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    failures.push_back(what);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<std::unique_ptr<Client>> clients;
      for (int c = 0; c < kConnectionsPerThread; ++c) {
        clients.push_back(std::make_unique<Client>(server.port()));
        if (!clients.back()->connected()) return fail("cannot connect");
      }
      // Each round sends one request on every connection, then reads the
      // answers, so the server has all of them in flight at once.
      for (int i = 0; i < kRequests; ++i) {
        std::vector<std::string> bodies;
        for (int c = 0; c < kConnectionsPerThread; ++c) {
          const std::string body = "t" + std::to_string(t) + "c" + std::to_string(c) + "r" +
                                   std::to_string(i) + ":" +
                                   std::string(static_cast<size_t>((i * 131 + c * 17) % 3000), 'z');
          bodies.push_back(body);
          if (!clients[c]->Send(Post("/echo", body))) return fail("cannot send " + body);
        }
        for (int c = 0; c < kConnectionsPerThread; ++c) {
          Response r;
          if (!clients[c]->Read(&r)) return fail("no answer to " + bodies[c].substr(0, 12));
          if (r.status != 200 || r.body != bodies[c]) {
            return fail("wrong answer to " + bodies[c].substr(0, 12) + ": " +
                        std::to_string(r.status) + " " + r.body.substr(0, 12));
          }
          ++answered;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  BOOST_CHECK_MESSAGE(failures.empty(), failures.size() << " failures, first: "
                                                        << (failures.empty() ? "" : failures[0]));
  BOOST_CHECK_EQUAL(answered.load(), kThreads * kConnectionsPerThread * kRequests);
  // Every client has closed: the server notices them all.
  BOOST_CHECK(PollUntil([&] { return server.server().connections() == 0; }, milliseconds(2000)));
}

BOOST_AUTO_TEST_CASE(connections_counts_open_connections_and_returns_to_zero_after_they_close) {
  TestServer server;
  BOOST_CHECK_EQUAL(server.server().connections(), 0);
  {
    Client a(server.port()), b(server.port()), c(server.port());
    for (Client* client : {&a, &b, &c}) {
      BOOST_REQUIRE_EQUAL(client->Exchange(Get("/hello")).status, 200);
    }
    BOOST_CHECK_EQUAL(server.server().connections(), 3);
    a.Close();
    BOOST_CHECK(PollUntil([&] { return server.server().connections() == 2; }, milliseconds(2000)));
  }
  BOOST_CHECK(PollUntil([&] { return server.server().connections() == 0; }, milliseconds(2000)));
  BOOST_CHECK_EQUAL(server.server().connections(), 0);
}

BOOST_AUTO_TEST_CASE(large_answers_to_a_slow_reader_arrive_complete_and_the_connection_goes_on) {
  TestServer server;
  Client client(server.port(), /*receive_buffer=*/16 * 1024);
  // 6 MB of answers is more than a loopback socket takes at once (its send
  // buffer grows to tcp_wmem's 4 MB at most): the server must wait for
  // EPOLLOUT, and meanwhile the next request arrives.
  BOOST_REQUIRE(client.Send(Get("/big") + Get("/big") + Get("/big")));
  std::this_thread::sleep_for(milliseconds(300));  // not reading yet
  BOOST_REQUIRE(client.Send(Post("/echo", "after the big ones")));
  std::this_thread::sleep_for(milliseconds(100));
  for (int i = 0; i < 3; ++i) {
    Response r;
    BOOST_REQUIRE(client.Read(&r));
    BOOST_CHECK_EQUAL(r.status, 200);
    BOOST_CHECK_EQUAL(r.body.size(), BigBody().size());
    BOOST_CHECK(r.body == BigBody());
  }
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_CHECK_EQUAL(r.body, "after the big ones");
}

BOOST_AUTO_TEST_CASE(stop_with_clients_connected_returns_promptly_and_closes_them) {
  auto server = std::make_unique<TestServer>();
  Client idle(server->port());
  BOOST_REQUIRE_EQUAL(idle.Exchange(Get("/hello")).status, 200);
  Client half(server->port());
  BOOST_REQUIRE_EQUAL(half.Exchange(Get("/hello")).status, 200);
  BOOST_REQUIRE(half.Send("POST /echo HTTP/1.1\r\nContent-Length: 100\r\n\r\nab"));
  Client slow(server->port(), /*receive_buffer=*/16 * 1024);
  BOOST_REQUIRE(slow.Send(Get("/big") + Get("/big") + Get("/big")));  // answers stuck in the socket
  BOOST_REQUIRE(slow.WaitReadable(milliseconds(2000)));
  BOOST_CHECK_EQUAL(server->server().connections(), 3);
  const auto start = Clock::now();
  server->Stop();
  BOOST_CHECK_LT(SecondsSince(start), 2.0);
  BOOST_CHECK(server->run_returned());
  BOOST_CHECK_EQUAL(server->server().connections(), 0);
  BOOST_CHECK_EQUAL(idle.WaitForEnd(milliseconds(2000)), End::kEof);
  // A reset if the server had not read "ab" yet when it closed.
  const End end = half.WaitForEnd(milliseconds(2000));
  BOOST_CHECK_MESSAGE(end == End::kEof || end == End::kReset, "the connection ended with " << end);
}

BOOST_AUTO_TEST_CASE(binding_a_port_already_in_use_fails_with_a_reason) {
  TestServer first;
  HttpServer second{HttpServer::Options()};
  BOOST_CHECK_EQUAL(second.port(), 0);  // not bound yet
  std::string error;
  BOOST_CHECK(!second.Bind("127.0.0.1", first.port(), &error));
  BOOST_CHECK(!error.empty());
  BOOST_CHECK_EQUAL(second.port(), 0);
  // The first server is unaffected.
  Client client(first.port());
  BOOST_CHECK_EQUAL(client.Exchange(Get("/hello")).status, 200);
}

BOOST_AUTO_TEST_CASE(a_client_trickling_bytes_after_a_413_is_closed_at_the_drain_deadline) {
  // The attack: an early answer (413) puts the connection in its closing
  // state, and a byte every 300 ms used to keep it there for as long as the
  // client liked (45 s and counting).
  HttpServer::Options options;
  options.max_body_bytes = 1024;
  TestServer server(options);
  Client client(server.port());
  BOOST_REQUIRE(
      client.Send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 1048576\r\n\r\n"));
  Response r;
  BOOST_REQUIRE(client.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 413);
  const auto start = Clock::now();
  bool closed = false;
  while (SecondsSince(start) < 6 && !closed) {
    client.Send("x");  // fails once the server has closed its end: that is fine
    closed = PollUntil([&] { return server.server().connections() == 0; }, milliseconds(300));
  }
  BOOST_CHECK_MESSAGE(closed, "the closing connection was still open after 6 s of trickling");
  BOOST_CHECK_LT(SecondsSince(start), 4.5);  // 2 s of draining, swept once a second
}

BOOST_AUTO_TEST_CASE(a_new_connection_over_the_per_source_limit_replaces_the_oldest_idle_one) {
  HttpServer::Options options;
  options.max_connections_per_source = 4;
  TestServer server(options);
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<Client>(server.port()));
    BOOST_REQUIRE(idle.back()->connected());
    // One answered request each, in order: the first is the least recently active.
    BOOST_REQUIRE_EQUAL(idle.back()->Exchange(Get("/hello")).status, 200);
    std::this_thread::sleep_for(milliseconds(20));
  }
  BOOST_REQUIRE(PollUntil([&] { return server.server().connections() == 4; }, milliseconds(1000)));
  // Both loops hold some of the four; the newcomer evicts the oldest idle
  // one of its own loop. Either way it is answered and the count stays at 4.
  Client fresh(server.port());
  BOOST_CHECK_EQUAL(fresh.Exchange(Get("/hello")).status, 200);
  BOOST_CHECK(PollUntil([&] { return server.server().connections() == 4; }, milliseconds(1000)));
  int ended = 0;
  for (auto& c : idle) {
    if (c->WaitForEnd(milliseconds(200)) == End::kEof) ++ended;
  }
  BOOST_CHECK_EQUAL(ended, 1);
}

BOOST_AUTO_TEST_CASE(over_the_per_source_limit_with_nothing_idle_the_new_connection_is_closed) {
  HttpServer::Options options;
  options.max_connections_per_source = 2;
  TestServer server(options);
  // Two connections in the middle of a request: neither may be cut off.
  Client a(server.port()), b(server.port());
  BOOST_REQUIRE(a.Send("GET /hello HTTP/1.1\r\n"));
  BOOST_REQUIRE(b.Send("GET /hello HTTP/1.1\r\n"));
  BOOST_REQUIRE(PollUntil([&] { return server.server().connections() == 2; }, milliseconds(1000)));
  std::this_thread::sleep_for(milliseconds(50));  // both heads partly read
  Client c(server.port());
  const End end = c.WaitForEnd(milliseconds(1000));
  BOOST_CHECK(end == End::kEof || end == End::kReset);
  // The two keep their place and are answered.
  Response r;
  BOOST_REQUIRE(a.Send("Host: test\r\n\r\n") && a.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
  BOOST_REQUIRE(b.Send("Host: test\r\n\r\n") && b.Read(&r));
  BOOST_CHECK_EQUAL(r.status, 200);
}

BOOST_AUTO_TEST_CASE(the_connection_limit_stays_under_the_open_file_limit) {
  rlimit saved{};
  BOOST_REQUIRE_EQUAL(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = 300;
  BOOST_REQUIRE_EQUAL(setrlimit(RLIMIT_NOFILE, &low), 0);
  int limit = 0;
  {
    TestServer server;  // max_connections 4096 by default
    BOOST_REQUIRE(
        PollUntil([&] { return server.server().MaxConnections() > 0; }, milliseconds(1000)));
    limit = server.server().MaxConnections();
    Client client(server.port());
    BOOST_CHECK_EQUAL(client.Exchange(Get("/hello")).status, 200);
  }
  BOOST_REQUIRE_EQUAL(setrlimit(RLIMIT_NOFILE, &saved), 0);
  // 300 less a reserve of 64 and the eviction headroom of 16.
  BOOST_CHECK_EQUAL(limit, 220);
  BOOST_CHECK_GE(HttpServer::RaiseOpenFileLimit(), 300);
}

BOOST_AUTO_TEST_CASE(what_the_listener_refuses_on_its_own_is_counted_by_reason) {
  Metrics metrics;
  HttpServer::Options options;
  options.metrics = &metrics;
  options.max_connections_per_source = 2;
  options.request_timeout_seconds = 1;
  TestServer server(options);
  {
    Client client(server.port());
    BOOST_CHECK_EQUAL(client.Exchange(Get("/nowhere")).status, 404);
    BOOST_CHECK_EQUAL(client.Exchange(Post("/hello", "x")).status, 405);
    BOOST_CHECK_EQUAL(client.Exchange(Get("/hello")).status, 200);
  }
  {
    Client client(server.port());
    BOOST_CHECK_EQUAL(client.Exchange("BROKEN\r\n\r\n").status, 400);
  }
  // Two connections in the middle of a request; a third one is refused,
  // then the two time out.
  Client a(server.port()), b(server.port());
  BOOST_REQUIRE(a.Send("GET /hello HTTP/1.1\r\n"));
  BOOST_REQUIRE(b.Send("GET /hello HTTP/1.1\r\n"));
  BOOST_REQUIRE(PollUntil([&] { return server.server().connections() == 2; }, milliseconds(1000)));
  std::this_thread::sleep_for(milliseconds(50));
  Client c(server.port());
  const End end = c.WaitForEnd(milliseconds(1000));
  BOOST_CHECK(end == End::kEof || end == End::kReset);
  BOOST_CHECK_EQUAL(a.WaitForEnd(milliseconds(3000)), End::kEof);
  BOOST_CHECK(
      PollUntil([&] { return metrics.Rejections(Door::kHttp, RejectReason::kTimeout) == 2; },
                milliseconds(2000)));
  BOOST_CHECK_EQUAL(metrics.Rejections(Door::kHttp, RejectReason::kNotFound), 2);
  BOOST_CHECK_EQUAL(metrics.Rejections(Door::kHttp, RejectReason::kBadRequest), 1);
  BOOST_CHECK_EQUAL(metrics.Rejections(Door::kHttp, RejectReason::kConnectionLimit), 1);
  BOOST_CHECK_EQUAL(metrics.Rejections(Door::kHttp, RejectReason::kTimeout), 2);
  // A too-large body goes to the handler, which counts it where it knows
  // the door (bot/chat_server.cc).
  BOOST_CHECK_EQUAL(metrics.Rejections(Door::kHttp, RejectReason::kTooLarge), 0);
}

BOOST_AUTO_TEST_CASE(every_answer_is_counted_by_door_and_status_class) {
  Metrics metrics;
  HttpServer::Options options;
  options.metrics = &metrics;
  options.max_body_bytes = 16;
  TestServer server(options);
  {
    Client client(server.port());
    BOOST_CHECK_EQUAL(client.Exchange(Get("/hello")).status, 200);
    BOOST_CHECK_EQUAL(client.Exchange(Get("/hello")).status, 200);
    BOOST_CHECK_EQUAL(client.Exchange(Get("/nowhere")).status, 404);
    BOOST_CHECK_EQUAL(client.Exchange(Get("/throw")).status, 500);
    BOOST_CHECK_EQUAL(client.Exchange(Get("/ui/")).status, 404);
  }
  {
    Client client(server.port());
    BOOST_CHECK_EQUAL(client.Exchange(Post("/teams/messages", std::string(100, 'x'))).status, 413);
  }
  {
    Client client(server.port());
    BOOST_CHECK_EQUAL(client.Exchange("BROKEN\r\n\r\n").status, 400);
  }
  BOOST_CHECK_EQUAL(metrics.Requests(Door::kHttp, 200), 2);
  BOOST_CHECK_EQUAL(metrics.Requests(Door::kHttp, 404), 2);  // and the 400: one class
  BOOST_CHECK_EQUAL(metrics.Requests(Door::kHttp, 500), 1);
  BOOST_CHECK_EQUAL(metrics.Requests(Door::kWeb, 404), 1);
  BOOST_CHECK_EQUAL(metrics.Requests(Door::kTeams, 413), 1);
  BOOST_CHECK_EQUAL(metrics.Requests(Door::kSlack, 200), 0);
}

BOOST_AUTO_TEST_CASE(a_burst_of_idle_connections_over_the_limit_never_turns_a_new_request_away) {
  Metrics metrics;
  HttpServer::Options options;
  options.max_connections = 20;
  options.max_connections_per_source = 10000;
  options.metrics = &metrics;
  TestServer server(options);
  // Far past the limit and its headroom, faster than the loops hand
  // connections to each other: each new one takes an idle one's place.
  std::vector<std::unique_ptr<Client>> idle;
  for (int i = 0; i < 300; ++i) idle.push_back(std::make_unique<Client>(server.port()));
  for (int i = 0; i < 20; ++i) {
    Client client(server.port());
    BOOST_CHECK_EQUAL(client.Exchange(Get("/hello")).status, 200);
  }
  BOOST_CHECK_EQUAL(metrics.Rejections(Door::kHttp, RejectReason::kConnectionLimit), 0);
  BOOST_CHECK_LE(server.server().connections(), 20 + 16);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
