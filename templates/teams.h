// Microsoft Teams messages from a MessageView: an Adaptive Card for posts and
// notifications, markdown text for an outgoing webhook's synchronous reply.
#ifndef SANDBOT_TEMPLATES_TEAMS_H_
#define SANDBOT_TEMPLATES_TEAMS_H_

#include <string>

#include "templates/view.h"

namespace sandbot {

// {"type":"message","attachments":[{"contentType":
// "application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{AdaptiveCard 1.4}}]}
// with TextBlocks, a FactSet per service and Action.OpenUrl for URLs; within
// about 28 KB.
std::string RenderTeamsCard(const MessageView& view);
// Outgoing-webhook synchronous reply: {"type":"message","text": markdown}.
std::string RenderTeamsText(const MessageView& view);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_TEAMS_H_
