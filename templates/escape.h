// Escapes for the template library's escape hook, one per target context:
// values are escaped as they are filled into a template, never by
// hand-built strings. Every escape takes well-formed UTF-8 (the renderers
// repair views first, templates/view_data.h Cleaned) except JsonEscape,
// which repairs on its own so its result always parses.
#ifndef SANDBOT_TEMPLATES_ESCAPE_H_
#define SANDBOT_TEMPLATES_ESCAPE_H_

#include <string>

namespace sandbot {

// JSON string context: quote, backslash, control characters; ill-formed
// UTF-8 becomes U+FFFD.
std::string JsonEscape(const std::string& raw);
// Slack mrkdwn: &, < and > are the control characters of links and mentions
// (<@U123>, <!channel>, <url|text>); everything else is shown as typed.
std::string MrkdwnEscape(const std::string& s);
// Mrkdwn inside a ``` block, where a backtick could end the block early.
std::string MrkdwnCodeEscape(const std::string& s);
// Markdown without links: "](" "][" "]:" lose their meaning with a zero-width
// space after the bracket.
std::string NoMarkdownLinks(const std::string& s);
// Mattermost markdown: no links, no @mentions (@channel, @all, @user).
std::string MattermostEscape(const std::string& raw);
// Adaptive Card markdown (a JSON string) without links.
std::string TeamsCardEscape(const std::string& s);
// Teams message text: HTML entities, no links, newlines as paragraph breaks.
std::string TeamsTextEscape(const std::string& s);
// HTML text and double- or single-quoted attribute values: & < > " ' become
// entities, so what users wrote (branch names, reasons) is shown as text.
std::string HtmlEscape(const std::string& s);
// Terminal: control characters other than newline and tab become '?'.
std::string PlainEscape(const std::string& s);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_ESCAPE_H_
