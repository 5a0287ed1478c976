#include "handlers/names.h"

#include <fnmatch.h>

namespace sandbot {

std::string SlugFromBranch(const std::string& branch) {
  std::string slug;
  for (unsigned char c : branch) {
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      slug.push_back(static_cast<char>(c));
    } else if (!slug.empty() && slug.back() != '-') {
      slug.push_back('-');
    }
    if (slug.size() >= kMaxSandboxName) break;
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug.empty() ? "sandbox" : slug;
}

namespace {

bool IsLabel(const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  if (s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace

Status ValidateSandboxName(const std::string& name) {
  if (IsLabel(name, kMaxSandboxName)) return Status::Ok();
  return Status::InvalidArgument("'" + name.substr(0, 80) +
                                 "' is not a valid sandbox name: use lower-case letters, digits "
                                 "and '-', at most 40 characters (e.g. qa-login)");
}

Status ValidateServiceName(const std::string& name) {
  if (IsLabel(name, kMaxServiceName)) return Status::Ok();
  return Status::InvalidArgument("'" + name.substr(0, 80) +
                                 "' is not a valid service name: use lower-case letters, digits "
                                 "and '-', at most 30 characters (e.g. web)");
}

Status ValidateBranchName(const std::string& branch) {
  if (branch.empty() || branch.size() > kMaxBranchName) {
    return Status::InvalidArgument("branch names must be 1 to 255 characters long");
  }
  for (unsigned char c : branch) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("branch name contains a control character");
    }
  }
  return Status::Ok();
}

bool MatchesBranchPatterns(const std::string& patterns, const std::string& branch) {
  size_t start = 0;
  while (start <= patterns.size()) {
    size_t comma = patterns.find(',', start);
    if (comma == std::string::npos) comma = patterns.size();
    std::string p = patterns.substr(start, comma - start);
    while (!p.empty() && p.front() == ' ') p.erase(0, 1);
    while (!p.empty() && p.back() == ' ') p.pop_back();
    // Without FNM_PATHNAME, '*' also matches '/': "feature*" covers feature/x.
    if (!p.empty() && fnmatch(p.c_str(), branch.c_str(), 0) == 0) return true;
    start = comma + 1;
  }
  return false;
}

}  // namespace sandbot
