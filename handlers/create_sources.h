// Several repos, one sandbox (issue 12): where each SERVICE@BRANCH word of
// `/sandbox create` deploys from. One grammar: a word names a repo (as
// always), or a compose service of a repo the same command deploys, which
// then runs from that repo's compose file at the word's own branch
// (`/sandbox create qa web@feature/x api@main`: api from web's file at main).
#ifndef SANDBOT_HANDLERS_CREATE_SOURCES_H_
#define SANDBOT_HANDLERS_CREATE_SOURCES_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "store/repos.h"
#include "util/status.h"

namespace sandbot {

// The resolution table, pure. `known`: the repos and baselines; `compose`:
// for each repo the command deploys, the services of its compose file at
// the command's branch for it. *repo is:
//   `service` itself          when it is known (a repo wins over a compose
//                             service of the same name);
//   R                         when `service` is a compose service of exactly
//                             one repo R of `compose`;
// InvalidArgument when it is a compose service of several (naming them);
// NotFound otherwise, naming the known services and the compose services.
Status ResolveCreateSource(const std::string& service, const std::set<std::string>& known,
                           const std::map<std::string, std::vector<std::string>>& compose,
                           std::string* repo);

// The services of `repo`'s compose file at `sha` (its --compose file, or
// the first standard name), in file order, read as YAML only; empty when
// the commit has none or it does not parse (the deploy job then says why).
std::vector<std::string> ComposeServicesAt(const Repo& repo, const std::string& sha);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_CREATE_SOURCES_H_
