// LocalServer: the daemon's unix socket ({data}/sandbot.sock), HTTP/1.1 for
// the CLI and the git hooks, where every request carries the peer's
// credentials (SO_PEERCRED, read by the kernel at connect): who is calling
// is never taken from what the caller sends.
//
// One thread per connection (there are few: a CLI call, a hook's push and its
// long poll of /v1/events), so a handler may block, unlike on the chat
// listener's event loops (bot/http_server.h). Requests are parsed by the same
// code (bot/http_request.h).
#ifndef SANDBOT_BOT_LOCAL_SERVER_H_
#define SANDBOT_BOT_LOCAL_SERVER_H_

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <string>
#include <vector>

#include "bot/http_request.h"
#include "util/mutex.h"
#include "util/status.h"

namespace sandbot {

// The process on the other end of a unix socket, as the kernel saw it
// connect.
struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// SO_PEERCRED of a connected AF_UNIX socket; Unavailable when the socket
// has none (not AF_UNIX, not connected).
Status ReadPeerCredentials(int fd, PeerCredentials* peer);

class LocalServer {
 public:
  using Handler = std::function<void(const HttpRequest&, const PeerCredentials&, HttpResponse*)>;

  struct Options {
    size_t max_head_bytes = 16 * 1024;
    size_t max_body_bytes = 16 * 1024 * 1024;  // a push of many refs, an imported template
    int request_timeout_seconds = 30;          // a request begun must be complete by then
    int idle_timeout_seconds = 60;             // a keep-alive connection with nothing to do
    int max_connections = 64;                  // beyond: closed at once
  };

  explicit LocalServer(Options options);
  ~LocalServer();
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  void Get(const std::string& path, Handler handler);
  void Post(const std::string& path, Handler handler);

  // Binds `path` (an existing file there is replaced) and gives it `mode`.
  // On failure returns false with the reason in `error`.
  bool Bind(const std::string& path, mode_t mode, std::string* error);
  // Accepts until Stop(); returns once every connection's thread has ended.
  void Run();
  // Ends Run(): no new connections; open ones close after their request.
  // Safe from any thread.
  void Stop();
  // Whether Stop() was called: long handlers (a long poll) end early.
  bool stopping() const { return stopping_.load(); }

 private:
  struct Route {
    std::string method, path;
    Handler handler;
  };

  void Serve(int fd, const PeerCredentials& peer);
  // Counts a new connection in; false when there are max_connections.
  bool Admit();
  void Leave();
  void Dispatch(const HttpRequest& request, const PeerCredentials& peer,
                HttpResponse* response) const;

  Options options_;
  std::vector<Route> routes_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // an eventfd every connection and the accept loop watch
  std::atomic<bool> stopping_{false};
  Mutex mu_;
  std::condition_variable_any done_cv_;  // connections_ reached 0
  int connections_ GUARDED_BY(mu_) = 0;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_LOCAL_SERVER_H_
