#include "handlers/sandbox_view.h"

#include <map>
#include <utility>
#include <vector>

#include "store/baselines.h"
#include "store/repos.h"
#include "store/routes.h"
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
  std::vector<Sandbox> all;
  Status s = ListSandboxes(ctx.db, &all);
  if (!s.ok()) return s;
  view->kind = "list";
  view->title = std::to_string(all.size()) + " sandboxes";
  if (all.empty()) view->text = "no sandboxes yet: push a branch or `/sandbox create NAME`";
  std::map<int64_t, std::map<std::string, std::string>> routes;
  std::vector<Repo> repos;
  s = GetAllRoutes(ctx.db, &routes);
  if (s.ok()) s = ListRepos(ctx.db, &repos);
  if (!s.ok()) return s;
  static const std::map<std::string, std::string> kNoRoutes;
  view->sandboxes.reserve(all.size());
  for (const Sandbox& b : all) {
    MessageView item;
    if (view->sandboxes.size() >= full) {
      item.kind = "status";
      item.sandbox = b.name;
      item.title = "sandbox " + b.name;
      view->sandboxes.push_back(std::move(item));
      continue;
    }
    auto found = routes.find(b.id);
    BuildSandboxViewFrom(ctx, b, found == routes.end() ? kNoRoutes : found->second, repos, &item);
    item.buttons.clear();
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
