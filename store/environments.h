// Environments: named sets of variables, secrets and files (tables
// environments, env_entries, env_attachments), and what one service of a
// sandbox receives from them when it is deployed.
//
// Entry kinds and what is stored in env_entries.value:
//   var          KEY=VALUE, plain text        → a container variable
//   secret       KEY=VALUE, sealed            → the file /run/secrets/KEY
//                                               (and a variable when as_env)
//   file         PATH, plain content          → a read-only file at PATH
//   secret_file  PATH, sealed content         → the same, encrypted at rest
// Sealed values are bound to "env/<environment>/<KEY or PATH>" (SecretBox's
// additional data), so a ciphertext copied to another row does not open.
// Plain text of a secret only exists in memory on its way in (SetEnvEntry)
// and on its way to the container files (ResolveEnvironment).
//
// Resolution rule when several attached environments set the same KEY or
// PATH: an attachment to the service beats an attachment to the whole
// sandbox; at the same level the environment attached last wins (then the
// greater name). The winner's kind decides what the key becomes.
#ifndef SANDBOT_STORE_ENVIRONMENTS_H_
#define SANDBOT_STORE_ENVIRONMENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "store/secret_keys.h"
#include "util/status.h"

namespace sandbot {

constexpr size_t kMaxEnvValueBytes = 64 * 1024;
constexpr size_t kMaxEnvFileBytes = 1024 * 1024;

struct EnvEntry {
  std::string key;    // variable name, or the file's absolute PATH
  std::string kind;   // var, secret, file, secret_file
  std::string value;  // as stored: sealed for secret kinds
  bool as_env = false;
  int64_t updated_at = 0;
  bool sealed() const { return kind == "secret" || kind == "secret_file"; }
  bool is_file() const { return kind == "file" || kind == "secret_file"; }
};

struct EnvAttachment {
  std::string env;
  std::string sandbox;
  std::string service;  // "" = every service of the sandbox
  std::string attached_by;
  int64_t attached_at = 0;
};

struct Environment {
  int64_t id = 0;
  std::string name;
  std::string created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::vector<EnvEntry> entries;           // ordered by key
  std::vector<EnvAttachment> attachments;  // ordered by sandbox, service
};

// Conflict when the name is taken.
Status CreateEnvironment(Db* db, const std::string& name, const std::string& actor);
// With entries and attachments; NotFound.
Status GetEnvironment(Db* db, const std::string& name, Environment* env);
Status ListEnvironments(Db* db, std::vector<Environment>* envs);
// Deletes it with its entries; Conflict when it is still attached.
Status DeleteEnvironment(Db* db, const std::string& name);

// Inserts or replaces KEY (or PATH) of `env`. `kind` is one of the four
// kinds; secret kinds are sealed with `keys` here, so plain text never
// reaches the store. InvalidArgument above the size limits (the message
// never quotes the value).
Status SetEnvEntry(Db* db, const SecretKeys& keys, const std::string& env, const std::string& key,
                   const std::string& kind, const std::string& plaintext, bool as_env);
// NotFound when `env` has no such key.
Status UnsetEnvEntry(Db* db, const std::string& env, const std::string& key);

// `service` "" attaches to every service. `*already` is true (and nothing
// changes) when that attachment exists.
Status AttachEnvironment(Db* db, const std::string& env, int64_t sandbox_id,
                         const std::string& service, const std::string& actor, bool* already);
// NotFound when there is no such attachment.
Status DetachEnvironment(Db* db, const std::string& env, int64_t sandbox_id,
                         const std::string& service);
// Attachments of one sandbox (every environment), by environment name.
Status ListSandboxAttachments(Db* db, int64_t sandbox_id, std::vector<EnvAttachment>* out);

// What a service receives on deploy.
struct ResolvedFile {
  std::string path;     // absolute path in the container
  std::string content;  // plain text
  bool secret = false;
};
struct ResolvedEnv {
  std::vector<std::string> env;                              // "KEY=VALUE": vars, --env secrets
  std::vector<std::pair<std::string, std::string>> secrets;  // KEY → value, /run/secrets/KEY
  std::vector<ResolvedFile> files;                           // by path
  std::vector<std::string> sources;                          // environments used, by name
  bool empty() const { return env.empty() && secrets.empty() && files.empty(); }
};
// Applies the resolution rule above. A sealed value that does not open
// gives Internal naming the environment and key (never the value) and how
// to fix it (restore the key file).
Status ResolveEnvironment(Db* db, const SecretKeys& keys, const std::string& sandbox,
                          const std::string& service, ResolvedEnv* out);

// Key rotation, store side: opens every sealed value with `from` and seals
// it again with `to`, in the caller's transaction. Counts the values.
Status ResealAll(Db* db, const SecretBox& from, const SecretBox& to, int* count);
// Whether the store holds sealed values, and whether `box` opens all of
// them (`*opens` is true when there are none).
Status ProbeSealed(Db* db, const SecretBox& box, bool* any, bool* opens);

}  // namespace sandbot

#endif  // SANDBOT_STORE_ENVIRONMENTS_H_
