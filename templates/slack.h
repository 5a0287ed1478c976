// Slack Block Kit messages from a MessageView (PROTOCOLS.md §1.5): the
// answer to a slash command, a response_url edit, a notification.
#ifndef SANDBOT_TEMPLATES_SLACK_H_
#define SANDBOT_TEMPLATES_SLACK_H_

#include <string>

#include "templates/view.h"

namespace sandbot {

// {"response_type":…,"text":fallback,"blocks":[header, one section per
// service "*web* `feature/x@3f2a9c1` running <url|url>", route table context,
// actions with buttons]}. `response_type` is "ephemeral" or "in_channel";
// `replace_original` is added when true (response_url edits in place).
// Always a valid message within Slack's limits.
std::string RenderSlack(const MessageView& view, const std::string& response_type,
                        bool replace_original);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_SLACK_H_
