#include "bot/cli_image.h"

#include <iostream>

#include "bot/cli_util.h"
#include "bot/docker_runtime.h"

namespace sandbot {

void ImageCli::Add(CLI::App* app, Config* config) {
  auto* image = app->add_subcommand("image", "Offline images (no registry needed)");
  image->require_subcommand(1);
  image->add_option("--docker", config->docker, "Engine endpoint (dockerd or Podman's service)")
      ->capture_default_str();
  load_ = image->add_subcommand("load", "Load a `docker save` tarball");
  load_->add_option("file", file_)->required()->check(CLI::ExistingFile);
  import_ = image->add_subcommand("import", "Import a root filesystem tarball as NAME:TAG");
  import_->add_option("file", file_)->required()->check(CLI::ExistingFile);
  import_->add_option("tag", tag_)->required();
}

int ImageCli::Run(const Config& config) const {
  if (load_->parsed()) {
    DockerRuntime runtime(config.docker);
    Status s = runtime.LoadImage(Absolute(file_),
                                 [](const std::string& line) { std::cout << line << "\n"; });
    if (!s.ok()) return Fail(s);
    std::cout << "loaded " << file_ << "\n";
    return 0;
  }
  if (import_->parsed()) {
    DockerRuntime runtime(config.docker);
    Status s = runtime.ImportImage(Absolute(file_), tag_, [](const std::string&) {});
    if (!s.ok()) return Fail(s);
    std::cout << "imported " << file_ << " as " << tag_ << "\n";
    return 0;
  }
  return -1;
}

}  // namespace sandbot
