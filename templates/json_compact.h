// CompactJson: the safety net under every rendered JSON message. Mustache
// fills templates with escaped values, but a template edit can still leave a
// stray comma; Slack and Teams would refuse such a message, so it is checked
// before it is sent. One pass, no document tree: a parse into nlohmann::json
// and a dump cost a third of rendering a Block Kit answer.
#ifndef SANDBOT_TEMPLATES_JSON_COMPACT_H_
#define SANDBOT_TEMPLATES_JSON_COMPACT_H_

#include <string>
#include <string_view>

namespace sandbot {

// Whether `text` is exactly one JSON value (RFC 8259; strings valid UTF-8,
// nesting at most 128 deep). When it is, `out` gets the same value without
// the whitespace between tokens; strings and numbers are copied as written.
bool CompactJson(std::string_view text, std::string* out);
// The rendered JSON object, compact, or "" when it is not one.
std::string CheckedJson(const std::string& rendered);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_JSON_COMPACT_H_
