#include "bot/image_ref.h"

#include <cctype>
#include <vector>

namespace sandbot {

void SplitRepoTag(const std::string& ref, std::string* repo, std::string* tag) {
  size_t colon = ref.rfind(':');
  size_t slash = ref.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    *repo = ref.substr(0, colon);
    *tag = ref.substr(colon + 1);
  } else {
    *repo = ref;
    tag->clear();
  }
  if (tag->empty()) *tag = "latest";
}

namespace {

bool IsAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// path-component := [a-z0-9]+ ( ( [._] | "__" | "-"+ ) [a-z0-9]+ )*
bool IsPathComponent(const std::string& c) {
  if (c.empty() || !IsAlnumLower(c.front()) || !IsAlnumLower(c.back())) return false;
  for (size_t i = 0; i < c.size();) {
    if (IsAlnumLower(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !IsAlnumLower(c[j])) ++j;
    std::string sep = c.substr(i, j - i);
    bool dashes = sep.find_first_not_of('-') == std::string::npos;
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

// domain := label ("." label)* [":" port], labels of [A-Za-z0-9-] not
// starting or ending with '-'.
bool IsDomain(const std::string& d) {
  std::string host = d;
  size_t colon = d.find(':');
  if (colon != std::string::npos) {
    std::string port = d.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    host = d.substr(0, colon);
  }
  if (host.empty()) return false;
  size_t start = 0;
  for (size_t i = 0; i <= host.size(); ++i) {
    if (i < host.size() && host[i] != '.') continue;
    std::string label = host.substr(start, i - start);
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = i + 1;
  }
  return true;
}

}  // namespace

bool IsValidImageTag(const std::string& ref) {
  std::string repo, tag;
  size_t colon = ref.rfind(':');
  size_t slash = ref.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    repo = ref.substr(0, colon);
    tag = ref.substr(colon + 1);
    // tag := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    if (tag.empty() || tag.size() > 128 || tag[0] == '.' || tag[0] == '-') return false;
    for (char c : tag) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
        return false;
      }
    }
  } else {
    repo = ref;
  }
  if (repo.empty() || repo.size() > 255) return false;
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= repo.size(); ++i) {
    if (i == repo.size() || repo[i] == '/') {
      parts.push_back(repo.substr(start, i - start));
      start = i + 1;
    }
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    // Only a leading component may be a registry host, and, as in the docker
    // CLI, only when it has a '.' or ':' or is "localhost".
    const std::string& p = parts[i];
    bool host = i == 0 && parts.size() > 1 &&
                (p.find_first_of(".:") != std::string::npos || p == "localhost") && IsDomain(p);
    bool ok = host || IsPathComponent(p);
    if (!ok) return false;
  }
  return true;
}

}  // namespace sandbot
