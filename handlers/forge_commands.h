// The commands of a pull request comment, once the forge said who wrote it.
//
// Each line of a comment that starts with '/' is a command (CommentCommands).
// They run only when the forge says the commenter may write to the
// repository (bot/forge_permission.h asks it: GitHub and Gitea collaborator
// permission write/maintain/admin, GitLab access level Developer or above);
// a forge that could not be asked refuses them, never allows them. The
// commenter, forge:NAME/LOGIN (util/identity.h), then has the role the
// configuration grants that identity, else the deployer role. A forge
// configured without a token cannot be asked: there, only a commenter the
// configuration grants a role may command (with that role), and the others
// are told how an operator can change that.
//
//   - /preview [SERVICE=baseline|URL …], /update, /destroy, /approve, /why:
//     the preview's own verbs (handlers/forge_pr.h);
//   - every command of the chat grammar (handlers/command.h) that concerns
//     a sandbox, acting on the PR's preview only (`/route payment baseline`,
//     `/sandbox status`), with the chat's roles, locks, jobs and audit (the
//     audit's source is the door, forge:NAME); commands that reach beyond the
//     preview (`/sandbox create`, `/env set`, `/template create` …) are
//     refused with the reason;
//   - anything else gets the help, once per PR.
// Answers are one reply comment on the PR (outbox kind `reply`).
#ifndef SANDBOT_HANDLERS_FORGE_COMMANDS_H_
#define SANDBOT_HANDLERS_FORGE_COMMANDS_H_

#include <string>

#include "handlers/command.h"
#include "handlers/dispatch.h"
#include "handlers/forge_event.h"
#include "handlers/forge_pr.h"
#include "store/forges.h"
#include "util/status.h"

namespace sandbot {

struct ForgeCommentRun {
  Forge forge;
  std::string delivery;  // the delivery that carried the comment
  ForgeEvent event;      // the comment (ParseForgeCommentEventJson)
  // The forge's answer: Ok and `can_write`, or why it could not be asked.
  Status permission;
  bool can_write = false;
  // The forge has no API token: it could not be asked (`permission` is not
  // Ok). A role granted to forge:NAME/LOGIN then decides alone; without
  // one the comment is refused with how to fix it.
  bool no_token = false;
  // The role the configuration grants forge:NAME/LOGIN, when it grants one.
  bool role_granted = false;
  Role granted = Role::kViewer;
};

// The role of a commenter the forge lets write: the granted one, else
// deployer.
Role ForgeCommenterRole(const ForgeCommentRun& run);

// One comment line of the chat grammar ("route payment baseline"), scoped to
// the PR's preview `sandbox`: parsed, with the sandbox filled in. NotFound
// when the first word is no command family (the help answers it);
// InvalidArgument with the usage when it does not parse; Forbidden when it
// would act beyond the preview (another sandbox, shared environments,
// templates, baselines) or attach environments to a fork's preview.
Status ScopeForgeCommand(const std::string& line, const std::string& sandbox, bool fork,
                         Command* command);

// The comment commands, as the help reply says them.
std::string ForgeCommentHelp(const std::string& sandbox);

// Runs a comment's commands (or refuses them all), queues the reply comment,
// and sets the delivery's outcome. `ctx` is the chat's: the store, the
// engine for logs, secrets, limits.
Status HandleForgeComment(const HandlerContext& ctx, const ForgeCommentRun& run,
                          ForgeOutcome* outcome);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_FORGE_COMMANDS_H_
