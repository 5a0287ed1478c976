#include "handlers/row_views.h"

namespace sandbot {

std::vector<AuditView> AuditViewsOf(const std::vector<AuditRow>& rows) {
  std::vector<AuditView> views;
  views.reserve(rows.size());
  for (const AuditRow& r : rows) {
    views.push_back({r.time, r.actor, r.source, r.action, r.status, r.sandbox, r.repo, r.branch,
                     r.commit, r.detail});
  }
  return views;
}

std::vector<RepoView> RepoViewsOf(const std::vector<Repo>& repos) {
  std::vector<RepoView> views;
  views.reserve(repos.size());
  for (const Repo& r : repos) {
    views.push_back({r.name, r.path, r.port, r.health, r.default_branch, r.image, r.wait,
                     r.reload_signal, r.compose_file});
  }
  return views;
}

}  // namespace sandbot
