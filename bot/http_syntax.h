// RFC 9110 field syntax shared by the two HTTP readers: the chat listener's
// (bot/http_request.h) and the sandbox router's (bot/http_head.h).
#ifndef SANDBOT_BOT_HTTP_SYNTAX_H_
#define SANDBOT_BOT_HTTP_SYNTAX_H_

#include <string_view>

namespace sandbot {

// A non-empty run of token characters (methods and field names).
bool IsToken(std::string_view s);
// Without the spaces and tabs around it.
std::string_view TrimSpace(std::string_view s);
// Whether a comma-separated field value lists `token`, case-insensitively.
bool ListsToken(std::string_view value, std::string_view token);

}  // namespace sandbot

#endif  // SANDBOT_BOT_HTTP_SYNTAX_H_
