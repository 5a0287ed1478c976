// HTTP/1.1 requests as the chat listener (bot/http_server.h) reads them: a
// request head parsed from the start of a connection's buffer, then a body of
// Content-Length bytes. Only what chat services send is accepted; anything
// else gets a status that says why (400, 411, 413, 431, 501, 505).
#ifndef SANDBOT_BOT_HTTP_REQUEST_H_
#define SANDBOT_BOT_HTTP_REQUEST_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sandbot {

struct HttpRequest {
  std::string method;                                        // "GET", "POST", …
  std::string path;                                          // the target without its query string
  std::string query;                                         // after '?', undecoded
  int minor_version = 1;                                     // HTTP/1.x
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
  std::string body;
  std::string remote_addr;

  // The first header of that name (case-insensitive), or nullptr.
  const std::string* Header(std::string_view name) const;
  // The same, "" when absent.
  std::string HeaderValue(std::string_view name) const;
  bool HasHeader(std::string_view name) const { return Header(name) != nullptr; }
  // Whether the client wants the connection kept after this request.
  bool KeepAlive() const;
  // Whether the client waits for "100 Continue" before sending the body.
  bool ExpectsContinue() const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  // Further headers (Set-Cookie, Location, Content-Security-Policy…); names
  // and values are the handler's own, never a client's text.
  std::vector<std::pair<std::string, std::string>> headers;
  // A streaming answer (Server-Sent Events): when set, the head goes out
  // without Content-Length and with "Connection: close", and the connection
  // leaves the event loop for a thread of its own (bot/http_server.h), which
  // calls `stream` with the socket (blocking) and a flag that turns true when
  // the server stops; the socket is closed when it returns. `body` is unused.
  using StreamFn = std::function<void(int fd, const std::atomic<bool>& stopping)>;
  StreamFn stream;
  // A handler that answers once other work is done (the forge door answers
  // after its group commit, bot/forge_intake.h) takes `defer()` when it is
  // set: the answer is what it later passes to the function it got (once,
  // from any thread). Until then the connection reads no further request.
  // Null where nothing can wait (a handler called directly, in tests): the
  // handler answers at once.
  using Reply = std::function<void(HttpResponse)>;
  std::function<Reply()> defer;
  bool deferred = false;  // set by defer(): this response is not the answer
  void Set(std::string content, std::string type) {
    body = std::move(content);
    content_type = std::move(type);
  }
};

// What ParseRequestHead found at the start of a buffer.
struct HeadResult {
  enum class Kind { kNeedMore, kHead, kBad } kind = Kind::kNeedMore;
  size_t head_bytes = 0;      // kHead: bytes of request line + headers + blank line
  size_t content_length = 0;  // kHead: the body that follows
  int status = 0;             // kBad: the status to answer with
  std::string reason;         // kBad: why, for the answer and the log
};

// Parses the request line and headers at the start of `data` into `request`
// (method, path, query, version, headers). Heads longer than `max_head_bytes`
// are refused (431), as are bodies not framed by Content-Length (411/501).
HeadResult ParseRequestHead(std::string_view data, size_t max_head_bytes, HttpRequest* request);

// "HTTP/1.1 200 OK\r\n…" with Content-Type and Content-Length; `close` adds
// "Connection: close".
std::string SerializeResponse(const HttpResponse& response, bool close);

}  // namespace sandbot

#endif  // SANDBOT_BOT_HTTP_REQUEST_H_
