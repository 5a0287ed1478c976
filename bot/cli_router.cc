#include "bot/cli_router.h"

namespace sandbot {

void RouterCli::Add(CLI::App* app) {
  router_ = app->add_subcommand(
      "router",
      "Run a sandbox's router: forwards HTTP by Host to where routes.json routes each service "
      "(the sandbox's SERVICE.local, the baseline or a URL); reloads the table when it changes");
  router_->add_option("--routes", options_.routes_file, "The route table to follow")
      ->capture_default_str();
  router_->add_option("--bind", options_.bind, "IPv4 address to listen on")->capture_default_str();
  router_->add_option("--ack", options_.ack_file,
                      "File the version of each table taken into use is written to");
  router_
      ->add_option("--ca-bundle", options_.ca_bundle,
                   "CA certificates https:// upstreams are verified against (\"\": none)")
      ->capture_default_str();
  router_->add_option("--ca", options_.extra_ca,
                      "Another CA file to trust for https:// upstreams, e.g. an internal CA "
                      "(repeatable)");
  router_
      ->add_option("--listen", options_.ports,
                   "Port to listen on besides those the table names (repeatable)")
      ->check(CLI::Range(1, 65535));
}

int RouterCli::Run() const {
  if (!router_->parsed()) return -1;
  return RunRouter(options_);
}

}  // namespace sandbot
