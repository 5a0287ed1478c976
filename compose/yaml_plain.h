// A string scalar written plain through yaml-cpp's Emitter, without the
// Emitter's own check. That check (can this text be a plain scalar?) runs
// yaml-cpp's regular-expression engine on every byte of every key and value
// and was most of `compose config`'s YAML output time (issue 12's < 5 ms).
#ifndef SANDBOT_COMPOSE_YAML_PLAIN_H_
#define SANDBOT_COMPOSE_YAML_PLAIN_H_

#include <yaml-cpp/yaml.h>

#include <string>

namespace sandbot {

// Whether yaml-cpp's Emitter, left to its Auto format, writes `text` plain
// (unquoted) inside a block mapping or sequence: the rule of yaml-cpp 0.7's
// IsValidPlainScalar, for text of printable ASCII up to 1,024 bytes. False
// for anything else (control or non-ASCII bytes, longer text), which the
// caller leaves to the Emitter to judge.
bool SurelyPlainScalar(const std::string& text);

// Writes `text` as the next scalar exactly as the Emitter writes a plain
// one, after the caller checked SurelyPlainScalar(text).
void WritePlainScalar(const std::string& text, YAML::Emitter* out);

}  // namespace sandbot

#endif  // SANDBOT_COMPOSE_YAML_PLAIN_H_
