// Who someone is, as something they cannot type.
//
// Display names (Slack's user_name, Teams' from.name, an OS user name sent
// by the CLI) are chosen by the user: anyone can call themselves "alice".
// Roles are granted to source-qualified, fixed identities instead:
//
//   slack:TEAM/USER        Slack team id and user id (T024BE7LD/U2CERLKJA)
//   mattermost:USERID      Mattermost user id
//   teams:AAD-OBJECT-ID    the Azure AD object id Teams sends
//   cli:UID                the numeric uid the local socket's peer runs as
//   forge:NAME/LOGIN       a forge's login, for forge NAME
//
// Identities also reach log lines, list rows and chat text, so what enters
// from outside is stripped of control characters first (StripControl).
#ifndef SANDBOT_UTIL_IDENTITY_H_
#define SANDBOT_UTIL_IDENTITY_H_

#include <string>
#include <string_view>

#include "util/status.h"

namespace sandbot {

std::string SlackIdentity(std::string_view team_id, std::string_view user_id);
std::string MattermostIdentity(std::string_view user_id);
std::string TeamsIdentity(std::string_view aad_object_id);
std::string CliIdentity(unsigned uid);
std::string ForgeIdentity(std::string_view forge, std::string_view login);

// Ok when `key` has one of the forms above with a non-empty, printable id;
// otherwise InvalidArgument naming the forms (a bare name such as "alice",
// or a bare Slack user id, is refused).
Status ValidateIdentity(std::string_view key);

// `text` without control characters: C0 (newline and tab too), DEL, C1, the
// Unicode line and paragraph separators and the bidirectional overrides
// and isolates (which make a name display as another); invalid UTF-8 bytes
// become '?'. At most `max_bytes`, cut on a character boundary.
std::string StripControl(std::string_view text, size_t max_bytes = 256);

}  // namespace sandbot

#endif  // SANDBOT_UTIL_IDENTITY_H_
