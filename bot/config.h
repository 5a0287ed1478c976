// Config: what `sandbot serve` and the other commands run with. Every field
// has an embedded default, so `sandbot serve` needs no file to start.
#ifndef SANDBOT_BOT_CONFIG_H_
#define SANDBOT_BOT_CONFIG_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bot/engine_config.h"
#include "handlers/command.h"
#include "hooks/paths.h"
#include "util/status.h"

namespace sandbot {

// Chat transports and who may do what. Secrets come from the environment
// (SANDBOT_SLACK_SIGNING_SECRET, SANDBOT_MATTERMOST_TOKEN,
// SANDBOT_TEAMS_HMAC_KEY) or the config file; a transport without its secret
// refuses every request.
struct ChatConfig {
  std::string slack_signing_secret;
  std::string slack_webhook_url;  // incoming webhook for notifications
  std::string mattermost_token;
  // The Mattermost server ("https://chat.example.com"): its reply URLs are
  // allowed (bot/reply_url_policy.h).
  std::string mattermost_url;
  // Further origins a chat request may name as its reply URL (a stand-in,
  // a proxy): "reply_origins" in the config file.
  std::vector<std::string> reply_origins;
  std::string teams_hmac_key;     // base64, from the outgoing webhook's setup
  std::string teams_webhook_url;  // Workflows URL for results and notifications
  // Fixed identity (util/identity.h: slack:TEAM/USER, mattermost:USERID,
  // teams:AAD-OBJECT-ID, cli:UID, forge:NAME/LOGIN) → role. Never a name.
  std::map<std::string, Role> roles;
  Role default_role = Role::kDeployer;
  size_t max_body_bytes = 64 * 1024;  // larger requests get 413
};

// CPU and memory limits of one service's containers; 0: not set here.
struct ServiceLimits {
  int memory_mb = 0;
  double cpus = 0;
};

struct Config {
  std::string data_dir;                   // Default: $SANDBOT_DATA, else /var/lib/sandbot
  std::string listen = "127.0.0.1:8088";  // HTTP listener (chat endpoints, /healthz)
  std::string docker;                     // Default: $DOCKER_HOST, else unix:///var/run/docker.sock
  // Named engines (bot/engine_config.h): the file's "engines", then the
  // flags; ResolveEngines fills `engines` ("local" at `docker` when none).
  std::vector<EngineSpec> engines;
  EngineFlags engine_flags;
  std::string ports = "9001-9999";          // host ports for services
  std::string gateway_ports = "8080-8099";  // host ports for sandboxes' gateway services
  std::string domain;  // "": no Traefik labels; else {service}.{sandbox}.{domain}
  // A router in every sandbox (bot/sandbox_router.h); serve --no-router
  // turns it off. Swarm engines never get one (bot/engine_registry.cc).
  bool router = true;
  // A CA file (PEM) the routers trust for https:// upstreams besides the
  // system bundle (serve --router-ca); "": the system bundle alone.
  std::string router_ca;
  std::string public_host = "127.0.0.1";  // host name in service URLs
  // Where people reach the listener ("https://sandbot.example.com"): the
  // dashboard's sign-in links point there; "": http://{listen}.
  std::string public_url;
  int workers = 2;  // jobs of different sandboxes in parallel
  int health_timeout_seconds = 60;
  int memory_mb = 0;  // per-container memory limit; 0: none
  double cpus = 0;    // per-container CPU limit (1.5 = one and a half); 0: none
  // Per service name ("limits" in the config file): above the global
  // defaults, below a sandbox's own and a service row's.
  std::map<std::string, ServiceLimits> limits;
  int health_seconds = 10;        // how often running services are probed; 0: never
  int reconcile_seconds = 60;     // store vs engine check; 0: only at start
  int stop_timeout_seconds = 30;  // SIGTERM: how long running jobs get
  // Idle expiry (bot/expiry.h): active sandboxes untouched this long are
  // suspended; suspended ones are destroyed after `retention`. 0: never.
  int64_t idle_suspend_seconds = 14 * 86400;
  int64_t retention_seconds = 30 * 86400;
  // Audit rows older than this are archived to {data}/audit-archive/ and
  // leave the store (store/audit.h ArchiveAudit). 0: never.
  int64_t audit_retention_seconds = 365 * 86400;
  int max_sandboxes = 50;  // suspended ones count (they keep ports); 0: no limit
  std::string log_level = "info";
  std::string config_file;  // Default: {data}/config.json when it exists
  ChatConfig chat;
  // The account a git server (Gitea, GitLab…) runs hooks as: only a push
  // from it may name the pusher (GITEA_PUSHER_NAME…); "" / -1: none.
  std::string git_service_user;
  int64_t git_service_uid = -1;
  // Known services and their shared-environment URLs ("payment" →
  // "https://payment-dev.example.com"); repos are known services too.
  std::map<std::string, std::string> baselines;
};

// Reads the JSON config file (see README "Configuration") into `config`, then
// applies the environment overrides. A missing default file is fine; a
// missing explicit one, bad JSON, unknown roles or roles granted to anything
// but a fixed identity (a display name like "alice") are InvalidArgument.
Status LoadConfig(Config* config);
// The role granted to `identity` (util/identity.h), else the default. Only
// the identity is looked up: never a display name.
Role RoleFor(const ChatConfig& chat, const std::string& identity);
// A user name or numeric uid → uid; InvalidArgument when the host has no
// such user.
Status ResolveUser(const std::string& user, int64_t* uid);

std::string DefaultDockerEndpoint();
// DOCKER_CERT_PATH (else $HOME/.docker) when DOCKER_TLS_VERIFY is set, as the
// docker CLI reads them: the TLS folder of a tcp:// $DOCKER_HOST; else "".
std::string DockerTlsDirFromEnvironment();

// Paths inside the data folder (DefaultDataDir, SocketPath, SpoolDir: hooks/paths.h).
std::string DbPath(const std::string& data_dir);           // sandbot.db
std::string LogDir(const std::string& data_dir);           // logs/
std::string AuditArchiveDir(const std::string& data_dir);  // audit-archive/ (store/audit.h)

// "9001-9999" → 9001, 9999. InvalidArgument unless 1 <= lo <= hi <= 65535.
Status ParsePortRange(const std::string& text, int* lo, int* hi);
// "14d", "12h", "30m", "5s" or plain seconds → seconds; "0" is 0 (never).
Status ParseDuration(const std::string& text, int64_t* seconds);
// "127.0.0.1:8088" → host, port.
Status ParseListen(const std::string& text, std::string* host, int* port);

}  // namespace sandbot

#endif  // SANDBOT_BOT_CONFIG_H_
