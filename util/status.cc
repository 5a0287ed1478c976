#include "util/status.h"

namespace sandbot {

std::string Status::ToString() const {
  const char* prefix = "";
  switch (code_) {
    case Code::kOk: return "ok";
    case Code::kNotFound: prefix = "not found: "; break;
    case Code::kInvalidArgument: prefix = "invalid: "; break;
    case Code::kConflict: prefix = "conflict: "; break;
    case Code::kForbidden: prefix = "forbidden: "; break;
    case Code::kUnavailable: prefix = "unavailable: "; break;
    case Code::kInternal: prefix = "internal error: "; break;
  }
  return prefix + message_;
}

int Status::HttpCode() const {
  switch (code_) {
    case Code::kOk: return 200;
    case Code::kNotFound: return 404;
    case Code::kInvalidArgument: return 400;
    case Code::kConflict: return 409;
    case Code::kForbidden: return 403;
    case Code::kUnavailable: return 503;
    case Code::kInternal: return 500;
  }
  return 500;
}

int Status::ExitCode() const {
  switch (code_) {
    case Code::kOk: return 0;
    case Code::kInvalidArgument: return 2;
    case Code::kNotFound: return 3;
    case Code::kConflict: return 4;
    case Code::kForbidden: return 5;
    case Code::kUnavailable: return 6;
    case Code::kInternal: return 1;
  }
  return 1;
}

}  // namespace sandbot
