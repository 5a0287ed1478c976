#include "compose/yaml_plain.h"

#include <cstring>

namespace sandbot {
namespace {

// The text of a scalar the caller has found plain.
struct CheckedPlainText {
  const std::string* text;
};

}  // namespace
}  // namespace sandbot

namespace YAML {

// The Emitter writes numbers through WriteStreamable: the node's place
// (indentation, "- ", "key: "), the text, then its state moves on. Its
// specialisation for checked text does the same steps as Write(string) does
// for a plain scalar, without the check and without the stringstream.
template <>
Emitter& Emitter::WriteStreamable<sandbot::CheckedPlainText>(sandbot::CheckedPlainText value) {
  if (!good()) return *this;
  PrepareNode(EmitterNodeType::Scalar);
  m_stream << *value.text;
  StartedScalar();
  return *this;
}

}  // namespace YAML

namespace sandbot {

bool SurelyPlainScalar(const std::string& text) {
  // Longer keys make yaml-cpp switch to the "? key" form.
  if (text.empty() || text.size() > 1024) return false;
  if (text == "~" || text == "null" || text == "Null" || text == "NULL") return false;
  const char first = text[0];
  if (first == ' ' || std::strchr(",[]{}#&*!|>'\"%@`", first)) return false;
  // "-", "?" and ":" start a plain scalar unless a blank or the end follows.
  if ((first == '-' || first == '?' || first == ':') && (text.size() == 1 || text[1] == ' ')) {
    return false;
  }
  if (text.back() == ' ' || text.back() == ':') return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c < 0x20 || c > 0x7E) return false;
    if (c == ':' && text[i + 1] == ' ') return false;           // ": " ends a key
    if (c == '#' && i > 0 && text[i - 1] == ' ') return false;  // " #" starts a comment
  }
  return true;
}

void WritePlainScalar(const std::string& text, YAML::Emitter* out) {
  out->WriteStreamable(CheckedPlainText{&text});
}

}  // namespace sandbot
