// HttpServer: the daemon's TCP listener (chat front doors and /healthz), a
// few epoll event loops sharing one listening socket.
//
// Why not cpp-httplib's server (nor bot/local_server.h, the local socket's):
// they give every keep-alive connection a thread, so each request costs a
// thread wake-up and a poll() before its read, about 30 us of a 2-core
// machine's CPU before any work; here a loop answers whatever connections are
// ready with one epoll_wait, one read and one write each.
//
// Handlers run on the loop thread that read the request, so they must not
// block for long: the chat handlers only read and write the store (Docker
// work is queued for the workers). New connections are dealt to the loops in
// turn, and each loop owns the connections it was dealt.
#ifndef SANDBOT_BOT_HTTP_SERVER_H_
#define SANDBOT_BOT_HTTP_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "bot/http_request.h"
#include "bot/metrics.h"

namespace sandbot {

class HttpServer {
 public:
  using Handler = std::function<void(const HttpRequest&, HttpResponse*)>;

  struct Options {
    size_t max_head_bytes = 16 * 1024;
    size_t max_body_bytes = 1024 * 1024;
    int request_timeout_seconds = 10;  // a request begun must be complete by then
    int idle_timeout_seconds = 60;     // a keep-alive connection with nothing to do
    // At most this many connections, and never more than the open-file
    // limit allows with a reserve left for the store, the engine and the
    // local socket (see MaxConnections()). At the limit a new connection
    // takes the place of the oldest idle keep-alive one; with none idle, it
    // is closed.
    int max_connections = 4096;
    // At most this many from one address, the same way: one client cannot
    // take every descriptor.
    int max_connections_per_source = 256;
    // Where what the listener refuses on its own is counted (door "http":
    // no route, bad framing, timeouts, connections over a limit or shed);
    // may be null. The chat routes count their own refusals. Every answer
    // is counted there too, by door and status class.
    Metrics* metrics = nullptr;
    // Streaming answers (HttpResponse::stream) at once; one more gets 503.
    int max_streams = 32;
  };

  explicit HttpServer(Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // `path` may hold "{name}" segments, each matching one non-empty segment
  // ("/forges/{name}/webhook"); the handler reads them from request.path.
  void Get(const std::string& path, Handler handler);
  void Post(const std::string& path, Handler handler);
  // Answers a request whose Content-Length is over max_body_bytes. The body
  // is not read, and the connection is closed after the answer. Without a
  // handler the answer is a plain 413.
  void OnTooLarge(Handler handler);
  // The same for the paths `path` matches (as in Post), before the handler
  // above: a door that records its own refusals (the forge webhook).
  void OnTooLarge(const std::string& path, Handler handler);

  // Binds HOST:PORT (SO_REUSEADDR, backlog SOMAXCONN). On failure returns
  // false with the reason in `error`.
  bool Bind(const std::string& host, int port, std::string* error);
  // Serves on `loops` event loops until Stop(); returns once all have ended.
  void Run(int loops);
  // Ends Run(): open connections are closed. Safe from any thread.
  void Stop();
  // Returns once `loops` event loops run (Run(loops) on another thread).
  void WaitUntilRunning(int loops);

  // The bound port (useful after Bind(host, 0)); 0 before Bind.
  int port() const;
  // Streaming answers running now.
  int streams() const { return active_streams_.load(); }
  // Connections open now (for tests and logs).
  int connections() const { return open_connections_.load(); }
  // The connection limit in force: Options::max_connections, lowered to fit
  // under RLIMIT_NOFILE with a reserve (known once Run() has started).
  int MaxConnections() const { return max_connections_.load(); }
  // Raises this process's soft RLIMIT_NOFILE to its hard limit (the daemon
  // calls it at start; systemd/sandbot.service sets LimitNOFILE). Returns the
  // soft limit now in force.
  static long RaiseOpenFileLimit();

 private:
  struct Route {
    std::string method, path;
    Handler handler;
  };
  struct Connection;
  struct Mailbox;
  class Loop;

  void Dispatch(const HttpRequest& request, HttpResponse* response) const;
  // Gives `fd` (a dup of a connection the loop let go, `head` not yet
  // written) to a thread that writes the head and runs response.stream.
  // False when max_streams run already.
  bool StartStream(int fd, std::string head, HttpResponse::StreamFn stream);
  void JoinStreams(bool all);
  void Count(RejectReason reason) const;
  // sandbot_requests_total: every answer to a request that was read.
  void CountAnswer(Door door, int status) const;
  void LoopStarted();
  // Connections open from `source` after adding `delta`.
  int CountSource(const std::string& source, int delta);
  // Out of descriptors: accepts one waiting connection into the reserve
  // descriptor and closes it, so the backlog drains instead of waking every
  // loop forever; logs at most one line every 10 s.
  void ShedOneConnection(int accept_errno);

  Options options_;
  std::vector<Route> routes_;
  Handler too_large_;
  std::vector<Route> too_large_routes_;  // method unused
  void TooLarge(const HttpRequest& request, HttpResponse* response) const;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd every loop watches
  std::atomic<int> open_connections_{0};
  std::atomic<int> max_connections_{0};  // set by Run()
  std::mutex sources_mu_;
  std::unordered_map<std::string, int> per_source_;  // open connections by address
  std::mutex reserve_mu_;
  int reserve_fd_ = -1;  // /dev/null, given up to accept-and-close when out of descriptors
  int64_t last_shed_warning_ms_ = 0;          // under reserve_mu_
  long shed_since_warning_ = 0;               // under reserve_mu_
  std::vector<std::unique_ptr<Loop>> loops_;  // while Run() runs
  std::atomic<unsigned> next_loop_{0};        // the loop the next connection goes to
  std::mutex started_mu_;
  std::condition_variable started_cv_;
  int started_loops_ = 0;
  struct Stream {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex streams_mu_;
  std::vector<Stream> streams_;  // under streams_mu_
  std::atomic<int> active_streams_{0};
  std::atomic<bool> stopping_{false};
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_HTTP_SERVER_H_
