// sandbot-router: `sandbot router` linked on its own, statically (Makefile),
// for the router image. The same subcommand and options as `sandbot router`
// (bot/cli_router.h), without the daemon's libraries: a sandbox's router then
// maps only what it runs (README, The sandbox router).
#include <CLI/CLI.hpp>

#include "bot/cli_router.h"

int main(int argc, char** argv) {
  CLI::App app{"sandbot router, linked on its own for the router image"};
  app.require_subcommand(1);
  sandbot::RouterCli router;
  router.Add(&app);
  CLI11_PARSE(app, argc, argv);
  return router.Run();
}
