// HttpServer: the daemon's TCP listener (chat front doors and /healthz), a
// few epoll event loops sharing one listening socket.
//
// Why not cpp-httplib's server, which the local socket still uses: it gives
// every keep-alive connection a pooled thread, so each request costs a thread
// wake-up and a poll() before its read, about 30 us of a 2-core machine's CPU
// before any work; here a loop answers whatever connections are ready with
// one epoll_wait, one read and one write each.
//
// Handlers run on the loop thread that read the request, so they must not
// block for long: the chat handlers only read and write the store (Docker
// work is queued for the workers). New connections are dealt to the loops in
// turn, and each loop owns the connections it was dealt.
#ifndef SANDBOT_BOT_HTTP_SERVER_H_
#define SANDBOT_BOT_HTTP_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bot/http_request.h"

namespace sandbot {

class HttpServer {
 public:
  using Handler = std::function<void(const HttpRequest&, HttpResponse*)>;

  struct Options {
    size_t max_head_bytes = 16 * 1024;
    size_t max_body_bytes = 1024 * 1024;
    int request_timeout_seconds = 10;  // a request begun must be complete by then
    int idle_timeout_seconds = 60;     // a keep-alive connection with nothing to do
    int max_connections = 4096;        // beyond this, new connections are closed
  };

  explicit HttpServer(Options options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  void Get(const std::string& path, Handler handler);
  void Post(const std::string& path, Handler handler);
  // Answers a request whose Content-Length is over max_body_bytes. The body
  // is not read, and the connection is closed after the answer. Without a
  // handler the answer is a plain 413.
  void OnTooLarge(Handler handler);

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
  // Connections open now (for tests and logs).
  int connections() const { return open_connections_.load(); }

 private:
  struct Route {
    std::string method, path;
    Handler handler;
  };
  struct Connection;
  class Loop;

  void Dispatch(const HttpRequest& request, HttpResponse* response) const;
  void LoopStarted();

  Options options_;
  std::vector<Route> routes_;
  Handler too_large_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd every loop watches
  std::atomic<int> open_connections_{0};
  std::vector<std::unique_ptr<Loop>> loops_;  // while Run() runs
  std::atomic<unsigned> next_loop_{0};        // the loop the next connection goes to
  std::mutex started_mu_;
  std::condition_variable started_cv_;
  int started_loops_ = 0;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_HTTP_SERVER_H_
