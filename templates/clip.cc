#include "templates/clip.h"

#include <algorithm>

namespace sandbot {

namespace {

const char kEllipsis[] = "\xE2\x80\xA6";  // …

}  // namespace

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one.
size_t Utf8Length(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF   ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
  }
  if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
  if (c == 0xED && b(1) > 0x9F) return 0;  // surrogate
  if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && b(1) > 0x8F) return 0;  // > U+10FFFF
  return n;
}

// s with every ill-formed byte replaced by U+FFFD.
std::string ValidUtf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  size_t run = 0;  // where the well-formed bytes not yet copied begin
  for (size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {  // ASCII, the usual case
      ++i;
      continue;
    }
    const size_t n = Utf8Length(s, i);
    if (n == 0) {
      out.append(s, run, i - run);
      out += "\xEF\xBF\xBD";
      run = ++i;
    } else {
      i += n;
    }
  }
  out.append(s, run, s.size() - run);
  return out;
}

// The longest prefix of s of at most `max` bytes that ends on a character
// boundary and not inside an HTML entity (&amp; &lt; &gt; &#…;).
size_t CutPoint(const std::string& s, size_t max) {
  if (max >= s.size()) return s.size();
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  size_t amp = n == 0 ? std::string::npos : s.rfind('&', n - 1);
  if (amp != std::string::npos && n - amp < 8 && s.find(';', amp) >= n) n = amp;
  return n;
}

// s within `max` bytes (so within `max` characters), "…" marking a cut.
std::string Clip(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  if (max < sizeof kEllipsis - 1) return s.substr(0, CutPoint(s, max));
  return s.substr(0, CutPoint(s, max - (sizeof kEllipsis - 1))) + kEllipsis;
}

// Like Clip, but cuts after a whole line when there is one.
std::string ClipLines(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  const std::string tail = std::string("\n") + kEllipsis;
  size_t nl = s.rfind('\n', max - tail.size());
  if (nl == std::string::npos || nl == 0) return Clip(s, max);
  return s.substr(0, nl) + tail;
}

// s split into pieces of at most `max` bytes, at line ends where possible; at
// most `count` pieces, the last one clipped.
std::vector<std::string> Chunks(const std::string& s, size_t max, size_t count) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size() && out.size() < count) {
    std::string rest = s.substr(pos);
    if (rest.size() <= max || out.size() + 1 == count) {
      out.push_back(ClipLines(rest, max));
      break;
    }
    size_t nl = rest.rfind('\n', max);
    size_t cut = nl != std::string::npos && nl > 0 ? nl : CutPoint(rest, max);
    if (cut == 0) cut = std::min(max, rest.size());  // never loop without progress
    std::string piece = rest.substr(0, cut);
    pos += cut + (cut < rest.size() && rest[cut] == '\n' ? 1 : 0);
    if (!piece.empty()) out.push_back(piece);
  }
  return out;
}

// A single line: newlines and tabs become spaces (headers, button labels).
std::string OneLine(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// Collapses runs of blank lines and drops leading blank lines and trailing whitespace (markdown and
// plain text read better without the blank lines templates leave behind).
std::string TidyLines(std::string s) {
  while (s.find("\n\n\n") != std::string::npos) s = ReplaceAll(s, "\n\n\n", "\n\n");
  s.erase(0, std::min(s.size(), s.find_first_not_of('\n')));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool IsValidUtf8(const std::string& s) {
  for (size_t i = 0, n; i < s.size(); i += n) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      n = 1;
    } else if ((n = Utf8Length(s, i)) == 0) {
      return false;
    }
  }
  return true;
}

}  // namespace sandbot
