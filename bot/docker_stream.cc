#include "bot/docker_stream.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "bot/docker_json.h"

namespace sandbot {

using nlohmann::json;

namespace {

// The classic builder wraps RUN's stderr in ANSI colour codes, which are
// noise in chat messages and log files.
std::string StripAnsi(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\x1b' && i + 1 < s.size() && s[i + 1] == '[') {
      size_t j = i + 2;
      while (j < s.size() && !(s[j] >= 0x40 && s[j] <= 0x7e)) ++j;
      i = j;  // skips the final byte too
      continue;
    }
    out += s[i];
  }
  return out;
}

}  // namespace

void EngineStreamParser::Feed(const char* data, size_t size) {
  pending_.append(data, size);
  size_t start = 0;
  for (size_t nl; (nl = pending_.find('\n', start)) != std::string::npos; start = nl + 1) {
    HandleObject(pending_.substr(start, nl - start));
  }
  pending_.erase(0, start);
}

void EngineStreamParser::Finish() {
  if (!pending_.empty()) HandleObject(pending_);
  pending_.clear();
  if (!pending_text_.empty()) Emit(pending_text_);
  pending_text_.clear();
}

void EngineStreamParser::HandleObject(const std::string& line) {
  std::string trimmed = TrimRight(line);
  if (trimmed.find_first_not_of(" \t") == std::string::npos) return;
  json j = json::parse(trimmed, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    Emit(trimmed);  // not JSON: still worth showing
    return;
  }
  if (JsonField(j, "error") || JsonField(j, "errorDetail")) {
    std::string msg = JsonString(JsonMember(j, "errorDetail"), "message");
    if (msg.empty()) msg = JsonString(j, "error");
    if (msg.empty()) msg = "the engine reported an error without a message";
    if (!failed_) error_ = TrimRight(msg);
    failed_ = true;
    return;
  }
  if (const json* s = JsonField(j, "stream"); s && s->is_string()) {
    EmitText(s->get<std::string>());
  }
  if (const json* s = JsonField(j, "status"); s && s->is_string()) {
    // Progress bars ("Downloading [==>  ]") would flood the log.
    const json& detail = JsonMember(j, "progressDetail");
    if (detail.is_object() && !detail.empty()) return;
    std::string id = JsonString(j, "id");
    Emit(id.empty() ? s->get<std::string>() : id + ": " + s->get<std::string>());
  }
  const json& aux = JsonMember(j, "aux");
  if (std::string id = JsonString(aux, "ID"); !id.empty()) aux_id_ = id;
}

void EngineStreamParser::EmitText(const std::string& text) {
  // A RUN step's output may arrive split mid-line; only whole lines go out.
  pending_text_ += text;
  size_t start = 0;
  for (size_t nl; (nl = pending_text_.find('\n', start)) != std::string::npos; start = nl + 1) {
    Emit(pending_text_.substr(start, nl - start));
  }
  pending_text_.erase(0, start);
}

void EngineStreamParser::Emit(std::string line) {
  line = TrimRight(StripAnsi(line));
  if (line.empty() || !sink_) return;
  sink_(line);
}

std::string DemuxDockerStream(const std::string& raw) {
  std::string out;
  size_t pos = 0;
  bool any_frame = false;
  while (pos < raw.size()) {
    size_t left = raw.size() - pos;
    if (left < 8) return any_frame ? out : raw;  // a truncated header ends the stream
    auto byte = [&](size_t i) { return static_cast<unsigned char>(raw[pos + i]); };
    if (byte(0) > 2 || byte(1) != 0 || byte(2) != 0 || byte(3) != 0) return raw;
    uint32_t size = (uint32_t{byte(4)} << 24) | (uint32_t{byte(5)} << 16) |
                    (uint32_t{byte(6)} << 8) | uint32_t{byte(7)};
    size_t take = std::min<size_t>(size, left - 8);
    out.append(raw, pos + 8, take);
    any_frame = true;
    pos += 8 + take;
  }
  return out;
}

}  // namespace sandbot
