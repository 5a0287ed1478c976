#include "hooks/ref_update.h"

#include <nlohmann/json.hpp>

namespace sandbot {

namespace {

const char kBranchPrefix[] = "refs/heads/";

bool IsAllZeros(const std::string& sha) {
  return !sha.empty() && sha.find_first_not_of('0') == std::string::npos;
}

// Whether JSON, which carries pushes to the daemon and the spool, can hold s
// (well-formed UTF-8). Git allows any bytes in a ref name.
bool IsUtf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

}  // namespace

bool IsObjectName(const std::string& s) {
  if (s.size() != 40 && s.size() != 64) return false;
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool RefUpdate::created() const { return IsAllZeros(old_sha); }
bool RefUpdate::deleted() const { return IsAllZeros(new_sha); }
bool RefUpdate::is_branch() const { return ref.rfind(kBranchPrefix, 0) == 0; }
std::string RefUpdate::branch() const {
  return is_branch() ? ref.substr(sizeof(kBranchPrefix) - 1) : std::string();
}

Status ValidateRefUpdate(const RefUpdate& u) {
  if (!IsObjectName(u.old_sha) || !IsObjectName(u.new_sha)) {
    return Status::InvalidArgument("object names must be 40 or 64 hex digits");
  }
  if (u.old_sha.size() != u.new_sha.size()) {
    return Status::InvalidArgument("object names of different lengths");
  }
  if (u.ref.empty() || u.ref.find_first_of(" \t\r\n") != std::string::npos) {
    return Status::InvalidArgument("empty ref name or one with blanks");
  }
  if (!IsUtf8(u.ref)) return Status::InvalidArgument("ref name is not UTF-8");
  return Status::Ok();
}

}  // namespace sandbot
