// Engines: the Docker (or Podman) engines sandbot drives, by name. Each is a
// URL, `unix:///path` or `tcp://HOST:PORT`; a tcp:// engine speaks mutual
// TLS with the certificates of a folder laid out as DOCKER_CERT_PATH is
// (ca.pem, cert.pem, key.pem), or, only when the operator says so by name
// (--insecure-engine NAME), plain HTTP. From the flags --engine NAME=URL,
// --engine-tls NAME=DIR, --insecure-engine NAME and the config file's
// "engines" section; without any, one engine named "local" at --docker.
#ifndef SANDBOT_BOT_ENGINE_CONFIG_H_
#define SANDBOT_BOT_ENGINE_CONFIG_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/status.h"

namespace sandbot {

inline constexpr char kDefaultEngineName[] = "local";

// The files of a TLS engine's folder, as DOCKER_CERT_PATH lays them out.
struct EngineTls {
  std::string ca;    // ca.pem: the CA that signed the engine's certificate
  std::string cert;  // cert.pem: our client certificate
  std::string key;   // key.pem: its private key
  bool enabled() const { return !ca.empty(); }
};

struct EngineSpec {
  std::string name;
  std::string url;            // unix:///path or tcp://host:port
  std::string tls_dir;        // "": none
  bool insecure = false;      // a tcp:// engine without TLS, asked for by name
  std::string public_host;    // "": the daemon's --public-host
  std::string ports;          // "": the daemon's --ports
  std::string gateway_ports;  // "": the daemon's --gateway-ports
  bool swarm = false;         // a Swarm manager: sandboxes become services (bot/swarm_runtime.h)
  std::string swarm_publish;  // "ingress" (""), or "host"

  // The certificate files under tls_dir (empty when tls_dir is).
  EngineTls Tls() const;
};

// What the flags and the config file said, before validation.
struct EngineFlags {
  std::vector<std::string> engines;   // NAME=URL
  std::vector<std::string> tls;       // NAME=DIR
  std::vector<std::string> insecure;  // NAME
  bool swarm = false;                 // --swarm: every engine is a Swarm manager
  std::string swarm_publish;          // --swarm-publish ingress|host
  // The default engine's TLS folder: DOCKER_CERT_PATH (else ~/.docker) when
  // DOCKER_TLS_VERIFY is set, as the docker CLI reads them; "": none.
  std::string docker_tls_dir;
};

// Splits "NAME=VALUE"; InvalidArgument unless NAME is a valid engine name
// (lower-case letters, digits and '-', 1 to 32, starting with a letter) and
// VALUE is not empty. `flag` names the flag in messages.
Status ParseNamedValue(const std::string& text, const std::string& flag, std::string* name,
                       std::string* value);

// Merges the flags into `engines` (from the config file, possibly empty):
// a flag's engine replaces the file's of the same name. When both are
// empty, one engine named "local" at `docker` (with flags.docker_tls_dir
// when `docker` is tcp://). Then validates each (see
// ValidateEngine) and that names are unique.
Status ResolveEngines(const EngineFlags& flags, const std::string& docker,
                      std::vector<EngineSpec>* engines);

// The engines' names, in order (the first is the default).
std::vector<std::string> EngineNames(const std::vector<EngineSpec>& engines);

// A URL sandbot can speak; a tcp:// URL has TLS or is insecure by name; a
// TLS folder only for tcp:// and holding readable ca.pem, cert.pem and
// key.pem. InvalidArgument with what to do otherwise.
Status ValidateEngine(const EngineSpec& engine);

// The "engines" section of the config file: {"NAME": {"url": …, "tls": DIR,
// "insecure": bool, "public_host": …, "ports": "A-B", "gateway_ports": "A-B",
// "swarm": bool, "swarm_publish": "ingress"|"host"}}.
// `where` prefixes messages (the file's path).
Status ParseEnginesJson(const nlohmann::json& section, const std::string& where,
                        std::vector<EngineSpec>* engines);

}  // namespace sandbot

#endif  // SANDBOT_BOT_ENGINE_CONFIG_H_
