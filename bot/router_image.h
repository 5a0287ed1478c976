// The router's image, built on this machine from this very binary: the
// running executable plus the shared libraries the dynamic loader opened for
// it (dl_iterate_phdr names each by the path it was loaded from, the
// interpreter included), over `scratch`, with `sandbot router` as its entry
// point. No registry, no shell, no text from users in the build.
#ifndef SANDBOT_BOT_ROUTER_IMAGE_H_
#define SANDBOT_BOT_ROUTER_IMAGE_H_

#include <string>
#include <vector>

#include "handlers/runtime.h"
#include "util/status.h"

namespace sandbot {

// "sandbot/router:{version}-{hash of the binary}": a new binary gets a new
// image, the same binary finds its image already built.
Status RouterImageTag(std::string* tag);

// The build context (a tar: Dockerfile and rootfs/) and the files in it.
Status RouterImageContext(std::string* tar, std::vector<std::string>* files);

// Builds the image as RouterImageTag unless `rebuild` is false and it exists.
Status BuildRouterImage(ContainerRuntime* runtime, bool rebuild, std::string* tag,
                        const LineSink& log);

}  // namespace sandbot

#endif  // SANDBOT_BOT_ROUTER_IMAGE_H_
