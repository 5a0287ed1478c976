// sandbot: the daemon and its command line. Every command takes --data DIR;
// `sandbot COMMAND --help` explains each one. The subcommands live in
// bot/cli_offline.cc (daemon not needed), bot/cli_grammar.cc (the chat
// grammar, built from the command table), bot/cli_image.cc and
// bot/cli_compose.cc.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "bot/cli_compose.h"
#include "bot/cli_engine.h"
#include "bot/cli_forge.h"
#include "bot/cli_grammar.h"
#include "bot/cli_image.h"
#include "bot/cli_offline.h"
#include "bot/cli_router.h"
#include "bot/cli_util.h"
#include "bot/config.h"
#include "bot/daemon.h"
#include "bot/version.h"

using namespace sandbot;

int main(int argc, char** argv) {
  Config config;
  config.data_dir = DefaultDataDir();
  config.docker = DefaultDockerEndpoint();
  config.engine_flags.docker_tls_dir = DockerTlsDirFromEnvironment();

  CLI::App app{
      "sandbot: git push and chat commands in, branch sandboxes on local Docker out.\n"
      "Start the daemon with `sandbot serve`; see `sandbot COMMAND --help`."};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");
  app.add_option("--data", config.data_dir,
                 "Data folder: store, socket, spool, logs (default $SANDBOT_DATA or "
                 "/var/lib/sandbot)")
      ->capture_default_str();
  app.add_option("--log-level", config.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  app.add_option("--config", config.config_file,
                 "JSON config file (default {data}/config.json when present)");
  app.fallthrough();
  app.allow_extras();  // kept for the grammar commands; refused for the others below

  auto* serve = app.add_subcommand("serve", "Run the daemon (foreground; Ctrl-C stops it)");
  serve->add_option("--listen", config.listen, "HTTP listener HOST:PORT")->capture_default_str();
  serve
      ->add_option("--docker", config.docker,
                   "Engine endpoint, dockerd or Podman's service: unix:///path or "
                   "tcp://host:port (default $DOCKER_HOST)")
      ->capture_default_str();
  serve->add_option("--engine", config.engine_flags.engines,
                    "A named engine, NAME=URL (unix:///path or tcp://HOST:PORT); repeat it for "
                    "several: each sandbox lives on one, new ones go where there is most room "
                    "(sandbox create --engine NAME says where); the first is the default. "
                    "Without it, one engine named 'local' at --docker");
  serve->add_option("--engine-tls", config.engine_flags.tls,
                    "NAME=DIR: mutual TLS for tcp:// engine NAME with DIR/ca.pem, DIR/cert.pem "
                    "and DIR/key.pem (as DOCKER_CERT_PATH lays them out)");
  serve->add_option("--insecure-engine", config.engine_flags.insecure,
                    "NAME: allow tcp:// engine NAME without TLS (anyone who reaches it is root "
                    "on its host)");
  serve->add_flag("--swarm", config.engine_flags.swarm,
                  "The engine is a Docker Swarm manager: a sandbox becomes Swarm services on an "
                  "attachable overlay network, secrets become Swarm secrets (checked at start: "
                  "refused unless the engine is an active manager)");
  serve->add_option("--swarm-publish", config.engine_flags.swarm_publish,
                    "With --swarm, where service ports are published: ingress (the routing mesh, "
                    "every node; the default) or host (the manager's own ports)");
  serve->add_option("--ports", config.ports, "Host port range for services")->capture_default_str();
  serve->add_option("--public-host", config.public_host, "Host name used in service URLs")
      ->capture_default_str();
  serve->add_option("--public-url", config.public_url,
                    "Where people reach the listener, e.g. https://sandbot.example.com: the "
                    "dashboard's sign-in links point there (default http://LISTEN), and pull "
                    "request comments, statuses and deployments link job logs there (none "
                    "without it)");
  serve
      ->add_option("--gateway-ports", config.gateway_ports,
                   "Host port range for gateway services (a sandbox's main URL)")
      ->capture_default_str();
  serve->add_flag(
      "--router,!--no-router", config.router,
      "A router in every new sandbox (the default; --no-router: none in new ones, those "
      "that have one keep it): HTTP services keep "
      "{SERVICE}_URL and a route change applies without recreating containers; not "
      "on a Swarm engine (see README, The sandbox router)");
  serve->add_option("--router-ca", config.router_ca,
                    "A CA file (PEM) the routers trust for https:// baselines and URLs besides "
                    "the system bundle in the router image, e.g. an internal CA");
  serve->add_option("--domain", config.domain,
                    "Adds Traefik labels routing SERVICE.SANDBOX.DOMAIN to each container");
  serve
      ->add_option("--health-interval", config.health_seconds,
                   "Seconds between health checks of running services (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  serve->add_option("--workers", config.workers, "Jobs run in parallel (one per sandbox)")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  serve
      ->add_option("--health-timeout", config.health_timeout_seconds,
                   "Seconds a new container has to answer its health path")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option("--memory", config.memory_mb,
                   "Default memory limit of each container, in MB, and the most a non-admin "
                   "may ask for (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1 << 20));
  serve
      ->add_option("--cpus", config.cpus,
                   "Default CPU limit of each container, e.g. 0.5, and the most a non-admin may "
                   "ask for (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1024.0));
  serve
      ->add_option("--reconcile-seconds", config.reconcile_seconds,
                   "How often the store is checked against the engine (0: only at start)")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  serve
      ->add_option("--stop-timeout", config.stop_timeout_seconds,
                   "Seconds running jobs get to reach a safe point on SIGTERM")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  // Applied after the config file, so a flag wins over the file.
  std::string idle_suspend, retention, audit_retention;
  int max_sandboxes = -1;
  serve->add_option("--idle-suspend", idle_suspend,
                    "Suspend sandboxes idle this long, e.g. 14d, 12h, 30m, 5s (0: never; "
                    "default 14d)");
  serve->add_option("--retention", retention,
                    "Destroy sandboxes suspended this long (0: never; default 30d)");
  serve->add_option("--audit-retention", audit_retention,
                    "Archive audit rows older than this to {data}/audit-archive/ (0: never; "
                    "default 365d)");
  serve
      ->add_option("--max-sandboxes", max_sandboxes,
                   "Most sandboxes at once, suspended ones included (0: no limit; default 50)")
      ->check(CLI::Range(0, 100000));

  OfflineCli offline;
  ForgeCli forges;
  GrammarCli grammar;
  ImageCli image;
  EngineCli engines;
  ComposeCli compose;
  RouterCli router;
  auto* sandbox = app.add_subcommand("sandbox", "Inspect and destroy sandboxes");
  sandbox->require_subcommand(1);
  offline.Add(&app, sandbox);
  engines.Add(&app, sandbox);  // before the grammar's: `sandbox move` is here
  forges.Add(&app);
  // Words after a grammar command belong to it: CLI11 leaves them in
  // app.remaining() (global options like --data still parse).
  grammar.Add(&app, sandbox);
  image.Add(&app, &config);
  compose.Add(&app);
  router.Add(&app);
  app.add_subcommand("version", "Print the version");
  // The dashboard's commands by their own names: `sandbox web`,
  // `sandbox web-sessions` and `sandbox web-revoke` of the grammar.
  auto* web_login = app.add_subcommand(
      "web-login", "Print a one-time link (10 minutes) that signs you in to the dashboard");
  auto* web_sessions =
      app.add_subcommand("web-sessions", "list | revoke ID: live dashboard sessions");
  std::string web_action = "list", web_session_id;
  web_sessions->add_option("action", web_action, "list or revoke")
      ->check(CLI::IsMember({"list", "revoke"}));
  web_sessions->add_option("id", web_session_id, "the session to revoke (from list)");

  CLI11_PARSE(app, argc, argv);

  auto logger = spdlog::stderr_color_mt("sandbot");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  config.data_dir = Absolute(config.data_dir);
  Status loaded = LoadConfig(&config);
  if (loaded.ok() && !idle_suspend.empty()) {
    loaded = ParseDuration(idle_suspend, &config.idle_suspend_seconds);
  }
  if (loaded.ok() && !retention.empty()) {
    loaded = ParseDuration(retention, &config.retention_seconds);
  }
  if (loaded.ok() && !audit_retention.empty()) {
    loaded = ParseDuration(audit_retention, &config.audit_retention_seconds);
  }
  if (max_sandboxes >= 0) config.max_sandboxes = max_sandboxes;
  if (loaded.ok() && *serve) {
    loaded = ResolveEngines(config.engine_flags, config.docker, &config.engines);
  }
  if (!loaded.ok()) return Fail(loaded);
  if (!grammar.Chosen() && !app.remaining().empty()) {
    std::string extra;
    for (const std::string& w : app.remaining()) extra += " " + w;
    return Fail(Status::InvalidArgument("unexpected arguments:" + extra + " (see --help)"));
  }

  if (*serve) {
    Daemon daemon(config);
    return daemon.Run();
  }
  if (int code = offline.Run(config); code >= 0) return code;
  if (int code = forges.Run(config); code >= 0) return code;
  if (grammar.Chosen()) return grammar.Run(config, &app);
  if (*web_login) return RunGrammar(config, "sandbox", {"web"}, false);
  if (*web_sessions) {
    if (web_action == "list") return RunGrammar(config, "sandbox", {"web-sessions"}, false);
    return RunGrammar(config, "sandbox", {"web-revoke", web_session_id}, false);
  }
  if (int code = image.Run(config); code >= 0) return code;
  if (int code = engines.Run(config); code >= 0) return code;
  if (int code = compose.Run(config); code >= 0) return code;
  if (int code = router.Run(); code >= 0) return code;
  std::cout << "sandbot " << kVersion << "\n";
  return 0;
}
