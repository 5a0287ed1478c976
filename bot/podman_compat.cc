#include "bot/podman_compat.h"

#include "bot/docker_json.h"

namespace sandbot {

using nlohmann::json;

namespace {

bool StartsWith(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// The /version component that is Podman's, or nullptr.
const json* PodmanComponent(const json& version) {
  const json& components = JsonMember(version, "Components");
  if (!components.is_array()) return nullptr;
  for (const json& c : components) {
    if (StartsWith(JsonString(c, "Name"), "Podman")) return &c;
  }
  return nullptr;
}

}  // namespace

bool IsPodmanVersion(const json& version) {
  return PodmanComponent(version) != nullptr ||
         JsonString(JsonMember(version, "Platform"), "Name").find("Podman") != std::string::npos;
}

std::string EngineProduct(const json& version) {
  if (const json* podman = PodmanComponent(version)) {
    return JsonString(*podman, "Name") + " " + JsonString(*podman, "Version");
  }
  std::string platform = JsonString(JsonMember(version, "Platform"), "Name");
  if (platform.empty()) platform = "engine";
  return platform + " " + JsonString(version, "Version");
}

int PodmanStatus(int status, const std::string& body) {
  if (status != 500) return status;
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return status;
  // Podman's error causes (libpod/define/errors.go, containers/storage).
  const std::string cause = JsonString(j, "cause");
  for (const char* conflict :
       {"that name is already in use", "container already exists", "network already exists",
        "network is being used", "container state improper"}) {
    if (cause == conflict) return 409;
  }
  for (const char* missing :
       {"no such container", "no such image", "image not known", "network not found"}) {
    if (cause == missing) return 404;
  }
  if (StartsWith(cause, "invalid signal")) return 400;
  return status;
}

std::string PodmanContainerState(const std::string& state) {
  return state == "stopping" ? "running" : state;
}

std::string PodmanImageName(const std::string& image) {
  for (const char* prefix : {"docker.io/library/", "docker.io/", "localhost/"}) {
    if (StartsWith(image, prefix)) return image.substr(std::string(prefix).size());
  }
  return image;
}

bool NoSubnetLeft(const std::string& body) {
  return body.find("non-overlapping") != std::string::npos ||
         body.find("could not find free subnet") != std::string::npos;
}

std::string NoSubnetAdvice(bool podman) {
  if (podman) {
    return "Destroy sandboxes you no longer need, or give Podman more room in "
           "/etc/containers/containers.conf: [network] default_subnet_pools = "
           "[{\"base\" = \"10.213.0.0/16\", \"size\" = 24}]";
  }
  return "Destroy sandboxes you no longer need, or give Docker more room in "
         "/etc/docker/daemon.json: \"default-address-pools\": [{\"base\": \"10.213.0.0/16\", "
         "\"size\": 24}]";
}

bool PodmanRlimitRefused(const std::string& body) {
  return body.find("error setting rlimit") != std::string::npos &&
         body.find("operation not permitted") != std::string::npos;
}

std::string PodmanRlimitAdvice() {
  return "Podman may not raise the container's open-file and process limits here (it runs "
         "without CAP_SYS_RESOURCE): set limits it can keep in "
         "/etc/containers/containers.conf, e.g. [containers] default_ulimits = "
         "[\"nofile=1024:1024\", \"nproc=4096:4096\"]";
}

}  // namespace sandbot
