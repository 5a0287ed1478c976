// Shaping strings to fit a transport's limits: well-formed UTF-8, cuts on
// character boundaries (never inside an HTML entity), "…" marking a cut,
// single lines for headers and labels. Used by the renderers (templates/*.cc)
// before and after escaping.
#ifndef SANDBOT_TEMPLATES_CLIP_H_
#define SANDBOT_TEMPLATES_CLIP_H_

#include <cstddef>
#include <string>
#include <vector>

namespace sandbot {

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one.
size_t Utf8Length(const std::string& s, size_t i);
// Whether every byte of s belongs to a well-formed UTF-8 sequence.
bool IsValidUtf8(const std::string& s);
// s with every ill-formed byte replaced by U+FFFD.
std::string ValidUtf8(const std::string& s);

// The longest prefix of s of at most `max` bytes that ends on a character
// boundary and not inside an HTML entity (&amp; &lt; &gt; &#…;).
size_t CutPoint(const std::string& s, size_t max);
// s within `max` bytes (so within `max` characters), "…" marking a cut.
std::string Clip(const std::string& s, size_t max);
// Like Clip, but cuts after a whole line when there is one.
std::string ClipLines(const std::string& s, size_t max);
// s split into pieces of at most `max` bytes, at line ends where possible; at
// most `count` pieces, the last one clipped.
std::vector<std::string> Chunks(const std::string& s, size_t max, size_t count);

// A single line: newlines and tabs become spaces (headers, button labels).
std::string OneLine(const std::string& s);
std::string ReplaceAll(std::string s, const std::string& from, const std::string& to);
// Collapses runs of blank lines and drops leading blank lines and trailing
// whitespace (markdown and plain text read better without the blank lines
// templates leave behind).
std::string TidyLines(std::string s);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_CLIP_H_
