#include "handlers/template_merge.h"

#include <cctype>

#include "handlers/command.h"

namespace sandbot {

void MergeTemplateUpdate(const ServicePairs& branches, const ServicePairs& routes,
                         const std::string& gateway, Template* t) {
  for (const auto& [service, branch] : branches) {
    // A new branch keeps the service's volumes; a route has no container to mount them.
    TemplateEntry& entry = t->services[service];
    entry.branch = branch;
    entry.route.clear();
  }
  for (const auto& [service, route] : routes) {
    TemplateEntry entry;
    entry.route = route;
    t->services[service] = entry;
  }
  if (!gateway.empty()) t->gateway = gateway;
}

SandboxPlan PlanSandbox(const Template* t, const ServicePairs& services,
                        const std::string& gateway) {
  SandboxPlan plan;
  auto named = [&services](const std::string& service) -> const std::string* {
    for (const auto& [s, branch] : services) {
      if (s == service) return &branch;
    }
    return nullptr;
  };
  if (t) {
    for (const auto& [service, entry] : t->services) {
      const std::string* override_branch = named(service);
      if (override_branch) {
        plan.deploys.emplace_back(service, *override_branch);
      } else if (!entry.branch.empty()) {
        plan.deploys.emplace_back(service, entry.branch);
      } else {
        plan.routes.emplace_back(service, entry.route);
      }
    }
  }
  for (const auto& [service, branch] : services) {
    if (!t || !t->services.count(service)) plan.deploys.emplace_back(service, branch);
  }
  plan.gateway = !gateway.empty() ? gateway : (t ? t->gateway : "");
  return plan;
}

Status FindTemplate(Db* db, const std::string& name, Template* t) {
  Status s = GetTemplate(db, name, t);
  if (!s.IsNotFound()) return s;
  std::vector<std::string> names;
  s = ListTemplateNames(db, &names);
  if (!s.ok()) return s;
  // Case-blind, so "qa-default" finds QA-DEFAULT.
  auto lower = [](std::string w) {
    for (char& c : w) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return w;
  };
  std::vector<std::string> lowered;
  for (const std::string& n : names) lowered.push_back(lower(n));
  std::string guess = DidYouMean(lower(name), lowered);
  for (size_t i = 0; i < names.size() && !guess.empty(); ++i) {
    if (lowered[i] == guess) {
      guess = names[i];
      break;
    }
  }
  return Status::NotFound("no template named '" + name + "'." +
                          (guess.empty() ? "" : " Did you mean '" + guess + "'?") +
                          (names.empty() ? " There are no templates yet: create one with "
                                           "`/template create NAME SERVICE@BRANCH ...`."
                                         : " `/template list` shows them all."));
}

}  // namespace sandbot
