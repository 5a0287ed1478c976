// "The verdict never depends on how the bytes are split": the chat listener
// answers what arrives in one read exactly as what trickles in over many.
// The connection loop below is the framing of HttpServer::Loop::Answer
// (bot/http_server.cc) without sockets: heads parsed by ParseRequestHead,
// bodies cut by Content-Length, 413 over the body limit, a bad head or
// "Connection: close" ends the connection, pipelined requests follow.
//
// Input: byte 0 holds the number of splits (low 4 bits) and picks the head
// and body limits (high bits); the next bytes are the chunk sizes; the rest
// is what the client sends. Those splits, and one byte at a time for short
// streams, must give the same answers as the whole.
// fuzz-link: bot/http_request.cc bot/http_syntax.cc
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bot/http_request.h"
#include "fuzz/require.h"

using sandbot_fuzz::Require;

namespace {

struct Connection {
  size_t max_head = 0, max_body = 0;
  std::string in;
  bool have_head = false, closed = false;
  size_t head_bytes = 0, content_length = 0;
  sandbot::HttpRequest request;
  std::vector<std::string> answers;  // what each request got, in order

  static std::string Describe(const sandbot::HttpRequest& r) {
    std::string out =
        r.method + " " + r.path + "?" + r.query + " 1." + std::to_string(r.minor_version) + "\n";
    for (const auto& [name, value] : r.headers) out += name + ": " + value + "\n";
    return out + "\n" + r.body;
  }

  void Receive(std::string_view bytes) {
    if (closed) return;  // draining: the server reads and drops
    in.append(bytes);
    while (!closed) {
      if (!have_head) {
        const sandbot::HeadResult head = sandbot::ParseRequestHead(in, max_head, &request);
        if (head.kind == sandbot::HeadResult::Kind::kNeedMore) break;
        if (head.kind == sandbot::HeadResult::Kind::kBad) {
          answers.push_back(std::to_string(head.status) + " " + head.reason);
          closed = true;
          break;
        }
        have_head = true;
        head_bytes = head.head_bytes;
        content_length = head.content_length;
        request.body.clear();
        if (content_length > max_body) {
          answers.push_back("413 " + Describe(request));
          closed = true;
          break;
        }
      }
      if (in.size() < head_bytes + content_length) break;
      request.body.assign(in, head_bytes, content_length);
      in.erase(0, head_bytes + content_length);
      have_head = false;
      answers.push_back("200 " + Describe(request));
      if (!request.KeepAlive()) closed = true;
    }
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 64 * 1024) return 0;
  static const size_t kHeadLimits[] = {64, 256, 1024, 16 * 1024};
  static const size_t kBodyLimits[] = {0, 16, 1024, 1024 * 1024};
  const size_t splits = data[0] & 15;
  if (size < 1 + splits) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1 + splits,
                                size - 1 - splits);

  Connection whole, split;
  whole.max_head = split.max_head = kHeadLimits[(data[0] >> 4) & 3];
  whole.max_body = split.max_body = kBodyLimits[(data[0] >> 6) & 3];
  whole.Receive(stream);
  size_t at = 0;
  for (size_t i = 0; i < splits && at < stream.size(); ++i) {
    const size_t n = std::min<size_t>(data[1 + i] + 1, stream.size() - at);
    split.Receive(stream.substr(at, n));
    at += n;
  }
  split.Receive(stream.substr(at));

  Require(whole.answers == split.answers && whole.closed == split.closed);
  Require(whole.closed || (whole.in == split.in && whole.have_head == split.have_head));

  // And a byte at a time, the slowest client, while that stays cheap.
  if (stream.size() <= 512) {
    Connection trickle;
    trickle.max_head = whole.max_head;
    trickle.max_body = whole.max_body;
    for (size_t i = 0; i < stream.size(); ++i) trickle.Receive(stream.substr(i, 1));
    Require(whole.answers == trickle.answers && whole.closed == trickle.closed);
  }
  return 0;
}
