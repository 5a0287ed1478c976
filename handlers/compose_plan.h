// How a Compose service becomes a sandbox service's container (pure; the
// deploy job in bot/compose_deploy.h does the engine work): the create
// request's Compose part, the order services start in, which port is the
// one that gets the service's URL, and what "ready" means for each.
#ifndef SANDBOT_HANDLERS_COMPOSE_PLAN_H_
#define SANDBOT_HANDLERS_COMPOSE_PLAN_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compose/compose_file.h"
#include "handlers/runtime.h"
#include "store/environments.h"  // ResolvedEnv
#include "util/engine_names.h"   // SandboxVolumeName
#include "util/status.h"

namespace sandbot {

// "1m30s" -> 90e9; false when it is not a duration.
bool ParseComposeDuration(const std::string& text, int64_t* ns);
// "512M" -> 536870912; 0 when empty or malformed (the parser refuses those).
int64_t ParseComposeBytes(const std::string& text);

// The container port that gets the service's URL: the first `ports` target,
// else the first `expose` port; 0 when it has none (no URL).
int ComposeMainPort(const ComposeService& service);

// When a service counts as ready for the services that wait on it.
enum class ComposeReadiness {
  kStarted,    // running (and still running a moment later)
  kHealthy,    // the engine's health check says healthy
  kCompleted,  // exited with code 0 (a one-shot job: migrations)
};
// kCompleted when another enabled service waits for it with
// service_completed_successfully; else kHealthy when it has a health check;
// else kStarted.
ComposeReadiness ReadinessOf(const ComposeProject& project, const std::string& service,
                             const std::vector<std::string>& enabled);

// The enabled services (no profiles, or one of `profiles` active, or one an
// enabled service depends on), in file order.
std::vector<std::string> EnabledServices(const ComposeProject& project,
                                         const std::vector<std::string>& profiles);

// Fills the Compose part of `spec` (made by BuildServiceSpec: name, labels,
// network, the SANDBOT_* and {SERVICE}_URL variables): command, entrypoint,
// environment (the file's values replace sandbot's defaults of the same
// name, never SANDBOT_*), labels (sandbot.* stay sandbot's), working_dir,
// user, restart, healthcheck, extra ports (exposed on the sandbox's network;
// the main port is published by the caller), named volumes as
// sandbox-{sandbox}-{volume} (anonymous ones go with the container), bind
// mounts read-only from `checkout` (the commit's work folder on the host),
// tmpfs, pids and the file's limits where they are below the ones already
// set. InvalidArgument for a bind mount without a checkout.
Status ApplyComposeService(const ComposeService& service, const std::string& sandbox,
                           const std::string& checkout, ContainerSpec* spec);

// The content of a compose file's `file:` and `environment:` secrets and
// configs, by name, read from the commit (bot/compose_source.h).
struct ComposeContents {
  std::map<std::string, std::string> secrets, configs;
};

// Adds the service's compose secrets and configs to `env`, the attached
// environments' values that InjectEnvironment writes and mounts read-only:
// a secret at /run/secrets/TARGET (TARGET: the `target`, default its name;
// an absolute target elsewhere is a file there), a config at its absolute
// `target` (a relative one under /; default /NAME). An external secret is
// the attached environments' secret of its `name`: NotFound saying how to
// set and attach one when none has it. Where an attached environment
// already gives the same /run/secrets name or path, the environment's value
// stays (an operator's value over the committed one) and *note says so.
// InvalidArgument for a target that is not a plain name or an allowed path.
Status AddComposeFiles(const ComposeProject& project, const ComposeService& service,
                       const ComposeContents& contents, ResolvedEnv* env, std::string* note);

// The gateway a compose deploy gives a sandbox whose gateway is `current`:
// the file's x-sandbot.gateway when the sandbox has none (--gateway at
// create, or a template's, wins) and that service runs; else `current`.
std::string ComposeGateway(const std::string& current, const ComposeProject& project,
                           const std::vector<std::string>& enabled);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_COMPOSE_PLAN_H_
