// `sandbot image load FILE` and `sandbot image import FILE NAME:TAG`: images
// for machines without a registry, straight into the engine; `sandbot image
// build-router`: the sandbox router's image from this binary.
#ifndef SANDBOT_BOT_CLI_IMAGE_H_
#define SANDBOT_BOT_CLI_IMAGE_H_

#include <CLI/CLI.hpp>
#include <string>

#include "bot/config.h"

namespace sandbot {

class ImageCli {
 public:
  // `image --docker` sets config->docker, `--tls` its TLS folder.
  void Add(CLI::App* app, Config* config);
  // Runs the chosen subcommand; -1 when none of these was chosen.
  int Run(const Config& config) const;

 private:
  CLI::App *load_ = nullptr, *import_ = nullptr, *build_router_ = nullptr;
  std::string file_, tag_;
  bool insecure_ = false;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_CLI_IMAGE_H_
