#include "hooks/unix_http.h"

#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sandbot {

namespace {

using Error = UnixHttpResult::Error;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void SetTimeout(int fd, int option, int seconds) {
  timeval tv{};
  tv.tv_sec = seconds;
  setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv);
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

// The value of header `name` in `head` (the lines after the status line), or "".
std::string HeaderValue(const std::string& head, const char* name) {
  const size_t len = std::strlen(name);
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos + 2 < head.size()) {
    size_t start = pos + 2;
    size_t end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    if (end - start > len && head[start + len] == ':' &&
        strncasecmp(head.c_str() + start, name, len) == 0) {
      size_t v = head.find_first_not_of(" \t", start + len + 1);
      return v == std::string::npos || v >= end ? "" : head.substr(v, end - v);
    }
    pos = end;
  }
  return "";
}

// Decodes a chunked body; false while incomplete or malformed.
bool Unchunk(const std::string& in, std::string* out) {
  out->clear();
  size_t pos = 0;
  for (;;) {
    size_t eol = in.find("\r\n", pos);
    if (eol == std::string::npos) return false;
    char* end = nullptr;
    unsigned long size = std::strtoul(in.c_str() + pos, &end, 16);
    if (end == in.c_str() + pos) return false;
    if (size == 0) return true;  // trailers are not needed
    if (in.size() < eol + 2 + size + 2) return false;
    out->append(in, eol + 2, size);
    pos = eol + 2 + size + 2;
  }
}

}  // namespace

std::string ErrorName(Error error) {
  switch (error) {
    case Error::kNone: return "Success";
    case Error::kConnection: return "Connection";
    case Error::kConnectionTimeout: return "ConnectionTimeout";
    case Error::kWrite: return "Write";
    case Error::kRead: return "Read";
  }
  return "Unknown";
}

UnixHttpResult UnixHttpRequest(const std::string& socket_path, const std::string& method,
                               const std::string& target, const std::string& body,
                               int connect_timeout_seconds, int read_timeout_seconds) {
  UnixHttpResult result;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) {
    result.error = Error::kConnection;
    return result;
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  Fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    result.error = Error::kConnection;
    return result;
  }
  // A blocking connect on a unix socket waits for room in the listener's
  // backlog at most SO_SNDTIMEO.
  SetTimeout(fd.get(), SO_SNDTIMEO, connect_timeout_seconds);
  int rc;
  do {
    rc = connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    result.error = errno == EAGAIN || errno == ETIMEDOUT || errno == EINPROGRESS
                       ? Error::kConnectionTimeout
                       : Error::kConnection;
    return result;
  }
  SetTimeout(fd.get(), SO_RCVTIMEO, read_timeout_seconds);
  SetTimeout(fd.get(), SO_SNDTIMEO, read_timeout_seconds);

  std::string request = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n";
  if (!body.empty() || method == "POST") {
    request +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  request += "Connection: close\r\n\r\n";
  request += body;
  if (!SendAll(fd.get(), request)) {
    result.error = Error::kWrite;
    return result;
  }

  std::string answer;
  size_t head_end = std::string::npos;
  long long content_length = -1;
  bool chunked = false;
  char buf[16384];
  for (;;) {
    ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      result.error = Error::kRead;
      return result;
    }
    if (n > 0) answer.append(buf, static_cast<size_t>(n));
    if (head_end == std::string::npos) {
      head_end = answer.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        const std::string head = answer.substr(0, head_end);
        // "HTTP/1.1 200 OK"
        size_t sp = head.find(' ');
        result.status = sp == std::string::npos ? 0 : std::atoi(head.c_str() + sp + 1);
        std::string length = HeaderValue(head, "Content-Length");
        if (!length.empty()) content_length = std::atoll(length.c_str());
        chunked = strcasecmp(HeaderValue(head, "Transfer-Encoding").c_str(), "chunked") == 0;
      }
    }
    if (head_end != std::string::npos) {
      const size_t start = head_end + 4;
      if (chunked) {
        if (Unchunk(answer.substr(start), &result.body)) return result;
      } else if (content_length >= 0 &&
                 answer.size() - start >= static_cast<size_t>(content_length)) {
        result.body = answer.substr(start, static_cast<size_t>(content_length));
        return result;
      } else if (n == 0 && content_length < 0) {
        result.body = answer.substr(start);  // the answer ends with the connection
        return result;
      }
    }
    if (n == 0) {
      result.error = Error::kRead;  // hung up before a complete answer
      return result;
    }
  }
}

}  // namespace sandbot
