#include "handlers/names.h"

#include <fnmatch.h>

#include <cctype>

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

constexpr size_t kMaxTemplate = 64;
constexpr size_t kMaxEcho = 40;  // characters of user input repeated in messages

}  // namespace

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string EchoWord(const std::string& word) {
  if (word.size() <= kMaxEcho) return word;
  size_t cut = kMaxEcho;  // not in the middle of a UTF-8 sequence
  while (cut > 0 && (static_cast<unsigned char>(word[cut]) & 0xC0) == 0x80) --cut;
  return word.substr(0, cut) + "…";
}

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

Status ValidateTemplateName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= kMaxTemplate;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + EchoWord(name) +
                                 "' is not a valid template name: use letters, digits, '-' and "
                                 "'_', at most 64 characters (e.g. QA-DEFAULT)");
}

namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

Status ParseRouteTarget(const std::string& word, std::string* route) {
  std::string lower = Lower(word);
  if (lower == "sandbox" || lower == "baseline") {
    *route = lower;
    return Status::Ok();
  }
  const std::string hint =
      ": route to sandbox, baseline or an http:// or https:// URL (e.g. http://10.0.0.5:9000)";
  size_t colon = word.find(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("'" + EchoWord(word) + "' is not a route" + hint);
  }
  std::string scheme = Lower(word.substr(0, colon));
  if ((scheme != "http" && scheme != "https") || word.compare(colon, 3, "://") != 0) {
    return Status::InvalidArgument("'" + EchoWord(word) + "' is not an allowed URL" + hint);
  }
  size_t host_start = colon + 3;
  size_t end = word.find_first_of("/?#", host_start);
  if (end == std::string::npos) end = word.size();
  std::string authority = word.substr(host_start, end - host_start);
  std::string host = authority, port;
  if (!authority.empty() && authority[0] == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string::npos)
      host.clear();
    else {
      host = authority.substr(0, close + 1);
      port = authority.substr(close + 1);
    }
  } else {
    size_t p = authority.find(':');
    if (p != std::string::npos) {
      host = authority.substr(0, p);
      port = authority.substr(p);
    }
  }
  bool host_ok = !host.empty();
  if (host_ok && host[0] == '[') {
    for (size_t i = 1; i + 1 < host.size(); ++i) {
      char c = host[i];
      host_ok = host_ok && (std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.');
    }
    host_ok = host_ok && host.size() > 2;
  } else {
    for (char c : host) host_ok = host_ok && IsHostChar(c);
  }
  if (!host_ok) {
    return Status::InvalidArgument("'" + EchoWord(word) + "' has no valid host" + hint);
  }
  if (!port.empty()) {
    bool port_ok = port.size() >= 2 && port.size() <= 6 && port[0] == ':';
    for (size_t i = 1; port_ok && i < port.size(); ++i) port_ok = port[i] >= '0' && port[i] <= '9';
    if (port_ok) {
      long n = std::stol(port.substr(1));
      port_ok = n >= 1 && n <= 65535;
    }
    if (!port_ok) {
      return Status::InvalidArgument("'" + EchoWord(word) + "' has no valid port" + hint);
    }
  }
  for (unsigned char c : word) {
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' ||
        c == '`') {
      return Status::InvalidArgument("'" + EchoWord(word) +
                                     "' contains characters a URL cannot have" + hint);
    }
  }
  *route = scheme + word.substr(colon);
  return Status::Ok();
}

Status ValidateEnvKey(const std::string& key) {
  bool ok = !key.empty() && key.size() <= 128 && !(key[0] >= '0' && key[0] <= '9');
  for (char c : key) {
    ok = ok &&
         ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + EchoWord(key) +
                                 "' is not a valid variable name: letters, digits and '_', not "
                                 "starting with a digit (e.g. API_KEY)");
}

namespace {

// Folders a file must never be mounted in (sandbot mounts its own there, or
// the kernel's and the platform's are there; /var/run is /run in most
// images), and folders a file must never replace.
const struct {
  const char* tree;
  const char* why;
} kReservedTrees[] = {
    {"/etc/sandbot", "which sandbot mounts itself"},
    {"/run/secrets", "which sandbot mounts itself"},
    {"/var/run/secrets", "which is /run/secrets in most images (sandbot mounts it itself)"},
    {"/proc", "the kernel's"},
    {"/sys", "the kernel's"},
    {"/dev", "the kernel's"},
};
constexpr const char* kReservedFolders[] = {"/etc",   "/bin", "/boot", "/home", "/lib",    "/lib64",
                                            "/media", "/mnt", "/opt",  "/root", "/run",    "/sbin",
                                            "/srv",   "/tmp", "/usr",  "/var",  "/var/run"};

bool IsPathChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-' || c == '/';
}

}  // namespace

Status ValidateContainerPath(const std::string& path) {
  const Status bad = Status::InvalidArgument(
      "'" + EchoWord(path) +
      "' is not a valid file path: absolute, segments of letters, digits, '.', '_' and '-' "
      "separated by one '/', no '.' or '..' segment, no '/' at the end, at most 256 "
      "characters (e.g. /etc/app/config.yml)");
  if (path.size() < 2 || path.size() > 256 || path[0] != '/') return bad;
  for (char c : path) {
    if (!IsPathChar(c)) return bad;
  }
  // Checked segment by segment, so no spelling of a path ("/etc/.",
  // "/var//run/secrets/x", "/run/./secrets") is anything but its one
  // normal form: the one checked against the reserved folders below.
  for (size_t start = 1; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string segment = path.substr(start, end - start);
    if (segment.empty() || segment == "." || segment == "..") return bad;
    start = end + 1;
  }
  for (const auto& reserved : kReservedTrees) {
    const std::string r = reserved.tree;
    if (path == r || path.rfind(r + "/", 0) == 0) {
      return Status::InvalidArgument(path + " is inside " + r + ", " + reserved.why +
                                     ": a reserved folder; choose another path");
    }
  }
  for (const char* reserved : kReservedFolders) {
    if (path == reserved) {
      return Status::InvalidArgument(path +
                                     " is a system folder: a file cannot replace it; name a file "
                                     "inside one (e.g. " +
                                     path + "/app/config.yml)");
    }
  }
  return Status::Ok();
}

Status ValidateRemovablePath(const std::string& path) {
  bool ok = path.size() >= 2 && path.size() <= 256 && path[0] == '/';
  for (char c : path) ok = ok && IsPathChar(c);
  if (ok) return Status::Ok();
  return Status::InvalidArgument("'" + EchoWord(path) +
                                 "' is not a file path: absolute, letters, digits, '.', '_', "
                                 "'-' and '/', at most 256 characters");
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
