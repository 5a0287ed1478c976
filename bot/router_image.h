// The router's image, built on this machine from this very build: the static
// `sandbot-router` beside the running executable when there is one (the
// Makefile links it: `sandbot router` alone, ~2 MB RSS), else the running
// executable plus the shared libraries the dynamic loader opened for it
// (dl_iterate_phdr names each by the path it was loaded from, the
// interpreter included); at /sandbot, over `scratch`, with `sandbot router`
// as its entry point; and this machine's CA bundle at
// /etc/ssl/certs/ca-certificates.crt, for https:// upstreams. No registry,
// no shell, no text from users in the build.
#ifndef SANDBOT_BOT_ROUTER_IMAGE_H_
#define SANDBOT_BOT_ROUTER_IMAGE_H_

#include <string>
#include <vector>

#include "handlers/runtime.h"
#include "util/status.h"

namespace sandbot {

// "sandbot/router:{version}-{SHA-256 of what goes into the image}" (the
// Dockerfile, the program, the CA bundle, the libraries of a dynamic
// program): a new build gets a new image, the same build finds its image
// already built. The daemon's own binary counts only when it is the program.
Status RouterImageTag(std::string* tag);

// True for a 64-bit ELF executable with no interpreter and no dynamic
// section: it needs no file beside itself in the image.
bool IsStaticElf(const std::string& data);
// The static sandbot-router beside this binary; "" when there is none (or it
// is not static).
std::string StaticRouterPath();

// The build context (a tar: Dockerfile and rootfs/) and the files in it.
Status RouterImageContext(std::string* tar, std::vector<std::string>* files);

// Builds the image as RouterImageTag unless `rebuild` is false and it exists.
// A non-empty `*tag` is taken as that tag (computed once by the caller).
Status BuildRouterImage(ContainerRuntime* runtime, bool rebuild, std::string* tag,
                        const LineSink& log);

}  // namespace sandbot

#endif  // SANDBOT_BOT_ROUTER_IMAGE_H_
