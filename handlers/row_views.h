// Views of the store rows the CLI lists as tables: audit rows
// (`sandbot audit`) and watched repos (`sandbot repo list`); templates/text.h
// renders them. Sandboxes have their own builder (handlers/sandbox_view.h).
#ifndef SANDBOT_HANDLERS_ROW_VIEWS_H_
#define SANDBOT_HANDLERS_ROW_VIEWS_H_

#include <vector>

#include "store/audit.h"
#include "store/repos.h"
#include "templates/view.h"

namespace sandbot {

std::vector<AuditView> AuditViewsOf(const std::vector<AuditRow>& rows);
std::vector<RepoView> RepoViewsOf(const std::vector<Repo>& repos);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_ROW_VIEWS_H_
