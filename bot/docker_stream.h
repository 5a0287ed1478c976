// The two stream formats of the Docker Engine API:
//   - the newline-delimited JSON progress stream of build, load and import,
//     split into log lines by EngineStreamParser;
//   - the multiplexed stdout/stderr stream of logs and attach (8-byte frame
//     headers), decoded by DemuxDockerStream.
// Both are pure: bytes in, text out.
#ifndef SANDBOT_BOT_DOCKER_STREAM_H_
#define SANDBOT_BOT_DOCKER_STREAM_H_

#include <cstddef>
#include <string>
#include <utility>

#include "handlers/runtime.h"

namespace sandbot {

// Splits the engine's newline-delimited JSON progress stream (build, load,
// import) into objects however the bytes are chunked. `stream` text goes to
// the sink one line at a time; `status` messages (without progress bars) as
// "id: status"; an in-band `error` is remembered and not forwarded.
class EngineStreamParser {
 public:
  explicit EngineStreamParser(LineSink sink) : sink_(std::move(sink)) {}

  void Feed(const char* data, size_t size);
  // Flushes a final object or partial text line not ended by a newline.
  void Finish();

  bool failed() const { return failed_; }
  // The first in-band error message (errorDetail.message, else error).
  const std::string& error() const { return error_; }
  // The image id from an {"aux":{"ID":…}} object, when the engine sent one.
  const std::string& aux_id() const { return aux_id_; }

 private:
  void HandleObject(const std::string& line);
  void EmitText(const std::string& text);
  void Emit(std::string line);

  LineSink sink_;
  std::string pending_;       // bytes after the last '\n'
  std::string pending_text_;  // "stream" text after its last '\n'
  bool failed_ = false;
  std::string error_;
  std::string aux_id_;
};

// Decodes a multiplexed stdout/stderr stream (8-byte headers
// [stream,0,0,0,size BE32] + payload) into plain text. Anything that is not a
// well-formed sequence of frames (a TTY container's raw stream) comes back
// unchanged.
std::string DemuxDockerStream(const std::string& raw);

}  // namespace sandbot

#endif  // SANDBOT_BOT_DOCKER_STREAM_H_
