// Destination: where an outbox message goes, as the outbox stores it.
//
// A configured incoming webhook URL is a secret of sorts (anyone holding it
// can post to the channel): the outbox and job_replies keep its name
// ("config:slack.webhook_url"), and the sender resolves the name when it
// sends, so the URL is never copied into rows. A chat platform's reply URL
// (response_url) is stored as given: it expires within 30 minutes.
#ifndef SANDBOT_BOT_DESTINATION_H_
#define SANDBOT_BOT_DESTINATION_H_

#include <string>

#include "bot/config.h"
#include "bot/reply_url_policy.h"

namespace sandbot {

inline constexpr char kSlackWebhook[] = "config:slack.webhook_url";
inline constexpr char kTeamsWebhook[] = "config:teams.webhook_url";

// The URL to post to for a stored destination; *configured is true when it
// names the operator's configuration (trusted as written). "" when it names
// a webhook that is no longer configured.
std::string ResolveDestination(const ChatConfig& chat, const std::string& stored, bool* configured);

// The reply URL policy of this configuration: Slack's hosts, the Mattermost
// server, and the origins the operator listed.
ReplyUrlPolicy MakeReplyUrlPolicy(const ChatConfig& chat);

}  // namespace sandbot

#endif  // SANDBOT_BOT_DESTINATION_H_
