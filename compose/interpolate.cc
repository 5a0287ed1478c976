#include "compose/interpolate.h"

#include <sstream>

namespace sandbot {
namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Index of the `}` closing the `${` whose body starts at `from`, counting
// nested `${`; npos when there is none.
size_t ClosingBrace(const std::string& text, size_t from) {
  int depth = 1;
  for (size_t i = from; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      ++i;
    } else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      ++depth;
      ++i;
    } else if (text[i] == '}' && --depth == 0) {
      return i;
    }
  }
  return std::string::npos;
}

Status Braced(const std::string& body, const VarLookup& lookup, std::string* out,
              std::vector<std::string>* unset) {
  size_t n = 0;
  while (n < body.size() && IsNameChar(body[n])) ++n;
  if (n == 0 || !IsNameStart(body[0])) {
    return Status::InvalidArgument("invalid interpolation format \"${" + body + "}\"");
  }
  const std::string name = body.substr(0, n);
  std::string value;
  const bool set = lookup(name, &value);
  if (n == body.size()) {
    if (!set && unset) unset->push_back(name);
    *out += value;
    return Status::Ok();
  }
  std::string op = body.substr(n, 1);
  if (op == ":" && n + 1 < body.size()) op += body[n + 1];
  if (op != "-" && op != ":-" && op != "?" && op != ":?" && op != "+" && op != ":+") {
    return Status::InvalidArgument("invalid interpolation format \"${" + body + "}\"");
  }
  const std::string arg = body.substr(n + op.size());
  const bool present = op[0] == ':' ? set && !value.empty() : set;
  switch (op.back()) {
    case '-':
      if (present) {
        *out += value;
        return Status::Ok();
      }
      return Interpolate(arg, lookup, out, unset);
    case '+':
      if (!present) return Status::Ok();
      return Interpolate(arg, lookup, out, unset);
    default: {  // '?'
      if (present) {
        *out += value;
        return Status::Ok();
      }
      std::string message;
      Status s = Interpolate(arg, lookup, &message, unset);
      if (!s.ok()) return s;
      return Status::InvalidArgument("required variable " + name + " is missing a value" +
                                     (message.empty() ? "" : ": " + message));
    }
  }
}

}  // namespace

Status Interpolate(const std::string& text, const VarLookup& lookup, std::string* out,
                   std::vector<std::string>* unset) {
  if (text.find('$') == std::string::npos) {  // most values: nothing to replace
    *out += text;
    return Status::Ok();
  }
  std::string result;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      result += text[i];
      continue;
    }
    if (i + 1 >= text.size())
      return Status::InvalidArgument("invalid interpolation format: a lone '$' ends \"" + text +
                                     "\" (write $$ for a literal $)");
    const char next = text[i + 1];
    if (next == '$') {
      result += '$';
      ++i;
    } else if (next == '{') {
      size_t close = ClosingBrace(text, i + 2);
      if (close == std::string::npos) {
        return Status::InvalidArgument("invalid interpolation format: unclosed \"${\" in \"" +
                                       text + "\"");
      }
      Status s = Braced(text.substr(i + 2, close - i - 2), lookup, &result, unset);
      if (!s.ok()) return s;
      i = close;
    } else if (IsNameStart(next)) {
      size_t end = i + 1;
      while (end < text.size() && IsNameChar(text[end])) ++end;
      const std::string name = text.substr(i + 1, end - i - 1);
      std::string value;
      if (!lookup(name, &value) && unset) unset->push_back(name);
      result += value;
      i = end - 1;
    } else {
      return Status::InvalidArgument("invalid interpolation format \"" + text.substr(i, 2) +
                                     "\" in \"" + text + "\" (write $$ for a literal $)");
    }
  }
  *out += result;
  return Status::Ok();
}

std::string EscapeDollars(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    out += c;
    if (c == '$') out += '$';
  }
  return out;
}

std::map<std::string, std::string> ParseDotEnv(const std::string& text) {
  std::map<std::string, std::string> vars;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    line = line.substr(first);
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') && value.back() == value[0]) {
      value = value.substr(1, value.size() - 2);
    }
    vars[line.substr(0, eq)] = value;
  }
  return vars;
}

}  // namespace sandbot
