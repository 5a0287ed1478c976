// What a service's environments put into its container: variables (and
// --env secrets) in its environment, secrets as /run/secrets/KEY and files at
// their PATH, written under {data}/secrets/<sandbox>/<service>/ and
// bind-mounted read-only.
//
// Every folder on the way is 0700 (owned by the daemon's user), which is
// what keeps other host users out; the files themselves are 0444 so that a
// container process running as a non-root USER can read its mounts (Docker
// swarm secrets have the same default). Containers are recreated on every
// deploy, so the folder is rewritten whole each time.
#ifndef SANDBOT_BOT_SECRET_FILES_H_
#define SANDBOT_BOT_SECRET_FILES_H_

#include <string>
#include <vector>

#include "handlers/runtime.h"
#include "store/db.h"
#include "store/environments.h"
#include "store/secret_keys.h"
#include "util/engine_names.h"  // SecretsDir
#include "util/status.h"

namespace sandbot {

// Replaces the service's folder with `env`'s secrets and files and appends
// "host:container:ro" binds for them. Messages name paths, never values.
Status WriteServiceFiles(const std::string& data_dir, const std::string& sandbox,
                         const std::string& service, const ResolvedEnv& env,
                         std::vector<std::string>* binds);
// ResolveEnvironment with the daemon's keys; without keys (`keys` null)
// sealed values do not open and the deploy fails saying so.
Status ResolveForService(Db* db, const SecretKeys* keys, const std::string& sandbox,
                         const std::string& service, ResolvedEnv* env);
// WriteServiceFiles for `spec`, whose env gains the variables of `env`
// except those sandbot sets itself (SANDBOT_*, PORT, {SERVICE}_URL: they
// win). `*summary` names keys and paths for the job log, never values.
Status InjectEnvironment(const std::string& data_dir, const std::string& sandbox,
                         const std::string& service, const ResolvedEnv& env, ContainerSpec* spec,
                         std::string* summary);
// Best effort: when the service's container or the sandbox is gone.
void RemoveServiceFiles(const std::string& data_dir, const std::string& sandbox,
                        const std::string& service);
void RemoveSandboxFiles(const std::string& data_dir, const std::string& sandbox);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SECRET_FILES_H_
