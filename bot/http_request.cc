#include "bot/http_request.h"

#include <strings.h>

#include <algorithm>
#include <cstdint>

#include "bot/http_syntax.h"

namespace sandbot {

namespace {

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

HeadResult Bad(int status, std::string reason) {
  HeadResult r;
  r.kind = HeadResult::Kind::kBad;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 204: return "No Content";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace

const std::string* HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (SameName(key, name)) return &value;
  }
  return nullptr;
}

std::string HttpRequest::HeaderValue(std::string_view name) const {
  const std::string* value = Header(name);
  return value == nullptr ? std::string() : *value;
}

bool HttpRequest::KeepAlive() const {
  const std::string* connection = Header("Connection");
  if (connection != nullptr && ListsToken(*connection, "close")) return false;
  return minor_version >= 1 || (connection != nullptr && ListsToken(*connection, "keep-alive"));
}

bool HttpRequest::ExpectsContinue() const {
  const std::string* expect = Header("Expect");
  return expect != nullptr && SameName(TrimSpace(*expect), "100-continue");
}

HeadResult ParseRequestHead(std::string_view data, size_t max_head_bytes, HttpRequest* request) {
  // Empty lines before a request line are allowed (RFC 9112 §2.2).
  size_t start = 0;
  while (start + 1 < data.size() && data[start] == '\r' && data[start + 1] == '\n') start += 2;
  const size_t end = data.find("\r\n\r\n", start);
  // The limit counts those empty lines too, or they could be sent without
  // end. A head still arriving may hold 3 bytes of its blank line, which a
  // complete head's `end` leaves out: refusing sooner would make the answer
  // depend on how the head was split.
  if (end == std::string_view::npos) {
    if (data.size() > max_head_bytes + 3) {
      return Bad(431, "request head over " + std::to_string(max_head_bytes) + " bytes");
    }
    return HeadResult{};
  }
  if (end > max_head_bytes) {
    return Bad(431, "request head over " + std::to_string(max_head_bytes) + " bytes");
  }
  std::string_view head = data.substr(start, end - start + 2);  // every line ends in CRLF

  size_t eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  head.remove_prefix(eol + 2);
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Bad(400, "malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Bad(400, "malformed method");
  if (target.empty() || target.front() != '/') return Bad(400, "the target must be a path");
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) return Bad(400, "malformed target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.') {
    return Bad(400, "malformed HTTP version");
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    return Bad(505, "only HTTP/1.0 and HTTP/1.1 are served");
  }
  request->method.assign(method);
  const size_t question = target.find('?');
  request->path.assign(target.substr(0, question));
  request->query.assign(question == std::string_view::npos ? std::string_view()
                                                           : target.substr(question + 1));
  request->minor_version = version[7] - '0';
  request->headers.clear();

  while (!head.empty()) {
    eol = head.find("\r\n");
    line = head.substr(0, eol);
    head.remove_prefix(eol + 2);
    if (line.front() == ' ' || line.front() == '\t') return Bad(400, "folded header line");
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return Bad(400, "malformed header line");
    }
    std::string_view value = TrimSpace(line.substr(colon + 1));
    for (char c : value) {
      if ((static_cast<unsigned char>(c) < ' ' && c != '\t') || c == 0x7f) {
        return Bad(400, "control character in a header");
      }
    }
    request->headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }

  HeadResult result;
  result.kind = HeadResult::Kind::kHead;
  result.head_bytes = end + 4;
  if (request->HasHeader("Transfer-Encoding")) {
    return Bad(411, "send the body with a Content-Length (chunked bodies are not accepted)");
  }
  bool seen = false;
  for (const auto& [key, value] : request->headers) {
    if (!SameName(key, "Content-Length")) continue;
    if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos) {
      return Bad(400, "malformed Content-Length");
    }
    // Leading zeros do not count; more than 15 digits is over every body
    // limit (and would overflow stoull).
    const std::string digits =
        value.substr(std::min(value.find_first_not_of('0'), value.size() - 1));
    const size_t length = digits.size() > 15 ? SIZE_MAX : std::stoull(digits);
    if (seen && length != result.content_length) return Bad(400, "conflicting Content-Length");
    seen = true;
    result.content_length = length;
  }
  return result;
}

std::string SerializeResponse(const HttpResponse& response, bool close) {
  std::string out;
  out.reserve(128 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += ReasonPhrase(response.status);
  out += "\r\nContent-Type: ";
  out += response.content_type;
  if (!response.stream) {
    out += "\r\nContent-Length: ";
    out += std::to_string(response.body.size());
  }
  for (const auto& [name, value] : response.headers) {
    out += "\r\n";
    out += name;
    out += ": ";
    out += value;
  }
  out += close || response.stream ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
  if (!response.stream) out += response.body;
  return out;
}

}  // namespace sandbot
