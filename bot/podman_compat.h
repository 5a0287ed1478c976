// What Podman's Docker-compatible API (`podman system service`) answers
// differently from dockerd, as found by running sandbot against Podman 4.3,
// and how sandbot reads it. Pure functions on the engine's answers;
// DockerRuntime detects Podman from GET /version and applies them only then.
//
// Everything else sandbot sends (create with aliases, limits and binds;
// label filters; the classic build; import; logs) behaves as on dockerd.
#ifndef SANDBOT_BOT_PODMAN_COMPAT_H_
#define SANDBOT_BOT_PODMAN_COMPAT_H_

#include <nlohmann/json.hpp>
#include <string>

namespace sandbot {

// True when a GET /version answer is Podman's: a component named "Podman
// Engine" (its Platform name is the distribution's, "linux/amd64/debian-12";
// some releases put "Podman" there instead).
bool IsPodmanVersion(const nlohmann::json& version);
// "Podman Engine 4.3.1" or "Docker Engine - Community 20.10.24": for logs.
std::string EngineProduct(const nlohmann::json& version);

// Podman answers HTTP 500 for refusals dockerd gives a code of their own
// (a name in use, a network that exists or is in use, no such object), and
// names the reason in the body's `cause`. The status dockerd would have
// sent for that cause; `status` itself for any other answer.
int PodmanStatus(int status, const std::string& body);

// Podman says "stopping" (with Running false) while a stop is under way;
// dockerd says "running" until the process has exited, and sandbot's
// health verdicts, reconciler and reroutes judge by that. dockerd's word
// for Podman's container state `state`.
std::string PodmanContainerState(const std::string& state);

// Podman lists a container's image by its full name
// ("docker.io/sandbot/web:abc", "localhost/…" for a loaded one) where
// dockerd gives the reference it was created with ("sandbot/web:abc"), which
// a reroute compares with the one it deployed. The name without Podman's
// registry prefix: a reference given with its tag comes back as it was.
std::string PodmanImageName(const std::string& image);

// True when creating a network failed because no address range is left:
// dockerd's "non-overlapping" pool message or Podman's "could not find free
// subnet". The advice that goes with it differs per engine.
bool NoSubnetLeft(const std::string& body);
std::string NoSubnetAdvice(bool podman);

// True when Podman could not start a container because it may not raise
// the container's rlimits (no CAP_SYS_RESOURCE where Podman runs), and the
// advice for it; rootful Podman raises nofile and nproc by default.
bool PodmanRlimitRefused(const std::string& body);
std::string PodmanRlimitAdvice();

}  // namespace sandbot

#endif  // SANDBOT_BOT_PODMAN_COMPAT_H_
