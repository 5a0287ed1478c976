#include "handlers/sandbox_view.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "store/baselines.h"
#include "store/repos.h"
#include "store/routes.h"
#include "store/sandbox_page.h"
#include "store/sandboxes.h"

namespace sandbot {

namespace {

// Runs `build` with a context over `db` and its baselines.
template <typename F>
Status WithOfflineContext(Db* db, const F& build) {
  std::map<std::string, std::string> baselines;
  Status s = LoadBaselines(db, &baselines);
  if (!s.ok()) return s;
  HandlerContext ctx;
  ctx.db = db;
  ctx.baselines = &baselines;
  return build(ctx);
}

}  // namespace

Status BuildSandboxListView(const HandlerContext& ctx, MessageView* view, size_t full) {
  // Only the first `full` are read whole (a page in SQL); the others are
  // names alone: with 1,000 sandboxes a chat answer reads 50 and their
  // services, not 1,000 and 3,000.
  std::vector<Sandbox> all;
  std::vector<std::string> names;
  Status s;
  if (full == static_cast<size_t>(-1)) {
    s = ListSandboxes(ctx.db, &all);
  } else {
    SandboxQuery q;
    q.newest_first = false;
    q.limit = static_cast<int>(full);
    int64_t total = 0;
    s = ListSandboxPage(ctx.db, q, &all, &total);
    if (s.ok() && total > static_cast<int64_t>(all.size())) s = ListSandboxNames(ctx.db, &names);
  }
  if (!s.ok()) return s;
  const size_t count = std::max(all.size(), names.size());
  view->kind = "list";
  view->title = std::to_string(count) + " sandboxes";
  if (count == 0) view->text = "no sandboxes yet: push a branch or `/sandbox create NAME`";
  std::map<int64_t, std::map<std::string, std::string>> routes;
  std::vector<Repo> repos;
  s = GetAllRoutes(ctx.db, &routes);
  if (s.ok()) s = ListRepos(ctx.db, &repos);
  if (!s.ok()) return s;
  static const std::map<std::string, std::string> kNoRoutes;
  view->sandboxes.reserve(count);
  for (const Sandbox& b : all) {
    MessageView item;
    if (view->sandboxes.size() >= full) break;
    auto found = routes.find(b.id);
    BuildSandboxViewFrom(ctx, b, found == routes.end() ? kNoRoutes : found->second, repos, &item);
    item.buttons.clear();
    view->sandboxes.push_back(std::move(item));
  }
  // The rest, by name (the same order as the page): counted, not shown.
  for (size_t i = view->sandboxes.size(); i < names.size(); ++i) {
    MessageView item;
    item.kind = "status";
    item.sandbox = names[i];
    item.title = "sandbox " + names[i];
    view->sandboxes.push_back(std::move(item));
  }
  return Status::Ok();
}

Status OfflineSandboxListView(Db* db, MessageView* view) {
  return WithOfflineContext(
      db, [view](const HandlerContext& ctx) { return BuildSandboxListView(ctx, view); });
}

Status OfflineSandboxView(Db* db, const std::string& name, MessageView* view) {
  return WithOfflineContext(
      db, [&name, view](const HandlerContext& ctx) { return BuildSandboxView(ctx, name, view); });
}

}  // namespace sandbot
