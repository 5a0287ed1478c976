// A Compose file as sandbot understands it: the Compose Specification keys a
// sandbox needs (issue 12), parsed with yaml-cpp, interpolated, normalised
// (one form per key), and checked before anything is built. Pure code: files
// it needs (env_file) come through a callback, so the caller reads them from
// disk or straight from a commit.
#ifndef SANDBOT_COMPOSE_COMPOSE_FILE_H_
#define SANDBOT_COMPOSE_COMPOSE_FILE_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compose/interpolate.h"
#include "util/status.h"

namespace sandbot {

// One refusal or warning: "compose.yaml:12: services.web.privileged: ...".
struct ComposeProblem {
  std::string file;
  int line = 0;     // 1-based; 0 when the file as a whole is meant
  std::string key;  // dotted path, "services.web.ports[1]"
  std::string message;
  std::string ToString() const;
};

struct ComposeBuild {
  std::string context;  // checkout-relative, normal form ("." for the root)
  std::string dockerfile = "Dockerfile";
  std::map<std::string, std::string> args;
  std::string target;
};

struct ComposePort {
  std::string host_ip;
  int published_lo = 0, published_hi = 0;  // 0: sandbot picks the host port
  int target_lo = 0, target_hi = 0;
  std::string protocol = "tcp";
};

struct ComposeDependency {
  std::string service;
  std::string condition = "service_started";  // service_healthy, service_completed_successfully
  int line = 0;
};

struct ComposeHealthcheck {
  bool set = false;
  bool disable = false;
  std::vector<std::string> test;  // ["CMD", ...] or ["CMD-SHELL", "..."]
  std::string interval, timeout, start_period;
  int retries = -1;  // -1: not given
};

struct ComposeMount {
  std::string type;    // "volume" (named or anonymous), "bind" (inside the checkout), "tmpfs"
  std::string source;  // volume name, or checkout-relative path for a bind
  std::string target;
  bool read_only = false;
};

// A service's use of a top-level secret or config (a file in the checkout).
struct ComposeFileRef {
  std::string source;
  std::string target;  // "" = the default (/run/secrets/SOURCE, /SOURCE)
  std::string uid, gid;
  int mode = -1;
};

// A top-level secret or config: where its content comes from (one of the
// three).
struct ComposeFileSource {
  std::string file;         // a checkout-relative file of the commit
  std::string environment;  // the value of this variable (.env beside the file, SANDBOT_*)
  // Secrets only: sandbot's own secret `name` (default: the key), from an
  // environment attached to the sandbox or service (README "Environments
  // and secrets").
  bool external = false;
  std::string name;
};

struct ComposeService {
  std::string name;
  int line = 0;
  std::optional<ComposeBuild> build;
  std::string image;
  std::optional<std::vector<std::string>> command, entrypoint;    // argv
  std::map<std::string, std::optional<std::string>> environment;  // nullopt: unset
  std::vector<ComposePort> ports;
  std::vector<std::string> expose;  // "3000" or "4000-4001", protocol kept ("53/udp")
  std::vector<ComposeDependency> depends_on;
  ComposeHealthcheck healthcheck;
  std::vector<ComposeMount> volumes;
  std::string working_dir, user, restart;
  std::map<std::string, std::string> labels;
  std::vector<ComposeFileRef> secrets, configs;
  std::string cpus, memory;  // deploy.resources.limits, as written ("0.5", "512M")
  int pids = 0;
  std::vector<std::string> profiles;
};

struct ComposeProject {
  std::vector<ComposeService> services;                               // in file order
  std::map<std::string, std::map<std::string, std::string>> volumes;  // name -> labels
  std::map<std::string, ComposeFileSource> secrets, configs;          // by name
  std::string gateway;                                                // x-sandbot.gateway
  std::map<std::string, std::string> seeds;  // x-sandbot.seeds: volume -> seed

  const ComposeService* Find(const std::string& name) const;
  // Whether the service runs with these profiles active (no profiles: always).
  static bool Enabled(const ComposeService& s, const std::vector<std::string>& active);
};

struct ComposeOptions {
  std::string file = "compose.yaml";  // the name in messages
  // The compose file's folder, relative to the checkout root ("" = the root):
  // relative paths in the file start there and may not leave the checkout.
  std::string base;
  VarLookup lookup = [](const std::string&, std::string*) { return false; };
  // Reads a checkout-relative file (env_file); NotFound when missing.
  std::function<Status(const std::string& path, std::string* content)> read_file;
  // Host port ranges a published port must fall in (sandbot's --ports and
  // --gateway-ports); empty: not checked.
  std::vector<std::pair<int, int>> host_port_ranges;
};

// Parses `text`. On refusal returns InvalidArgument whose message lists every
// error, one per line, and fills *errors; warnings (keys sandbot does not
// support, unset variables, bind mounts made read-only) go to *warnings
// either way. Never throws.
Status ParseCompose(const std::string& text, const ComposeOptions& options, ComposeProject* project,
                    std::vector<ComposeProblem>* errors, std::vector<ComposeProblem>* warnings);

// The names under `services:` in file order, read as YAML only (no
// interpolation, no checks); empty when the text does not parse.
std::vector<std::string> ComposeServiceNames(const std::string& text);

// "a b 'c d'" -> {"a", "b", "c d"}: POSIX shell quoting only (no expansion),
// as Compose splits a string `command`. InvalidArgument on an open quote.
Status SplitCommand(const std::string& text, std::vector<std::string>* argv);

// The compose file names looked for, in order.
const std::vector<std::string>& ComposeFileNames();

// "a/./b/../c" -> "a/c"; false when the path leaves its root ("../x") or is
// absolute.
bool NormalRelativePath(const std::string& path, std::string* out);

}  // namespace sandbot

#endif  // SANDBOT_COMPOSE_COMPOSE_FILE_H_
