#include "bot/cli_image.h"

#include <iostream>

#include "bot/cli_util.h"
#include "bot/docker_runtime.h"
#include "bot/router_image.h"

namespace sandbot {

void ImageCli::Add(CLI::App* app, Config* config) {
  auto* image = app->add_subcommand("image", "Offline images (no registry needed)");
  image->require_subcommand(1);
  image->add_option("--docker", config->docker, "Engine endpoint (dockerd or Podman's service)")
      ->capture_default_str();
  image->add_option("--tls", config->engine_flags.docker_tls_dir,
                    "Folder with ca.pem, cert.pem and key.pem for a tcp:// engine (default "
                    "$DOCKER_CERT_PATH when $DOCKER_TLS_VERIFY is set)");
  image->add_flag("--insecure", insecure_, "Allow a tcp:// engine without TLS");
  load_ = image->add_subcommand("load", "Load a `docker save` tarball");
  load_->add_option("file", file_)->required()->check(CLI::ExistingFile);
  import_ = image->add_subcommand("import", "Import a root filesystem tarball as NAME:TAG");
  import_->add_option("file", file_)->required()->check(CLI::ExistingFile);
  import_->add_option("tag", tag_)->required();
  build_router_ = image->add_subcommand(
      "build-router",
      "Build the sandbox router's image from the static sandbot-router beside this binary, "
      "else from this binary and the shared libraries it loaded");
}

namespace {

// The engine of `image`: --docker with --tls, under the rules of `serve`
// (a tcp:// engine without TLS is refused unless --insecure).
Status ImageEngine(const Config& config, bool insecure, EngineSpec* engine) {
  std::vector<EngineSpec> engines;
  EngineFlags flags;
  flags.docker_tls_dir = config.engine_flags.docker_tls_dir;
  if (insecure) flags.insecure = {kDefaultEngineName};
  Status s = ResolveEngines(flags, config.docker, &engines);
  if (!s.ok()) {
    return Status::InvalidArgument(s.message() +
                                   " (for `sandbot image`: --tls DIR, or --insecure)");
  }
  *engine = engines.front();
  return s;
}

}  // namespace

int ImageCli::Run(const Config& config) const {
  if (!load_->parsed() && !import_->parsed() && !build_router_->parsed()) return -1;
  EngineSpec engine;
  Status valid = ImageEngine(config, insecure_, &engine);
  if (!valid.ok()) return Fail(valid);
  if (load_->parsed()) {
    DockerRuntime runtime(engine.url, engine.Tls());
    Status s = runtime.LoadImage(Absolute(file_),
                                 [](const std::string& line) { std::cout << line << "\n"; });
    if (!s.ok()) return Fail(s);
    std::cout << "loaded " << file_ << "\n";
    return 0;
  }
  if (import_->parsed()) {
    DockerRuntime runtime(engine.url, engine.Tls());
    Status s = runtime.ImportImage(Absolute(file_), tag_, [](const std::string&) {});
    if (!s.ok()) return Fail(s);
    std::cout << "imported " << file_ << " as " << tag_ << "\n";
    return 0;
  }
  if (build_router_->parsed()) {
    DockerRuntime runtime(engine.url, engine.Tls());
    std::string tag;
    Status s = BuildRouterImage(&runtime, /*rebuild=*/true, &tag,
                                [](const std::string& line) { std::cout << line << "\n"; });
    if (!s.ok()) return Fail(s);
    std::cout << "built " << tag << "\n";
    return 0;
  }
  return -1;
}

}  // namespace sandbot
