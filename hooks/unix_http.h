// A minimal HTTP/1.1 client over a unix socket, for the hook process: plain
// POSIX calls, one request per connection ("Connection: close"), so the hook
// links no HTTP library. Enough for the daemon's local API, nothing more.
#ifndef SANDBOT_HOOKS_UNIX_HTTP_H_
#define SANDBOT_HOOKS_UNIX_HTTP_H_

#include <string>

namespace sandbot {

struct UnixHttpResult {
  enum class Error {
    kNone,
    kConnection,         // nothing listens on the socket (no file, refused)
    kConnectionTimeout,  // a listener, but it did not accept in time
    kWrite,              // the request could not be sent
    kRead,               // no complete answer in time, or the peer hung up
  };
  Error error = Error::kNone;
  int status = 0;  // HTTP status when error is kNone
  std::string body;

  bool ok() const { return error == Error::kNone; }
};

// "Connection", "Read"…: the names cpp-httplib gives the same failures.
std::string ErrorName(UnixHttpResult::Error error);

// Sends `method target` with `body` (as application/json when not empty)
// and reads the whole answer. Each of connecting, sending and every read
// waits at most the given number of seconds.
UnixHttpResult UnixHttpRequest(const std::string& socket_path, const std::string& method,
                               const std::string& target, const std::string& body,
                               int connect_timeout_seconds, int read_timeout_seconds);

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_UNIX_HTTP_H_
