// Plain text for the terminal: the CLI's answers (`sandbot sandbox list|status`,
// the grammar through the daemon), `sandbot audit`, `sandbot repo list`. No
// markup; control characters are neutralised. The one plain-text renderer:
// pure functions of views (templates/view.h), never of store rows.
#ifndef SANDBOT_TEMPLATES_TEXT_H_
#define SANDBOT_TEMPLATES_TEXT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "templates/view.h"

namespace sandbot {

// templates/text.mustache: the title, its lines, services, routes and logs
// indented under it; a list shows each sandbox so. Ends with a newline
// unless empty.
std::string RenderText(const MessageView& view);
// One line per row, oldest first: time, actor, source, action, status, what.
std::string RenderAuditText(const std::vector<AuditView>& rows);
// One line per repo, or how to add one when there is none.
std::string RenderRepoListText(const std::vector<RepoView>& repos);
// "2026-11-23 09:41:07" in UTC from ms since the epoch.
std::string FormatTime(int64_t millis);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_TEXT_H_
