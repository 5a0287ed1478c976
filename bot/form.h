// application/x-www-form-urlencoded bodies (Slack and Mattermost commands,
// Slack interactions). Pure.
#ifndef SANDBOT_BOT_FORM_H_
#define SANDBOT_BOT_FORM_H_

#include <map>
#include <string>

namespace sandbot {

// "a=1&b=x+y%21" → {a: "1", b: "x y!"}. Malformed escapes are kept as they
// are; a repeated key keeps its first value.
std::map<std::string, std::string> ParseForm(const std::string& body);
std::string UrlDecode(const std::string& text);
std::string FormEncode(const std::map<std::string, std::string>& fields);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FORM_H_
