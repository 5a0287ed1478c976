// What Slack (and Mattermost, which posts the same form) does to a slash
// command's text, undone at the door before the shared grammar parses it
// (handlers/command.h knows no transport).
#ifndef SANDBOT_BOT_SLACK_TEXT_H_
#define SANDBOT_BOT_SLACK_TEXT_H_

#include <string>

namespace sandbot {

// Slack's "<http://x|label>", "<@U123|ana>", "<#C1>": keep the label, or
// the target when there is none. A '<' without a closing '>' stays.
std::string UnwrapSlack(const std::string& text);

// The text of a slash command as the grammar reads it: links and mentions
// unwrapped, and the no-break spaces (U+00A0) Slack clients insert turned
// into plain spaces.
std::string SlackCommandText(const std::string& text);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SLACK_TEXT_H_
