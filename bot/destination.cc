#include "bot/destination.h"

namespace sandbot {

std::string ResolveDestination(const ChatConfig& chat, const std::string& stored,
                               bool* configured) {
  *configured = false;
  if (stored == kSlackWebhook) {
    *configured = true;
    return chat.slack_webhook_url;
  }
  if (stored == kTeamsWebhook) {
    *configured = true;
    return chat.teams_webhook_url;
  }
  // Older rows hold the configured URL itself.
  if (!stored.empty() && (stored == chat.slack_webhook_url || stored == chat.teams_webhook_url)) {
    *configured = true;
  }
  return stored;
}

ReplyUrlPolicy MakeReplyUrlPolicy(const ChatConfig& chat) {
  std::vector<std::string> origins = chat.reply_origins;
  if (!chat.mattermost_url.empty()) origins.push_back(chat.mattermost_url);
  return ReplyUrlPolicy(origins);
}

}  // namespace sandbot
