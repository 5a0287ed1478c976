// How templates combine with commands, kept pure so the rules are tested on
// their own: `/template update` merges the entries it names into a stored
// template, and `/sandbox create NAME from TEMPLATE SERVICE@BRANCH ...`
// turns a template plus the command's overrides into what to deploy and how
// to route the rest.
#ifndef SANDBOT_HANDLERS_TEMPLATE_MERGE_H_
#define SANDBOT_HANDLERS_TEMPLATE_MERGE_H_

#include <string>
#include <utility>
#include <vector>

#include "store/db.h"
#include "store/templates.h"
#include "util/status.h"

namespace sandbot {

using ServicePairs = std::vector<std::pair<std::string, std::string>>;

// Each service named in `branches` (SERVICE@BRANCH) or `routes`
// (SERVICE=baseline|URL) gets that entry, replacing what it had; a non-empty
// `gateway` replaces the gateway; every other entry is kept.
void MergeTemplateUpdate(const ServicePairs& branches, const ServicePairs& routes,
                         const std::string& gateway, Template* t);

struct SandboxPlan {
  ServicePairs deploys;  // service → branch, in deploy order
  ServicePairs routes;   // service → baseline or URL: explicit routes of the new sandbox
  std::string gateway;
};

// What `/sandbox create` does with template `t` (null: none) and the
// command's SERVICE@BRANCH words and --gateway: the template's branch
// entries (by service name) with the command's branch replacing theirs, then
// the command's other services in its order; the template's routes, except
// for services the command deploys; the command's gateway, else the
// template's.
SandboxPlan PlanSandbox(const Template* t, const ServicePairs& services,
                        const std::string& gateway);

// The template named `name`; NotFound with "did you mean" and how to list
// them.
Status FindTemplate(Db* db, const std::string& name, Template* t);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_TEMPLATE_MERGE_H_
