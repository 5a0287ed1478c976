#include "templates/json_compact.h"

#include <cctype>

namespace sandbot {

namespace {

constexpr int kMaxDepth = 128;

class Compactor {
 public:
  Compactor(std::string_view text, std::string* out) : text_(text), out_(out) {}

  bool Run() {
    out_->clear();
    out_->reserve(text_.size());
    SkipSpace();
    if (!Value(0)) return false;
    SkipSpace();
    return pos_ == text_.size();
  }

 private:
  bool Value(int depth) {
    if (pos_ >= text_.size()) return false;
    switch (text_[pos_]) {
      case '{': return Container(depth, '}');
      case '[': return Container(depth, ']');
      case '"': return String();
      case 't': return Literal("true");
      case 'f': return Literal("false");
      case 'n': return Literal("null");
      default: return Number();
    }
  }

  // An object ('}') or an array (']'): members are "key": value in objects.
  bool Container(int depth, char close) {
    if (depth >= kMaxDepth) return false;
    out_->push_back(text_[pos_++]);
    SkipSpace();
    if (Peek() == close) {
      out_->push_back(text_[pos_++]);
      return true;
    }
    for (;;) {
      if (close == '}') {
        if (Peek() != '"' || !String()) return false;
        SkipSpace();
        if (Peek() != ':') return false;
        out_->push_back(text_[pos_++]);
        SkipSpace();
      }
      if (!Value(depth + 1)) return false;
      SkipSpace();
      const char c = Peek();
      if (c == close) {
        out_->push_back(text_[pos_++]);
        return true;
      }
      if (c != ',') return false;
      out_->push_back(text_[pos_++]);
      SkipSpace();
    }
  }

  bool String() {
    const size_t start = pos_++;  // the opening quote
    while (pos_ < text_.size()) {
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        out_->append(text_.substr(start, pos_ - start));
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (!Escape()) return false;
      } else if (c < 0x80) {
        ++pos_;
      } else if (!Utf8Sequence()) {
        return false;
      }
    }
    return false;
  }

  bool Escape() {
    if (++pos_ >= text_.size()) return false;
    const char c = text_[pos_++];
    if (c != 'u') return std::string_view("\"\\/bfnrt").find(c) != std::string_view::npos;
    for (int i = 0; i < 4; ++i, ++pos_) {
      if (pos_ >= text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[pos_]))) {
        return false;
      }
    }
    return true;
  }

  // One multi-byte UTF-8 character: no overlong forms, no surrogates,
  // nothing past U+10FFFF.
  bool Utf8Sequence() {
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    int length;
    unsigned char low = 0x80, high = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (pos_ + length > text_.size()) return false;
    for (int i = 1; i < length; ++i) {
      const unsigned char b = static_cast<unsigned char>(text_[pos_ + i]);
      if (i == 1 ? (b < low || b > high) : (b < 0x80 || b > 0xBF)) return false;
    }
    pos_ += length;
    return true;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool Number() {
    const size_t start = pos_;
    if (Peek() == '-') ++pos_;
    if (Peek() == '0') {
      ++pos_;
    } else if (!Digits()) {
      return false;
    }
    if (Peek() == '.') {
      ++pos_;
      if (!Digits()) return false;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!Digits()) return false;
    }
    out_->append(text_.substr(start, pos_ - start));
    return true;
  }

  bool Digits() {
    const size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    out_->append(word);
    pos_ += word.size();
    return true;
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  std::string_view text_;
  std::string* out_;
  size_t pos_ = 0;
};

}  // namespace

bool CompactJson(std::string_view text, std::string* out) { return Compactor(text, out).Run(); }

std::string CheckedJson(const std::string& rendered) {
  std::string out;
  if (!CompactJson(rendered, &out) || out.empty() || out[0] != '{') return "";
  return out;
}

}  // namespace sandbot
