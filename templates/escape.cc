#include "templates/escape.h"

#include <cctype>

#include "templates/clip.h"

namespace sandbot {

namespace {

const char kZeroWidth[] = "\xE2\x80\x8B";  // U+200B, breaks @mentions and ](links

}  // namespace

// JSON string context: quote, backslash, control characters; ill-formed
// UTF-8 becomes U+FFFD so the result always parses.
std::string JsonEscape(const std::string& raw) {
  const std::string s = ValidUtf8(raw);
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Slack mrkdwn: &, < and > are the control characters of links and mentions
// (<@U123>, <!channel>, <url|text>); everything else is shown as typed.
std::string MrkdwnEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

// Inside a ``` block a backtick could end the block early.
std::string MrkdwnCodeEscape(const std::string& s) {
  return ReplaceAll(MrkdwnEscape(s), "`", "\xCB\x8B");  // U+02CB ˋ
}

// Markdown without links: "](" "][" "]:" lose their meaning with a zero-width
// space after the bracket.
std::string NoMarkdownLinks(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == ']' && i + 1 < s.size() &&
        (s[i + 1] == '(' || s[i + 1] == '[' || s[i + 1] == ':')) {
      out += kZeroWidth;
    }
  }
  return out;
}

// Mattermost markdown: no links, no @mentions (@channel, @all, @user). A
// mention starts a word, so "web@feature/x" stays as it is.
std::string MattermostEscape(const std::string& raw) {
  const std::string s = NoMarkdownLinks(raw);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '@' && (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1])))) {
      out += kZeroWidth;
    }
  }
  return out;
}

// Adaptive Card markdown ignores HTML; only links need defusing.
std::string TeamsCardEscape(const std::string& s) { return JsonEscape(NoMarkdownLinks(s)); }

// Teams message text may carry HTML: entities for &, <, >; no links; a lone
// newline would be lost, so it becomes a paragraph break.
std::string TeamsTextEscape(const std::string& s) {
  return ReplaceAll(NoMarkdownLinks(MrkdwnEscape(s)), "\n", "\n\n");
}

// Terminal: control characters (ESC, C1 CSI, …) other than newline and tab
// become '?', so a branch name cannot drive the terminal.
std::string PlainEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
      out += '?';
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      out += '?';
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}
std::string HtmlEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

}  // namespace sandbot
