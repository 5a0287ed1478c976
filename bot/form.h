// application/x-www-form-urlencoded bodies (Slack and Mattermost commands,
// Slack interactions). Pure.
#ifndef SANDBOT_BOT_FORM_H_
#define SANDBOT_BOT_FORM_H_

#include <map>
#include <string>
#include <string_view>

namespace sandbot {

// "a=1&b=x+y%21" → {a: "1", b: "x y!"}. Malformed escapes are kept as they
// are; a repeated key keeps its first value.
std::map<std::string, std::string> ParseForm(std::string_view body);
std::string UrlDecode(std::string_view text);
std::string FormEncode(const std::map<std::string, std::string>& fields);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORM_H_
