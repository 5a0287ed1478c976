#include "bot/http_head.h"

#include <string_view>

#include "bot/http_syntax.h"
#include "handlers/names.h"

namespace sandbot {

namespace {

// The comma-separated elements of every field named `name`, trimmed and
// lower case, empty ones skipped (RFC 9110 5.6.1).
std::vector<std::string> ListOf(const HttpHead& head, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& [k, v] : head.headers) {
    if (Lower(k) != name) continue;
    size_t at = 0;
    for (;;) {
      const size_t comma = v.find(',', at);
      std::string item(TrimSpace(
          std::string_view(v).substr(at, comma == std::string::npos ? comma : comma - at)));
      if (!item.empty()) out.push_back(Lower(item));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  return out;
}

bool ParseDecimal(const std::string& s, long long* n) {
  if (s.empty() || s.size() > 18) return false;
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *n = v;
  return true;
}

// One line of a head without its line end; false at the end of `text`.
bool NextLine(const std::string& text, size_t* at, bool bare_lf, std::string* line, bool* ok) {
  if (*at >= text.size()) return false;
  const size_t lf = text.find('\n', *at);
  if (lf == std::string::npos) {
    *ok = false;
    return false;
  }
  *line = text.substr(*at, lf - *at);
  *at = lf + 1;
  if (!line->empty() && line->back() == '\r') {
    line->pop_back();
  } else if (!bare_lf) {
    *ok = false;
    return false;
  }
  return true;
}

}  // namespace

const std::string* HttpHead::Get(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (Lower(k) == name) return &v;
  }
  return nullptr;
}

bool HttpHead::HasToken(const std::string& name, const std::string& token) const {
  for (const auto& [k, v] : headers) {
    if (Lower(k) == name && ListsToken(v, token)) return true;
  }
  return false;
}

size_t HeadEnd(const std::string& buf, size_t from, bool bare_lf) {
  if (!bare_lf) {
    const size_t end = buf.find("\r\n\r\n", from);
    return end == std::string::npos ? end : end + 4;
  }
  for (size_t lf = buf.find('\n', from); lf != std::string::npos; lf = buf.find('\n', lf + 1)) {
    if (buf.compare(lf + 1, 1, "\n") == 0) return lf + 2;
    if (buf.compare(lf + 1, 2, "\r\n") == 0) return lf + 3;
  }
  return std::string::npos;
}

bool ParseHead(const std::string& text, HttpHead* head, bool bare_lf) {
  size_t at = 0;
  bool ok = true;
  std::string line;
  if (!NextLine(text, &at, bare_lf, &line, &ok) || line.empty()) return false;
  const size_t a = line.find(' ');
  if (a == std::string::npos || a == 0) return false;
  const size_t b = line.find(' ', a + 1);
  head->first[0] = line.substr(0, a);
  head->first[1] = line.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1);
  head->first[2] = b == std::string::npos ? "" : line.substr(b + 1);
  if (head->first[1].empty()) return false;
  while (NextLine(text, &at, bare_lf, &line, &ok)) {
    if (line.empty()) return at == text.size();
    // A line starting with whitespace folds onto the one before (obs-fold):
    // refused, as RFC 9112 5.2 lets a server do.
    const size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return false;
    // Whitespace before the colon is not a token character either.
    if (!IsToken(std::string_view(line).substr(0, colon))) return false;
    std::string value(TrimSpace(std::string_view(line).substr(colon + 1)));
    for (char c : value) {
      if (c == '\r' || c == '\0') return false;
    }
    head->headers.emplace_back(line.substr(0, colon), std::move(value));
  }
  return false;  // no empty line, or a line without its end
}

bool BodyFraming(const HttpHead& head, bool is_response, Framing* framing) {
  *framing = Framing();
  const std::vector<std::string> codings = ListOf(head, "transfer-encoding");
  bool has_length = false;
  long long length = 0;
  for (const std::string& value : ListOf(head, "content-length")) {
    long long n = 0;
    if (!ParseDecimal(value, &n) || (has_length && n != length)) return false;
    has_length = true;
    length = n;
  }
  if (head.Get("content-length") != nullptr && !has_length) return false;  // "Content-Length: "
  if (!codings.empty()) {
    if (!is_response && has_length) return false;
    if (codings.back() == "chunked") {
      framing->chunked = true;
    } else if (is_response) {
      framing->length = -1;
    } else {
      return false;
    }
    return true;
  }
  framing->length = has_length ? length : (is_response ? -1 : 0);
  return true;
}

bool ParseChunkSize(const std::string& line, long long* size) {
  if (line.size() < 3 || line.compare(line.size() - 2, 2, "\r\n") != 0) return false;
  long long v = 0;
  size_t i = 0;
  for (; i < line.size() - 2; ++i) {
    const char c = line[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      break;
    }
    if (i == 15) return false;  // more than 2^60: no body is that large
    v = v * 16 + digit;
  }
  if (i == 0) return false;
  // What follows the digits: nothing, or extensions after optional blanks.
  size_t j = i;
  while (j < line.size() - 2 && (line[j] == ' ' || line[j] == '\t')) ++j;
  if (j < line.size() - 2 && line[j] != ';') return false;
  if (j == line.size() - 2 && j != i) return false;  // blanks and no extension
  *size = v;
  return true;
}

}  // namespace sandbot
