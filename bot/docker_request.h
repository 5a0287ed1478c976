// What sandbot sends to the Docker Engine API, apart from the transport:
// the JSON bodies (container and network create), the paths with their
// query strings (build, import, filters) and the encoding of path and query
// values. Pure functions; the paths are without the version prefix.
#ifndef SANDBOT_BOT_DOCKER_REQUEST_H_
#define SANDBOT_BOT_DOCKER_REQUEST_H_

#include <nlohmann/json.hpp>
#include <string>

#include "handlers/runtime.h"

namespace sandbot {

// The body of POST /containers/create for `spec`.
nlohmann::json BuildCreateBody(const ContainerSpec& spec);
// The body of POST /networks/create: a labelled bridge network.
nlohmann::json NetworkCreateBody(const std::string& name, const Labels& labels);

// POST /build for image `tag`, for an engine speaking `api_version`.
// `options` adds dockerfile, buildargs, target and labels (Compose `build:`).
std::string BuildImagePath(const std::string& tag, const std::string& api_version,
                           const BuildOptions& options = BuildOptions());
// POST /images/create importing a root filesystem as `repo_tag`.
std::string ImportImagePath(const std::string& repo_tag);
// GET /networks narrowed to names that contain `name` (the engine's name
// filter is a pattern match: callers pick the exact name out).
std::string NetworksNamedPath(const std::string& name);

// Percent-encodes everything but RFC 3986 unreserved characters (for query
// values).
std::string UrlEncode(const std::string& s);
// Like UrlEncode but keeps '/', ':' and '@' so image references such as
// "sandbot/busybox:latest" stay routable as path segments.
std::string PathEscape(const std::string& s);
// {"label":["k=v",…]} URL-encoded, or "" when `labels` is empty.
std::string LabelFilter(const Labels& labels);

}  // namespace sandbot

#endif  // SANDBOT_BOT_DOCKER_REQUEST_H_
