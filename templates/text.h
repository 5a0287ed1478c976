// Plain-text renderings for the terminal: `sandbot sandbox list|status`,
// `sandbot audit`. Pure functions of store rows.
#ifndef SANDBOT_TEMPLATES_TEXT_H_
#define SANDBOT_TEMPLATES_TEXT_H_

#include <string>
#include <vector>

#include "store/audit.h"
#include "store/repos.h"
#include "store/sandboxes.h"

namespace sandbot {

std::string RenderSandboxText(const Sandbox& sandbox);
std::string RenderSandboxListText(const std::vector<Sandbox>& sandboxes);
std::string RenderAuditText(const std::vector<AuditRow>& rows);
std::string RenderRepoListText(const std::vector<Repo>& repos);
// "2026-11-23 09:41:07" in UTC from ms since the epoch.
std::string FormatTime(int64_t millis);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_TEXT_H_
