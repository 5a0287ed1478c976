// Renderers: a MessageView into each transport's message format. Templates
// live in templates/*.mustache and are compiled into the binary; values are
// escaped for the target format (JSON strings, Slack mrkdwn, Teams markdown).
// Pure functions; every output is a complete, valid message body.
#ifndef SANDBOT_TEMPLATES_RENDER_H_
#define SANDBOT_TEMPLATES_RENDER_H_

#include <string>

#include "templates/view.h"

namespace sandbot {

// Slack: {"response_type":…,"text":fallback,"blocks":[header, one section per
// service "*web* `feature/x@3f2a9c1` running <url|url>", route table context,
// actions with buttons]}. `response_type` is "ephemeral" or "in_channel";
// `replace_original` is added when true (response_url edits in place).
std::string RenderSlack(const MessageView& view, const std::string& response_type,
                        bool replace_original);
// Mattermost: {"response_type":…,"text": markdown} (Mattermost has no Block Kit).
std::string RenderMattermost(const MessageView& view, const std::string& response_type);
// Teams: {"type":"message","attachments":[{"contentType":
// "application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{AdaptiveCard 1.4}}]}
// with TextBlocks, a FactSet per service and Action.OpenUrl for URLs.
std::string RenderTeamsCard(const MessageView& view);
// Teams outgoing-webhook synchronous reply: {"type":"message","text": markdown}.
std::string RenderTeamsText(const MessageView& view);
// Plain text for the CLI and `git push` (no markup).
std::string RenderText(const MessageView& view);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_RENDER_H_
