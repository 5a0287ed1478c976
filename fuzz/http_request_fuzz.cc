// The chat listener's request head parser (bot/http_request.h) on arbitrary
// bytes: no crash, and a head it accepts is one the rest of the server can
// trust (its length within the data, a path, token names, no control bytes).
// fuzz-link: bot/http_request.cc bot/http_syntax.cc
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bot/http_request.h"
#include "fuzz/require.h"

using sandbot_fuzz::Require;

namespace {

bool HasControl(const std::string& s, bool tab_ok) {
  for (unsigned char c : s) {
    if ((c < ' ' && !(tab_ok && c == '\t')) || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (size_t max_head : {size_t{64}, size_t{16 * 1024}}) {
    sandbot::HttpRequest request;
    const sandbot::HeadResult head = sandbot::ParseRequestHead(bytes, max_head, &request);
    switch (head.kind) {
      case sandbot::HeadResult::Kind::kNeedMore: {
        // No blank line after the empty lines a request may start with.
        size_t start = 0;
        while (bytes.substr(start, 2) == "\r\n") start += 2;
        Require(bytes.find("\r\n\r\n", start) == std::string_view::npos);
        Require(bytes.size() <= max_head + 3);
        break;
      }
      case sandbot::HeadResult::Kind::kBad:
        Require(head.status >= 400 && head.status <= 505 && !head.reason.empty());
        break;
      case sandbot::HeadResult::Kind::kHead:
        Require(head.head_bytes <= bytes.size() && head.head_bytes <= max_head + 4);
        Require(bytes.substr(head.head_bytes - 4, 4) == "\r\n\r\n");
        Require(!request.method.empty() && !request.path.empty() && request.path[0] == '/');
        Require(!HasControl(request.path, false) && !HasControl(request.query, false));
        Require(request.minor_version == 0 || request.minor_version == 1);
        for (const auto& [name, value] : request.headers) {
          Require(!name.empty() && !HasControl(name, false) && !HasControl(value, true));
        }
        Require(!request.HasHeader("Transfer-Encoding"));
        (void)request.KeepAlive();
        (void)request.ExpectsContinue();
        break;
    }
  }
  return 0;
}
