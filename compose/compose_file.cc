#include "compose/compose_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <set>

#include "compose/yaml_tree.h"

namespace sandbot {

std::string ComposeProblem::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

const ComposeService* ComposeProject::Find(const std::string& name) const {
  for (const ComposeService& s : services) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool ComposeProject::Enabled(const ComposeService& s, const std::vector<std::string>& active) {
  if (s.profiles.empty()) return true;
  for (const std::string& p : s.profiles) {
    if (std::find(active.begin(), active.end(), p) != active.end()) return true;
  }
  return false;
}

const std::vector<std::string>& ComposeFileNames() {
  static const std::vector<std::string> names = {"compose.yaml", "compose.yml",
                                                 "docker-compose.yaml", "docker-compose.yml"};
  return names;
}

bool NormalRelativePath(const std::string& path, std::string* out) {
  if (path.empty() || path[0] == '/' || path[0] == '~') return false;
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    const std::string part = path.substr(start, slash - start);
    if (part == "..") {
      if (parts.empty()) return false;
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  out->clear();
  for (const std::string& p : parts) *out += (out->empty() ? "" : "/") + p;
  if (out->empty()) *out = ".";
  return true;
}

Status SplitCommand(const std::string& text, std::vector<std::string>* argv) {
  argv->clear();
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) argv->push_back(word);
      word.clear();
      in_word = false;
    } else if (c == '\'') {
      size_t close = text.find('\'', i + 1);
      if (close == std::string::npos) return Status::InvalidArgument("unclosed ' in: " + text);
      word += text.substr(i + 1, close - i - 1);
      in_word = true;
      i = close;
    } else if (c == '"') {
      in_word = true;
      size_t j = i + 1;
      for (; j < text.size() && text[j] != '"'; ++j) {
        if (text[j] == '\\' && j + 1 < text.size() &&
            std::string("\"\\$`\n").find(text[j + 1]) != std::string::npos) {
          ++j;
        }
        word += text[j];
      }
      if (j >= text.size()) return Status::InvalidArgument("unclosed \" in: " + text);
      i = j;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) argv->push_back(word);
  return Status::Ok();
}

namespace {

using Node = YamlNode;

std::vector<std::string> Split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t c; (c = text.find(sep, start)) != std::string::npos; start = c + 1) {
    parts.push_back(text.substr(start, c - start));
  }
  parts.push_back(text.substr(start));
  return parts;
}

// Offset of the first byte that is not YAML's printable text: well-formed
// UTF-8 (no overlong forms, surrogates or code points past U+10FFFF) without
// C0 controls other than tab, CR and LF, or DEL; npos if none.
size_t BadByte(const std::string& text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) return i;
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > n) return i;
    uint32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static const uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string::npos;
}

int LineOf(const Node& n) { return n.Mark().is_null() ? 0 : n.Mark().line + 1; }

// The keys of one mapping so far, to refuse a duplicate: a list scanned while
// short, as nearly every mapping is (cheaper than a std::set's node per key),
// a set once longer.
class KeySet {
 public:
  // False when `k` is there already.
  bool Insert(const std::string& k) {
    if (set_.empty() && list_.size() < 32) {
      if (std::find(list_.begin(), list_.end(), k) != list_.end()) return false;
      list_.push_back(k);
      return true;
    }
    if (set_.empty()) set_.insert(list_.begin(), list_.end());
    return set_.insert(k).second;
  }

 private:
  std::vector<std::string> list_;
  std::set<std::string> set_;
};

// One parse: the options, what went wrong, and the readers every key shares.
class Parser {
 public:
  Parser(const ComposeOptions& o, std::vector<ComposeProblem>* errors,
         std::vector<ComposeProblem>* warnings)
      : o_(o), errors_(errors), warnings_(warnings) {}

  void Error(const Node& n, const std::string& key, const std::string& message) {
    errors_->push_back({o_.file, LineOf(n), key, message});
  }
  void Warn(const Node& n, const std::string& key, const std::string& message) {
    warnings_->push_back({o_.file, LineOf(n), key, message});
  }
  // A key sandbot does not read: named, unless it is an extension (x-*),
  // which the Compose Specification leaves to the file's own use.
  void Unsupported(const Node& n, const std::string& key, const std::string& field) {
    if (field.rfind("x-", 0) != 0) Warn(n, Join(key, field), "not supported by sandbot; ignored");
  }

  // The entries of a mapping, "<<" merge keys expanded (explicit keys win),
  // duplicate keys refused. False (with an error) when `n` is not a mapping.
  bool Entries(const Node& n, const std::string& key,
               std::vector<std::pair<std::string, Node>>* out, int depth = 0) {
    out->clear();
    if (!n.IsMap()) {
      if (depth == 0) Error(n, key, "must be a mapping");
      return false;
    }
    KeySet seen;
    std::vector<std::pair<std::string, Node>> merged;
    for (const auto& entry : n) {
      const Node& key_node = entry.first;
      const Node& value = entry.second;
      if (!key_node.IsScalar()) {
        Error(key_node, key, "keys must be plain words");
        continue;
      }
      std::string k = key_node.Scalar();
      if (k.find('\0') != std::string::npos) {
        Error(key_node, key, "a key holds a NUL character");
        continue;
      }
      if (k == "<<" && depth < 8) {
        std::vector<Node> sources;
        if (value.IsSequence()) {
          for (size_t i = 0; i < value.size(); ++i) sources.push_back(value[i]);
        } else {
          sources.push_back(value);
        }
        for (const Node& m : sources) {
          std::vector<std::pair<std::string, Node>> from;
          if (!Entries(m, key, &from, depth + 1)) {
            Error(m, key, "a merge key (<<) takes a mapping or a list of mappings");
            continue;
          }
          for (auto& e : from) merged.push_back(e);
        }
        continue;
      }
      if (!seen.Insert(k)) {
        Error(key_node, Join(key, k), "duplicate key \"" + k + "\"");
        continue;
      }
      out->emplace_back(std::move(k), value);
    }
    for (auto& e : merged) {
      if (seen.Insert(e.first)) out->push_back(std::move(e));
    }
    return true;
  }

  static std::string Join(const std::string& key, const std::string& k) {
    return key.empty() ? k : key + "." + k;
  }
  static std::string Index(const std::string& key, size_t i) {
    return key + "[" + std::to_string(i) + "]";
  }

  // A scalar, interpolated. False (with an error) otherwise.
  bool Str(const Node& n, const std::string& key, std::string* out) {
    if (!n.IsScalar()) {
      Error(n, key, n.IsNull() ? "must not be empty" : "must be a string");
      return false;
    }
    return Interp(n, key, n.Scalar(), out);
  }
  bool Interp(const Node& n, const std::string& key, const std::string& text, std::string* out) {
    out->clear();
    // "\0" in a double-quoted scalar: no argv, environment or label can hold it.
    if (text.find('\0') != std::string::npos) {
      Error(n, key, "holds a NUL character");
      return false;
    }
    std::vector<std::string> unset;
    Status s = Interpolate(text, o_.lookup, out, &unset);
    if (!s.ok()) {
      Error(n, key, s.message());
      return false;
    }
    for (const std::string& v : unset) {
      Warn(n, key, "variable " + v + " is not set; it is an empty string");
    }
    return true;
  }
  bool Int(const Node& n, const std::string& key, int lo, int hi, int* out) {
    std::string text;
    if (!Str(n, key, &text)) return false;
    char* end = nullptr;
    long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < lo || v > hi) {
      Error(n, key,
            "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi) +
                " (not \"" + text + "\")");
      return false;
    }
    *out = static_cast<int>(v);
    return true;
  }
  bool Bool(const Node& n, const std::string& key, bool* out) {
    std::string text;
    if (!Str(n, key, &text)) return false;
    if (text == "true" || text == "True" || text == "yes") {
      *out = true;
    } else if (text == "false" || text == "False" || text == "no") {
      *out = false;
    } else {
      Error(n, key, "must be true or false");
      return false;
    }
    return true;
  }
  // A string, or a list of strings.
  bool StrList(const Node& n, const std::string& key, std::vector<std::string>* out,
               bool scalar_ok) {
    out->clear();
    if (n.IsScalar() && scalar_ok) {
      std::string v;
      if (!Str(n, key, &v)) return false;
      out->push_back(v);
      return true;
    }
    if (!n.IsSequence()) {
      Error(n, key,
            scalar_ok ? "must be a string or a list of strings" : "must be a list of strings");
      return false;
    }
    for (size_t i = 0; i < n.size(); ++i) {
      std::string v;
      if (!Str(n[i], Index(key, i), &v)) return false;
      out->push_back(v);
    }
    return true;
  }
  // A string command (split as a shell would, without expansion) or a list.
  bool Argv(const Node& n, const std::string& key, std::vector<std::string>* out) {
    if (n.IsScalar()) {
      std::string text;
      if (!Str(n, key, &text)) return false;
      Status s = SplitCommand(text, out);
      if (!s.ok()) Error(n, key, s.message());
      return s.ok();
    }
    return StrList(n, key, out, false);
  }
  // A mapping of strings (values: scalars, or null when `nulls`), or a list of
  // "KEY=VALUE" (or bare "KEY" when `nulls`).
  bool Dict(const Node& n, const std::string& key, bool nulls,
            std::map<std::string, std::optional<std::string>>* out) {
    if (n.IsSequence()) {
      for (size_t i = 0; i < n.size(); ++i) {
        std::string item;
        if (!Str(n[i], Index(key, i), &item)) return false;
        size_t eq = item.find('=');
        if (eq == std::string::npos && !nulls) {
          Error(n[i], Index(key, i), "must be KEY=VALUE");
          return false;
        }
        const std::string k = item.substr(0, eq);
        if (out->count(k)) {
          Error(n[i], Index(key, i), "duplicate key \"" + k + "\"");
          return false;
        }
        if (eq == std::string::npos) {
          (*out)[k] = Lookup(k);
        } else {
          (*out)[k] = item.substr(eq + 1);
        }
      }
      return true;
    }
    std::vector<std::pair<std::string, Node>> entries;
    if (!Entries(n, key, &entries)) return false;
    for (auto& [k, v] : entries) {
      if (v.IsNull()) {
        if (!nulls) {
          Error(v, Join(key, k), "must have a value");
          return false;
        }
        (*out)[k] = Lookup(k);
        continue;
      }
      std::string value;
      if (!Str(v, Join(key, k), &value)) return false;
      (*out)[k] = value;
    }
    return true;
  }
  bool StrDict(const Node& n, const std::string& key, std::map<std::string, std::string>* out) {
    std::map<std::string, std::optional<std::string>> d;
    if (!Dict(n, key, false, &d)) return false;
    for (auto& [k, v] : d) (*out)[k] = v.value_or("");
    return true;
  }
  std::optional<std::string> Lookup(const std::string& k) {
    std::string v;
    if (o_.lookup(k, &v)) return v;
    return std::nullopt;
  }

  // A path of the file, made checkout-relative; refused when it leaves the
  // checkout (absolute, "~", or too many "..").
  bool InCheckout(const Node& n, const std::string& key, const std::string& path,
                  std::string* out) {
    std::string joined = o_.base.empty() || o_.base == "." ? path : o_.base + "/" + path;
    if (path.empty() || path[0] == '/' || path[0] == '~' || !NormalRelativePath(joined, out)) {
      Error(n, key,
            "\"" + path +
                "\" is outside the checkout (only paths inside the repository are allowed)");
      return false;
    }
    return true;
  }

  bool Ports(const Node& n, const std::string& key, std::vector<ComposePort>* out);
  bool PortSpec(const Node& n, const std::string& key, const std::string& text, int* lo, int* hi);
  bool CheckHostPort(const Node& n, const std::string& key, const ComposePort& p);
  bool Volumes(const Node& n, const std::string& key, const ComposeProject& project,
               std::vector<ComposeMount>* out);
  bool FileRefs(const Node& n, const std::string& key,
                const std::map<std::string, ComposeFileSource>& top,
                std::vector<ComposeFileRef>* out);
  bool Healthcheck(const Node& n, const std::string& key, ComposeHealthcheck* out);
  bool DependsOn(const Node& n, const std::string& key, std::vector<ComposeDependency>* out);
  bool EnvFiles(const Node& n, const std::string& key,
                std::map<std::string, std::optional<std::string>>* env);
  bool Deploy(const Node& n, const std::string& key, ComposeService* s);
  void Service(const std::string& name, const Node& n, const ComposeProject& project,
               ComposeService* s);
  void TopFiles(const Node& n, const std::string& key,
                std::map<std::string, ComposeFileSource>* out);
  void CheckGraph(const ComposeProject& p);

 private:
  const ComposeOptions& o_;
  std::vector<ComposeProblem>* errors_;
  std::vector<ComposeProblem>* warnings_;
  std::map<std::string, std::pair<Status, std::string>> files_read_;  // env_file: path -> content
};

bool Parser::PortSpec(const Node& n, const std::string& key, const std::string& text, int* lo,
                      int* hi) {
  size_t dash = text.find('-');
  auto one = [](const std::string& t, int* v) {
    if (t.empty() || t.size() > 5 || t.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    *v = std::atoi(t.c_str());
    return *v >= 1 && *v <= 65535;
  };
  bool ok = dash == std::string::npos
                ? one(text, lo) && (*hi = *lo, true)
                : one(text.substr(0, dash), lo) && one(text.substr(dash + 1), hi) && *lo <= *hi;
  if (!ok) Error(n, key, "\"" + text + "\" is not a port (1-65535) or range like 4000-4005");
  return ok;
}

bool Parser::CheckHostPort(const Node& n, const std::string& key, const ComposePort& p) {
  if (p.published_lo == 0 || o_.host_port_ranges.empty()) return true;
  std::string ranges;
  for (const auto& [lo, hi] : o_.host_port_ranges) {
    if (p.published_lo >= lo && p.published_hi <= hi) return true;
    ranges += (ranges.empty() ? "" : ", ") + std::to_string(lo) + "-" + std::to_string(hi);
  }
  Error(n, key,
        "host port " + std::to_string(p.published_lo) +
            (p.published_hi != p.published_lo ? "-" + std::to_string(p.published_hi) : "") +
            " is outside sandbot's port ranges (" + ranges +
            "); leave the host port out and sandbot picks one");
  return false;
}

bool Parser::Ports(const Node& n, const std::string& key, std::vector<ComposePort>* out) {
  if (!n.IsSequence()) {
    Error(n, key, "must be a list");
    return false;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const Node& item = n[i];
    const std::string k = Index(key, i);
    ComposePort p;
    if (item.IsMap()) {
      std::vector<std::pair<std::string, Node>> entries;
      if (!Entries(item, k, &entries)) return false;
      for (auto& [f, v] : entries) {
        std::string text;
        if (f == "target" || f == "published") {
          if (!Str(v, Join(k, f), &text)) return false;
          if (!PortSpec(v, Join(k, f), text, f == "target" ? &p.target_lo : &p.published_lo,
                        f == "target" ? &p.target_hi : &p.published_hi)) {
            return false;
          }
        } else if (f == "host_ip") {
          if (!Str(v, Join(k, f), &p.host_ip)) return false;
        } else if (f == "protocol") {
          if (!Str(v, Join(k, f), &p.protocol)) return false;
        } else if (f == "mode") {
          if (!Str(v, Join(k, f), &text)) return false;
          if (text != "ingress" && text != "host") {
            Error(v, Join(k, f), "must be ingress or host");
            return false;
          }
        } else {
          Unsupported(v, k, f);
        }
      }
      if (p.target_lo == 0) {
        Error(item, k, "needs a target (the container's port)");
        return false;
      }
    } else {
      std::string text;
      if (!Str(item, k, &text)) return false;
      size_t slash = text.find('/');
      if (slash != std::string::npos) {
        p.protocol = text.substr(slash + 1);
        text = text.substr(0, slash);
      }
      if (!text.empty() && text[0] == '[') {  // [::1]:6001:6001
        size_t close = text.find("]:");
        if (close == std::string::npos) {
          Error(item, k, "\"" + text + "\" is not a port mapping");
          return false;
        }
        p.host_ip = text.substr(1, close - 1);
        text = text.substr(close + 2);
      }
      const std::vector<std::string> parts = Split(text, ':');
      if (parts.size() > 3 || (parts.size() == 3 && !p.host_ip.empty())) {
        Error(item, k, "\"" + text + "\" is not a port mapping ([IP:][HOST:]CONTAINER[/PROTO])");
        return false;
      }
      if (parts.size() == 3) p.host_ip = parts[0];
      if (!PortSpec(item, k, parts.back(), &p.target_lo, &p.target_hi)) return false;
      if (parts.size() >= 2 && !parts[parts.size() - 2].empty() &&
          !PortSpec(item, k, parts[parts.size() - 2], &p.published_lo, &p.published_hi)) {
        return false;
      }
    }
    if (p.protocol != "tcp" && p.protocol != "udp" && p.protocol != "sctp") {
      Error(item, k, "protocol must be tcp, udp or sctp");
      return false;
    }
    if (p.published_lo != 0 && p.published_hi - p.published_lo != p.target_hi - p.target_lo &&
        p.target_hi != p.target_lo) {
      Error(item, k, "host and container port ranges differ in size");
      return false;
    }
    if (!CheckHostPort(item, k, p)) return false;
    out->push_back(p);
  }
  return true;
}

bool Parser::Volumes(const Node& n, const std::string& key, const ComposeProject& project,
                     std::vector<ComposeMount>* out) {
  if (!n.IsSequence()) {
    Error(n, key, "must be a list");
    return false;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    const Node& item = n[i];
    const std::string k = Index(key, i);
    ComposeMount m;
    if (item.IsMap()) {
      std::vector<std::pair<std::string, Node>> entries;
      if (!Entries(item, k, &entries)) return false;
      for (auto& [f, v] : entries) {
        if (f == "type") {
          if (!Str(v, Join(k, f), &m.type)) return false;
        } else if (f == "source") {
          if (!Str(v, Join(k, f), &m.source)) return false;
        } else if (f == "target") {
          if (!Str(v, Join(k, f), &m.target)) return false;
        } else if (f == "read_only") {
          if (!Bool(v, Join(k, f), &m.read_only)) return false;
        } else {
          Unsupported(v, k, f);
        }
      }
      if (m.type != "volume" && m.type != "bind" && m.type != "tmpfs") {
        Error(item, Join(k, "type"), "must be volume, bind or tmpfs (not \"" + m.type + "\")");
        return false;
      }
    } else {
      std::string text;
      if (!Str(item, k, &text)) return false;
      const std::vector<std::string> parts = Split(text, ':');
      if (parts.size() == 1) {
        m.target = parts[0];
      } else if (parts.size() <= 3) {
        m.source = parts[0];
        m.target = parts[1];
        if (parts.size() == 3) {
          for (const std::string& opt : Split(parts[2], ',')) {
            if (opt == "ro") {
              m.read_only = true;
            } else if (opt != "rw" && opt != "z" && opt != "Z" && opt != "nocopy") {
              Error(item, k, "unknown volume option \"" + opt + "\"");
              return false;
            }
          }
        }
      } else {
        Error(item, k, "\"" + text + "\" is not SOURCE:TARGET[:ro]");
        return false;
      }
      const char c0 = m.source.empty() ? 0 : m.source[0];
      m.type = c0 == '.' || c0 == '/' || c0 == '~' ? "bind" : "volume";
    }
    if (m.target.empty() || m.target[0] != '/') {
      Error(item, k, "the target must be an absolute path in the container");
      return false;
    }
    if (m.type == "bind") {
      std::string rel;
      if (!InCheckout(item, k, m.source, &rel)) return false;
      m.source = rel;
      if (!m.read_only) {
        Warn(item, k, "bind mounts are read-only in a sandbox; mounted read-only");
        m.read_only = true;
      }
    } else if (m.type == "volume" && !m.source.empty() && !project.volumes.count(m.source)) {
      Error(item, k, "volume \"" + m.source + "\" is not declared under the top-level volumes");
      return false;
    }
    out->push_back(m);
  }
  return true;
}

bool Parser::FileRefs(const Node& n, const std::string& key,
                      const std::map<std::string, ComposeFileSource>& top,
                      std::vector<ComposeFileRef>* out) {
  if (!n.IsSequence()) {
    Error(n, key, "must be a list");
    return false;
  }
  const std::string kind = key.substr(key.rfind('.') + 1);
  for (size_t i = 0; i < n.size(); ++i) {
    const Node& item = n[i];
    const std::string k = Index(key, i);
    ComposeFileRef r;
    if (item.IsMap()) {
      std::vector<std::pair<std::string, Node>> entries;
      if (!Entries(item, k, &entries)) return false;
      for (auto& [f, v] : entries) {
        bool ok = true;
        if (f == "source") {
          ok = Str(v, Join(k, f), &r.source);
        } else if (f == "target") {
          ok = Str(v, Join(k, f), &r.target);
        } else if (f == "uid") {
          ok = Str(v, Join(k, f), &r.uid);
        } else if (f == "gid") {
          ok = Str(v, Join(k, f), &r.gid);
        } else if (f == "mode") {
          std::string text;
          ok = Str(v, Join(k, f), &text);
          char* end = nullptr;
          long mode = ok ? std::strtol(text.c_str(), &end, 0) : 0;
          if (ok && (text.empty() || *end != '\0' || mode < 0 || mode > 0777)) {
            Error(v, Join(k, f), "must be a file mode like 0440");
            ok = false;
          }
          r.mode = static_cast<int>(mode);
        } else {
          Unsupported(v, k, f);
        }
        if (!ok) return false;
      }
    } else if (!Str(item, k, &r.source)) {
      return false;
    }
    if (!top.count(r.source)) {
      Error(item, k,
            kind.substr(0, kind.size() - 1) + " \"" + r.source +
                "\" is not declared under the top-level " + kind);
      return false;
    }
    out->push_back(r);
  }
  return true;
}

bool IsDuration(const std::string& text) {
  if (text.empty()) return false;
  size_t i = 0;
  while (i < text.size()) {
    size_t digits = i;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
    if (i == digits) return false;
    size_t unit = i;
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    const std::string u = text.substr(unit, i - unit);
    if (u != "ns" && u != "us" && u != "ms" && u != "s" && u != "m" && u != "h") return false;
  }
  return true;
}

bool Parser::Healthcheck(const Node& n, const std::string& key, ComposeHealthcheck* h) {
  std::vector<std::pair<std::string, Node>> entries;
  if (!Entries(n, key, &entries)) return false;
  h->set = true;
  for (auto& [f, v] : entries) {
    const std::string k = Join(key, f);
    if (f == "test") {
      if (v.IsScalar()) {
        std::string cmd;
        if (!Str(v, k, &cmd)) return false;
        h->test = {"CMD-SHELL", cmd};
      } else {
        if (!StrList(v, k, &h->test, false)) return false;
        if (h->test.empty() ||
            (h->test[0] != "CMD" && h->test[0] != "CMD-SHELL" && h->test[0] != "NONE")) {
          Error(v, k, "a list test starts with CMD, CMD-SHELL or NONE");
          return false;
        }
        if (h->test[0] == "NONE") h->disable = true;
      }
    } else if (f == "interval" || f == "timeout" || f == "start_period") {
      std::string text;
      if (!Str(v, k, &text)) return false;
      if (!IsDuration(text)) {
        Error(v, k, "\"" + text + "\" is not a duration like 30s or 1m30s");
        return false;
      }
      (f == "interval" ? h->interval : f == "timeout" ? h->timeout : h->start_period) = text;
    } else if (f == "retries") {
      if (!Int(v, k, 0, 1000, &h->retries)) return false;
    } else if (f == "disable") {
      if (!Bool(v, k, &h->disable)) return false;
    } else {
      Unsupported(v, key, f);
    }
  }
  if (!h->disable && h->test.empty()) {
    Error(n, key, "needs a test (or disable: true)");
    return false;
  }
  return true;
}

bool Parser::DependsOn(const Node& n, const std::string& key, std::vector<ComposeDependency>* out) {
  if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) {
      ComposeDependency d;
      d.line = LineOf(n[i]);
      if (!Str(n[i], Index(key, i), &d.service)) return false;
      out->push_back(d);
    }
    return true;
  }
  std::vector<std::pair<std::string, Node>> entries;
  if (!Entries(n, key, &entries)) return false;
  for (auto& [name, v] : entries) {
    ComposeDependency d;
    d.service = name;
    d.line = LineOf(v);
    std::vector<std::pair<std::string, Node>> fields;
    if (!v.IsNull() && !Entries(v, Join(key, name), &fields)) return false;
    for (auto& [f, fv] : fields) {
      const std::string k = Join(Join(key, name), f);
      if (f == "condition") {
        if (!Str(fv, k, &d.condition)) return false;
        if (d.condition != "service_started" && d.condition != "service_healthy" &&
            d.condition != "service_completed_successfully") {
          Error(fv, k,
                "must be service_started, service_healthy or service_completed_successfully");
          return false;
        }
      } else {
        Unsupported(fv, Join(key, name), f);
      }
    }
    out->push_back(d);
  }
  return true;
}

// KEY=VALUE lines; '#' comments and blank lines skipped, "export " and one
// pair of surrounding quotes dropped.
void ParseEnvFile(const std::string& text, std::map<std::string, std::optional<std::string>>* env) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    if (line.rfind("export ", 0) == 0) line = line.substr(7);
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') && value.back() == value[0]) {
      value = value.substr(1, value.size() - 2);
    }
    (*env)[line.substr(0, eq)] = value;
  }
}

bool Parser::EnvFiles(const Node& n, const std::string& key,
                      std::map<std::string, std::optional<std::string>>* env) {
  std::vector<std::pair<Node, std::string>> files;
  if (n.IsScalar()) {
    std::string path;
    if (!Str(n, key, &path)) return false;
    files.emplace_back(n, path);
  } else if (n.IsSequence()) {
    for (size_t i = 0; i < n.size(); ++i) {
      std::string path;
      if (n[i].IsMap() && n[i]["path"]) {
        if (!Str(n[i]["path"], Join(Index(key, i), "path"), &path)) return false;
      } else if (!Str(n[i], Index(key, i), &path)) {
        return false;
      }
      files.emplace_back(n[i], path);
    }
  } else {
    Error(n, key, "must be a file name or a list of them");
    return false;
  }
  for (auto& [node, path] : files) {
    std::string rel;
    if (!InCheckout(node, key, path, &rel)) return false;
    // Services often share an env_file (through a `<<` merge): read once.
    auto [read, first] = files_read_.try_emplace(rel);
    auto& [s, text] = read->second;
    if (first) {
      s = o_.read_file ? o_.read_file(rel, &text)
                       : Status::Unavailable("files cannot be read here");
    }
    if (!s.ok()) {
      Error(node, key, "cannot read " + rel + ": " + s.message());
      return false;
    }
    ParseEnvFile(text, env);
  }
  return true;
}

bool Parser::Deploy(const Node& n, const std::string& key, ComposeService* s) {
  std::vector<std::pair<std::string, Node>> entries;
  if (!Entries(n, key, &entries)) return false;
  for (auto& [f, v] : entries) {
    const std::string k = Join(key, f);
    if (f != "resources") {
      Unsupported(v, key, f);
      continue;
    }
    std::vector<std::pair<std::string, Node>> res;
    if (!Entries(v, k, &res)) return false;
    for (auto& [r, rv] : res) {
      const std::string rk = Join(k, r);
      if (r != "limits") {
        Unsupported(rv, k, r);
        continue;
      }
      std::vector<std::pair<std::string, Node>> limits;
      if (!Entries(rv, rk, &limits)) return false;
      for (auto& [l, lv] : limits) {
        const std::string lk = Join(rk, l);
        if (l == "cpus") {
          if (!Str(lv, lk, &s->cpus)) return false;
          char* end = nullptr;
          double cpus = std::strtod(s->cpus.c_str(), &end);
          if (s->cpus.empty() || *end != '\0' || cpus <= 0) {
            Error(lv, lk, "must be a positive number of CPUs like 0.5");
            return false;
          }
        } else if (l == "memory") {
          if (!Str(lv, lk, &s->memory)) return false;
          size_t digits = s->memory.find_first_not_of("0123456789");
          std::string unit = digits == std::string::npos ? "" : s->memory.substr(digits);
          std::transform(unit.begin(), unit.end(), unit.begin(), ::tolower);
          if (digits == 0 || (unit != "" && unit != "b" && unit != "k" && unit != "kb" &&
                              unit != "m" && unit != "mb" && unit != "g" && unit != "gb")) {
            Error(lv, lk, "must be a size like 512M or 1G");
            return false;
          }
        } else if (l == "pids") {
          if (!Int(lv, lk, 1, 1 << 22, &s->pids)) return false;
        } else {
          Unsupported(lv, rk, l);
        }
      }
    }
  }
  return true;
}

bool ValidComposeServiceName(const std::string& name) {
  if (name.empty() || name.size() > 30 || name.front() == '-' || name.back() == '-') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

void Parser::Service(const std::string& name, const Node& n, const ComposeProject& project,
                     ComposeService* s) {
  const std::string key = "services." + name;
  s->name = name;
  s->line = LineOf(n);
  if (!ValidComposeServiceName(name)) {
    Error(n, key,
          "service names are DNS labels in a sandbox: lower-case a-z, 0-9 and '-', at most 30 "
          "characters");
  }
  std::vector<std::pair<std::string, Node>> entries;
  if (!Entries(n, key, &entries)) return;
  const Node* env_file = nullptr;
  std::map<std::string, std::optional<std::string>> environment;
  for (auto& [f, v] : entries) {
    const std::string k = Join(key, f);
    if (f == "build") {
      ComposeBuild b;
      std::string context = ".";
      if (v.IsScalar()) {
        if (!Str(v, k, &context)) continue;
      } else {
        std::vector<std::pair<std::string, Node>> fields;
        if (!Entries(v, k, &fields)) continue;
        for (auto& [bf, bv] : fields) {
          const std::string bk = Join(k, bf);
          if (bf == "context") {
            Str(bv, bk, &context);
          } else if (bf == "dockerfile") {
            std::string df;
            if (Str(bv, bk, &df) && !NormalRelativePath(df, &b.dockerfile)) {
              Error(bv, bk, "\"" + df + "\" is outside the build context");
            }
          } else if (bf == "args") {
            std::map<std::string, std::optional<std::string>> args;
            if (Dict(bv, bk, true, &args)) {
              for (auto& [ak, av] : args) {
                if (av) b.args[ak] = *av;  // an unset bare arg is left to the Dockerfile
              }
            }
          } else if (bf == "target") {
            Str(bv, bk, &b.target);
          } else {
            Unsupported(bv, k, bf);
          }
        }
      }
      if (InCheckout(v, k, context, &b.context)) s->build = b;
    } else if (f == "image") {
      Str(v, k, &s->image);
    } else if (f == "command" || f == "entrypoint") {
      std::vector<std::string> argv;
      if (Argv(v, k, &argv)) (f == "command" ? s->command : s->entrypoint) = argv;
    } else if (f == "environment") {
      Dict(v, k, true, &environment);
    } else if (f == "env_file") {
      env_file = &v;
    } else if (f == "ports") {
      Ports(v, k, &s->ports);
    } else if (f == "expose") {
      std::vector<std::string> expose;
      if (StrList(v, k, &expose, false)) {
        for (size_t i = 0; i < expose.size(); ++i) {
          const std::string port = expose[i].substr(0, expose[i].find('/'));
          int lo, hi;
          if (PortSpec(v[i], Index(k, i), port, &lo, &hi)) s->expose.push_back(expose[i]);
        }
      }
    } else if (f == "depends_on") {
      DependsOn(v, k, &s->depends_on);
    } else if (f == "healthcheck") {
      Healthcheck(v, k, &s->healthcheck);
    } else if (f == "volumes") {
      Volumes(v, k, project, &s->volumes);
    } else if (f == "working_dir") {
      if (Str(v, k, &s->working_dir) && s->working_dir[0] != '/') {
        Error(v, k, "must be an absolute path");
      }
    } else if (f == "user") {
      Str(v, k, &s->user);
    } else if (f == "labels") {
      StrDict(v, k, &s->labels);
    } else if (f == "restart") {
      if (Str(v, k, &s->restart)) {
        const std::string& r = s->restart;
        bool ok = r == "no" || r == "always" || r == "unless-stopped" || r == "on-failure";
        if (r.rfind("on-failure:", 0) == 0) {
          const std::string n = r.substr(11);
          ok = !n.empty() && n.size() < 6 && n.find_first_not_of("0123456789") == std::string::npos;
        }
        if (!ok) Error(v, k, "must be no, always, on-failure[:N] or unless-stopped");
      }
    } else if (f == "secrets") {
      FileRefs(v, k, project.secrets, &s->secrets);
    } else if (f == "configs") {
      FileRefs(v, k, project.configs, &s->configs);
    } else if (f == "deploy") {
      Deploy(v, k, s);
    } else if (f == "profiles") {
      StrList(v, k, &s->profiles, false);
    } else if (f == "privileged") {
      bool on = false;
      if (Bool(v, k, &on) && on) Error(v, k, "privileged containers are refused in a sandbox");
    } else if (f == "devices" || f == "cap_add") {
      if (!(v.IsSequence() && v.size() == 0)) {
        Error(v, k,
              (f == "devices" ? std::string("host devices") : "added capabilities") +
                  " are refused in a sandbox");
      }
    } else if (f == "network_mode" || f == "pid" || f == "ipc" || f == "userns_mode" ||
               f == "uts") {
      std::string mode;
      if (Str(v, k, &mode)) {
        if (mode == "host") {
          Error(v, k, "the host's namespaces are refused in a sandbox (\"host\")");
        } else {
          Warn(v, k, "not supported by sandbot; ignored");
        }
      }
    } else if (f == "x-sandbot") {
      Warn(v, k, "x-sandbot belongs at the top level of the file; ignored here");
    } else {
      Unsupported(v, key, f);
    }
  }
  if (env_file) EnvFiles(*env_file, Join(key, "env_file"), &s->environment);
  for (auto& [ek, ev] : environment) s->environment[ek] = ev;  // environment wins over env_file
  if (!s->build && s->image.empty()) Error(n, key, "needs an image or a build");
}

void Parser::TopFiles(const Node& n, const std::string& key,
                      std::map<std::string, ComposeFileSource>* out) {
  std::vector<std::pair<std::string, Node>> entries;
  if (!Entries(n, key, &entries)) return;
  const bool secrets = key == "secrets";
  for (auto& [name, v] : entries) {
    const std::string k = Join(key, name);
    std::vector<std::pair<std::string, Node>> fields;
    if (!Entries(v, k, &fields)) continue;
    ComposeFileSource src;
    Node name_node;
    std::string external;
    int sources = 0;
    bool ok = true;
    for (auto& [f, fv] : fields) {
      const std::string fk = Join(k, f);
      if (f == "file") {
        std::string path;
        ok = Str(fv, fk, &path) && InCheckout(fv, fk, path, &src.file) && ok;
        ++sources;
      } else if (f == "environment") {
        ok = Str(fv, fk, &src.environment) && ok;
        if (src.environment.empty() && ok) {
          Error(fv, fk, "must name a variable");
          ok = false;
        }
        ++sources;
      } else if (f == "external" && secrets) {
        ok = Str(fv, fk, &external) && ok;
        if (external == "true") {
          src.external = true;
          ++sources;
        } else if (ok && external != "false") {
          Error(fv, fk, "must be true or false");
          ok = false;
        }
      } else if (f == "name" && secrets) {
        ok = Str(fv, fk, &src.name) && ok;
        name_node = fv;
      } else if (f.rfind("x-", 0) != 0) {
        Error(fv, fk,
              secrets ? "not supported: a secret is file: PATH, environment: VAR or external: "
                        "true (sandbot's own secret of that name)"
                      : "not supported: a config is file: PATH or environment: VAR");
        ok = false;
      }
    }
    if (!ok) continue;
    if (sources != 1) {
      Error(v, k,
            std::string(sources ? "give only one of " : "needs one of ") +
                (secrets ? "file: PATH (a file in the repository), environment: VAR or "
                           "external: true"
                         : "file: PATH (a file in the repository) or environment: VAR"));
      continue;
    }
    if (!src.name.empty() && !src.external) {
      Error(name_node, Join(k, "name"),
            "is only for external: true (sandbot's secret of that name)");
      continue;
    }
    if (src.external && src.name.empty()) src.name = name;
    (*out)[name] = src;
  }
}

void Parser::CheckGraph(const ComposeProject& p) {
  // Depth-first search; a grey node met again closes a cycle.
  std::map<std::string, int> colour;  // 0 white, 1 grey, 2 black
  std::vector<std::string> stack;
  std::function<bool(const ComposeService&)> visit = [&](const ComposeService& s) {
    colour[s.name] = 1;
    stack.push_back(s.name);
    for (const ComposeDependency& d : s.depends_on) {
      const ComposeService* next = p.Find(d.service);
      if (!next) continue;
      if (colour[d.service] == 1) {
        std::string cycle;
        auto from = std::find(stack.begin(), stack.end(), d.service);
        for (auto it = from; it != stack.end(); ++it) cycle += *it + " -> ";
        errors_->push_back({o_.file, d.line, "services." + s.name + ".depends_on",
                            "dependency cycle: " + cycle + d.service});
        return false;
      }
      if (colour[d.service] == 0 && !visit(*next)) return false;
    }
    stack.pop_back();
    colour[s.name] = 2;
    return true;
  };
  for (const ComposeService& s : p.services) {
    for (const ComposeDependency& d : s.depends_on) {
      if (!p.Find(d.service)) {
        errors_->push_back({o_.file, d.line, "services." + s.name + ".depends_on",
                            "service \"" + d.service + "\" is not defined"});
      }
    }
  }
  for (const ComposeService& s : p.services) {
    if (colour[s.name] == 0 && !visit(s)) return;
  }
}

}  // namespace

std::vector<std::string> ComposeServiceNames(const std::string& text) {
  std::vector<std::string> names;
  if (BadByte(text) != std::string::npos) return names;
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap() || !root["services"] || !root["services"].IsMap()) return names;
    for (const auto& entry : root["services"]) {
      if (entry.first.IsScalar()) names.push_back(entry.first.Scalar());
    }
  } catch (const YAML::Exception&) {
    names.clear();
  }
  return names;
}

Status ParseCompose(const std::string& text, const ComposeOptions& options, ComposeProject* project,
                    std::vector<ComposeProblem>* errors, std::vector<ComposeProblem>* warnings) {
  *project = ComposeProject();
  errors->clear();
  warnings->clear();
  Parser p(options, errors, warnings);
  // Names and values end up in JSON, YAML and Engine API requests, which all
  // need UTF-8, and YAML allows no control characters (yaml-cpp reads them
  // anyway, a NUL as U+FFFD): refused up front, with their line.
  if (size_t bad = BadByte(text); bad != std::string::npos) {
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
    errors->push_back({options.file, line, "", "is not UTF-8 text, or holds a control character"});
    return Status::InvalidArgument(errors->back().ToString());
  }
  YamlTree tree;
  try {
    tree.Load(text);
  } catch (const YAML::Exception& e) {
    errors->push_back(
        {options.file, e.mark.is_null() ? 0 : e.mark.line + 1, "", "does not parse: " + e.msg});
  }
  const Node root = tree.root();
  try {
    std::vector<std::pair<std::string, Node>> top;
    if (errors->empty() && !root.IsMap()) {
      errors->push_back({options.file, 0, "", "a compose file is a mapping with services:"});
    } else if (errors->empty() && p.Entries(root, "", &top)) {
      Node services;
      bool has_services = false;
      // Declarations first: services refer to them.
      for (auto& [k, v] : top) {
        if (k == "services") {
          services = v;
          has_services = !v.IsNull();
        } else if (k == "volumes") {
          std::vector<std::pair<std::string, Node>> vols;
          if (!p.Entries(v, k, &vols)) continue;
          for (auto& [name, vv] : vols) {
            auto& labels = project->volumes[name];
            std::vector<std::pair<std::string, Node>> fields;
            if (vv.IsNull() || !p.Entries(vv, "volumes." + name, &fields)) continue;
            for (auto& [f, fv] : fields) {
              const std::string fk = "volumes." + name + "." + f;
              if (f == "labels") {
                p.StrDict(fv, fk, &labels);
              } else if (f == "external") {
                p.Error(fv, fk,
                        "external volumes are not supported: a sandbox's volumes are its own");
              } else {
                p.Unsupported(fv, "volumes." + name, f);
              }
            }
          }
        } else if (k == "secrets" || k == "configs") {
          p.TopFiles(v, k, k == "secrets" ? &project->secrets : &project->configs);
        } else if (k == "version") {
          // Obsolete in the Compose Specification; accepted and ignored, as docker-compose does.
        } else if (k == "name") {
          p.Warn(v, k, "the project name is the sandbox's; ignored");
        } else {
          p.Unsupported(v, "", k);
        }
      }
      std::vector<std::pair<std::string, Node>> list;
      if (!has_services) {
        errors->push_back({options.file, 0, "services", "no services: defined"});
      } else if (p.Entries(services, "services", &list)) {
        for (auto& [name, v] : list) {
          ComposeService s;
          p.Service(name, v, *project, &s);
          project->services.push_back(std::move(s));
        }
      }
      for (auto& [k, v] : top) {
        if (k != "x-sandbot") continue;
        std::vector<std::pair<std::string, Node>> fields;
        if (!p.Entries(v, k, &fields)) continue;
        for (auto& [f, fv] : fields) {
          const std::string fk = "x-sandbot." + f;
          if (f == "gateway") {
            if (p.Str(fv, fk, &project->gateway) && !project->Find(project->gateway)) {
              p.Error(fv, fk, "service \"" + project->gateway + "\" is not defined");
            }
          } else if (f == "seeds") {
            std::map<std::string, std::string> seeds;
            if (!p.StrDict(fv, fk, &seeds)) continue;
            for (auto& [vol, seed] : seeds) {
              if (!project->volumes.count(vol)) {
                p.Error(fv, fk + "." + vol, "volume \"" + vol + "\" is not declared under volumes");
              }
            }
            project->seeds = seeds;
          } else {
            p.Warn(fv, fk, "not a sandbot setting (gateway, seeds); ignored");
          }
        }
      }
      if (errors->empty()) p.CheckGraph(*project);
    }
  } catch (const YAML::Exception& e) {
    errors->push_back(
        {options.file, e.mark.is_null() ? 0 : e.mark.line + 1, "", "cannot read: " + e.msg});
  }
  if (errors->empty()) return Status::Ok();
  std::string message;
  for (const ComposeProblem& e : *errors) message += (message.empty() ? "" : "\n") + e.ToString();
  return Status::InvalidArgument(message);
}

}  // namespace sandbot
