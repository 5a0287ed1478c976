// Mattermost answers from a MessageView. Mattermost has no Block Kit: the
// message is markdown, tables for services, with links and @mentions defused.
#ifndef SANDBOT_TEMPLATES_MATTERMOST_H_
#define SANDBOT_TEMPLATES_MATTERMOST_H_

#include <string>

#include "templates/view.h"

namespace sandbot {

// {"response_type":…,"text": markdown}; `response_type` "" is "ephemeral".
std::string RenderMattermost(const MessageView& view, const std::string& response_type);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_MATTERMOST_H_
