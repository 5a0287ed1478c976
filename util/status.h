// Status: the one error type that crosses module boundaries (no exceptions).
// Modelled on leveldb::Status: an OK status is cheap, an error carries a code
// and a message written for the person who will read it.
#ifndef SANDBOT_UTIL_STATUS_H_
#define SANDBOT_UTIL_STATUS_H_

#include <string>
#include <utility>

namespace sandbot {

class Status {
 public:
  enum class Code {
    kOk,
    kNotFound,
    kInvalidArgument,
    kConflict,
    kForbidden,
    kUnavailable,  // a dependency (Docker engine, daemon, disk) is not there
    kInternal,
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
  static Status InvalidArgument(std::string m) {
    return Status(Code::kInvalidArgument, std::move(m));
  }
  static Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
  static Status Forbidden(std::string m) { return Status(Code::kForbidden, std::move(m)); }
  static Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
  static Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsUnavailable() const { return code_ == Code::kUnavailable; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsConflict() const { return code_ == Code::kConflict; }
  bool IsForbidden() const { return code_ == Code::kForbidden; }

  // "not found: no sandbox named qa" — for logs and CLI output.
  std::string ToString() const;
  // The HTTP status this maps to on the daemon's APIs.
  int HttpCode() const;
  // The process exit code for CLI commands (0 on success).
  int ExitCode() const;

 private:
  Status(Code c, std::string m) : code_(c), message_(std::move(m)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

}  // namespace sandbot

#endif  // SANDBOT_UTIL_STATUS_H_
