// A pushed commit's Compose file, read straight from the commit with
// libgit2 (no checkout) and parsed: what a compose deploy starts from, and
// what every later start of one of its services (resume, reroute, rename)
// reads again, so they all make the same container.
#ifndef SANDBOT_BOT_COMPOSE_SOURCE_H_
#define SANDBOT_BOT_COMPOSE_SOURCE_H_

#include <string>
#include <vector>

#include "compose/compose_file.h"
#include "handlers/compose_plan.h"
#include "hooks/git_repo.h"
#include "util/status.h"

namespace sandbot {

struct ComposeCommit {
  std::string file;  // its path in the commit; "" when the commit has none
  ComposeProject project;
  std::vector<ComposeProblem> warnings;  // unsupported keys, unset variables
  std::vector<std::string> enabled;      // the services that run, in file order
  // The content of every file or environment secret and config an enabled
  // service uses, by name (external secrets come from the sandbox's
  // environments when a service starts: AddComposeFiles).
  ComposeContents contents;
};

// Finds and parses the compose file of commit `sha`: `compose_file` when
// given, else the first of ComposeFileNames(). Ok with out->file empty when
// there is none. Variables come from the commit's .env beside the file and
// the SANDBOT_* values of `sandbox` (never the daemon's environment).
// InvalidArgument listing every refusal ("compose.yaml:12: services.web.…").
Status LoadComposeCommit(GitRepo* git, const std::string& sha, const std::string& compose_file,
                         const std::string& sandbox, const std::string& branch,
                         const std::vector<std::pair<int, int>>& host_port_ranges,
                         ComposeCommit* out);

}  // namespace sandbot

#endif  // SANDBOT_BOT_COMPOSE_SOURCE_H_
