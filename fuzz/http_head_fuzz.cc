// The sandbox router's reading of heads (bot/http_head.h) on any bytes:
// never a crash, and what it accepts it reads again the same once written
// out as the router writes heads (CRLF, "Name: value"), with the same body
// framing. A chunk size it accepts is the hex number at the line's start.
//
// Input: byte 0 picks LF-only lines (bit 0) and answer framing (bit 1); the
// rest is a head, or a chunk-size line.
// fuzz-link: bot/http_head.cc bot/http_syntax.cc handlers/names.cc util/status.cc
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "bot/http_head.h"
#include "fuzz/require.h"

using sandbot_fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 16 * 1024) return 0;
  const bool bare_lf = data[0] & 1;
  const bool is_response = data[0] & 2;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);

  const size_t end = sandbot::HeadEnd(text, 0, bare_lf);
  Require(end == std::string::npos || end <= text.size());
  sandbot::HttpHead head;
  if (sandbot::ParseHead(text.substr(0, end == std::string::npos ? text.size() : end), &head,
                         bare_lf)) {
    std::string again = head.first[0] + " " + head.first[1] + " " + head.first[2] + "\r\n";
    for (const auto& [name, value] : head.headers) again += name + ": " + value + "\r\n";
    again += "\r\n";
    sandbot::HttpHead reread;
    Require(sandbot::ParseHead(again, &reread, false));
    Require(reread.headers == head.headers);
    for (int i = 0; i < 3; ++i) Require(reread.first[i] == head.first[i]);
    sandbot::Framing a, b;
    const bool framed = sandbot::BodyFraming(head, is_response, &a);
    Require(framed == sandbot::BodyFraming(reread, is_response, &b));
    Require(!framed || (a.chunked == b.chunked && a.length == b.length));
    Require(!framed || a.chunked || a.length >= (is_response ? -1 : 0));
  }

  long long chunk = -1;
  if (sandbot::ParseChunkSize(text, &chunk)) {
    Require(chunk >= 0);
    Require(std::strtoll(text.c_str(), nullptr, 16) == chunk);
  }
  return 0;
}
