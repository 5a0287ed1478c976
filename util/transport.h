// Transport: the door a request came in by and a reply goes out through.
// Converted to and from text here only ("slack", … as stored in
// job_replies.transport and written in audit rows' source).
#ifndef SANDBOT_UTIL_TRANSPORT_H_
#define SANDBOT_UTIL_TRANSPORT_H_

#include <string>

namespace sandbot {

enum class Transport {
  kSlack,       // slash commands, response_url edits, incoming webhook
  kMattermost,  // slash commands, response_url posts
  kTeams,       // outgoing webhook, Workflows / incoming webhook cards
  kCli,         // `sandbot …` on the local socket
  kGit,         // the post-receive hook on the local socket
};

const char* TransportName(Transport transport);
// The inverse; false (and `transport` untouched) for a name it does not know.
bool ParseTransport(const std::string& name, Transport* transport);

}  // namespace sandbot

#endif  // SANDBOT_UTIL_TRANSPORT_H_
