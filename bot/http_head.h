// HTTP/1.1 message heads as the sandbox router reads them (RFC 9112): where
// a head ends in a buffer, its start line and fields, how its body is
// framed, and a chunk's size line. Strict where a lenient reading would let
// the router and an upstream disagree on where a message ends (request
// smuggling): whitespace before a field's colon, folded lines, two
// different Content-Lengths, Content-Length beside Transfer-Encoding, a
// transfer coding that does not end in chunked, a chunk size that is not
// hex. An upstream's answer may end its lines in LF alone (a CGI's headers
// through busybox httpd; RFC 9112 2.2 lets a recipient read them); a
// client's request may not.
//
// Hand-written because the router forwards bodies as they stream and passes
// 101 Upgrade bytes through, which cpp-httplib's server cannot; llhttp and
// picohttpparser are not packaged in Debian here.
#ifndef SANDBOT_BOT_HTTP_HEAD_H_
#define SANDBOT_BOT_HTTP_HEAD_H_

#include <string>
#include <utility>
#include <vector>

namespace sandbot {

struct HttpHead {
  std::string first[3];  // method target version, or version status reason
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, values trimmed

  // The first field named `name` (lower case), or nullptr.
  const std::string* Get(const std::string& name) const;
  // Whether any field named `name` lists `token` (comma-separated, any case).
  bool HasToken(const std::string& name, const std::string& token) const;
};

// Where the head that starts at `from` ends (just past its empty line), or
// npos while it has not all come. `bare_lf`: lines may end in LF alone.
size_t HeadEnd(const std::string& buf, size_t from, bool bare_lf);

// Reads a head (up to and including its empty line); false when it is not
// one: no start line of three parts (a reason phrase may be empty or hold
// spaces), a field without a name or with whitespace before its colon, a
// folded line, a control character in a value.
bool ParseHead(const std::string& text, HttpHead* head, bool bare_lf);

// How a message's body ends.
struct Framing {
  bool chunked = false;
  long long length = 0;  // when not chunked; -1: until the connection closes
};

// False when the length cannot be known for sure: Content-Length not a
// number or given twice differently, or beside Transfer-Encoding in a
// request, or a request's transfer coding not ending in chunked. A response
// with such a coding is read until the connection closes; one with both
// is chunked (the router drops its Content-Length on the way).
bool BodyFraming(const HttpHead& head, bool is_response, Framing* framing);

// The size of a chunk from its line ("1a;ext=v\r\n"); false when the line
// is not hex digits (at most 15) optionally followed by extensions.
bool ParseChunkSize(const std::string& line, long long* size);

}  // namespace sandbot

#endif  // SANDBOT_BOT_HTTP_HEAD_H_
