// Sandbox views read from the store: the answer to `sandbox list` and
// `sandbox status NAME`, for chat (through HandleCommand) and for the CLI
// with the daemon stopped alike, so both print the same thing
// (templates/text.h renders them for the terminal).
#ifndef SANDBOT_HANDLERS_SANDBOX_VIEW_H_
#define SANDBOT_HANDLERS_SANDBOX_VIEW_H_

#include <cstddef>
#include <string>

#include "handlers/dispatch.h"
#include "store/db.h"
#include "templates/view.h"
#include "util/status.h"

namespace sandbot {

// kind "list": "N sandboxes", one item per sandbox (as BuildSandboxViewFrom,
// without buttons), read in a few queries whatever the count. Only the first
// `full` items are whole; the others carry the sandbox's name and title
// alone (they are counted, "… and N more", not shown).
Status BuildSandboxListView(const HandlerContext& ctx, MessageView* view,
                            size_t full = static_cast<size_t>(-1));

// Sandboxes a chat answer shows at most (Slack's 50 blocks; Teams and
// Mattermost the same, templates/view_data.h Sizes): a list from a chat
// door builds only these whole, so 1,000 sandboxes cost what 50 do.
inline constexpr size_t kChatListShown = 50;

// The same views over `db` alone, baselines loaded from it: for the CLI,
// which reads the store without the daemon.
Status OfflineSandboxListView(Db* db, MessageView* view);
Status OfflineSandboxView(Db* db, const std::string& name, MessageView* view);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_SANDBOX_VIEW_H_
