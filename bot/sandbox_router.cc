#include "bot/sandbox_router.h"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "bot/router_image.h"
#include "handlers/router_table.h"
#include "util/engine_names.h"

namespace sandbot {

namespace fs = std::filesystem;

namespace {

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

// A release router stays near 12 MB; one built with AddressSanitizer (the
// binary `make test` runs) maps shadow memory and keeps freed blocks in
// quarantine, and the engine's OOM killer stopped it at 64 MB.
#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kRouterMemoryBytes = 1LL << 30;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr int64_t kRouterMemoryBytes = 1LL << 30;
#else
constexpr int64_t kRouterMemoryBytes = 64LL << 20;
#endif
#else
constexpr int64_t kRouterMemoryBytes = 64LL << 20;
#endif

std::string MainLabel(const RouterGateway& gateway) {
  if (gateway.service.empty()) return "";
  return std::to_string(gateway.host_port) + ":" + std::to_string(gateway.port);
}

// The tag hashes the binaries (most of a second for a large one): once per
// process. Whether an engine holds the image is asked at each deploy: with
// several engines each needs its own, and one may have lost it.
std::mutex image_mu;
std::string router_tag;  // guarded by image_mu

// One EnsureSandboxRouter at a time per sandbox: services of one job start
// on several threads, and two that both found no router would both create
// it (the second refused: the name is taken).
std::mutex& SandboxRouterLock(const std::string& sandbox) {
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<std::mutex>> locks;  // guarded by mu
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<std::mutex>& found = locks[sandbox];
  if (!found) found = std::make_unique<std::mutex>();
  return *found;
}

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream all;
  all << in.rdbuf();
  return all.str();
}

// A router (re)started reports afresh; until then, no version at all.
void ForgetAck(const std::string& data_dir, const std::string& sandbox) {
  std::error_code ec;
  fs::remove(RouterStateDir(data_dir, sandbox) + "/table-version", ec);
}

// Waits until the router's acknowledgement equals want() (read again at
// each wake-up), at most timeout_ms.
Status AwaitAck(const std::string& data_dir, const std::string& sandbox,
                const std::function<std::string()>& want, int timeout_ms, int* waited_ms);

}  // namespace

ContainerSpec RouterContainerSpec(const std::string& sandbox, const std::string& image,
                                  const std::vector<std::string>& held,
                                  const std::string& routes_dir, const std::string& state_dir,
                                  const std::string& data_label, const std::string& user,
                                  const std::string& ca_file, const RouterGateway& gateway) {
  ContainerSpec spec;
  spec.name = RouterContainerName(sandbox);
  spec.image = image;
  spec.cmd = {"--ack", kRouterAckFile};
  spec.labels = {{kLabelManaged, "true"},
                 {kLabelSandbox, sandbox},
                 {kLabelData, data_label},
                 {kLabelRole, "router"},
                 {kLabelRouterNames, Joined(held)},
                 {kLabelRouterCa, ca_file},
                 {kLabelRouterMain, MainLabel(gateway)}};
  if (!gateway.service.empty()) {
    // The sandbox's main URL: the router answers it as the gateway service.
    spec.host_port = gateway.host_port;
    spec.container_port = gateway.port;
  }
  spec.network = NetworkName(sandbox);
  spec.aliases = held;
  spec.binds = {routes_dir + ":/etc/sandbot:ro", state_dir + ":/run/sandbot"};
  if (!ca_file.empty()) {
    // Trusted for https:// upstreams besides the image's system bundle.
    spec.binds.push_back(ca_file + ":" + kRouterCaFile + ":ro");
    spec.cmd.insert(spec.cmd.end(), {"--ca", kRouterCaFile});
  }
  spec.user = user;
  spec.memory_bytes = kRouterMemoryBytes;
  return spec;
}

Status EnsureSandboxRouter(ContainerRuntime* runtime, const std::string& data_dir,
                           const std::string& data_label, const std::string& sandbox,
                           const std::vector<std::string>& held, const std::string& ca_file,
                           const RouterGateway& gateway) {
  std::lock_guard<std::mutex> one_at_a_time(SandboxRouterLock(sandbox));
  std::vector<ContainerInfo> found;
  Status s = runtime->ListContainers({{kLabelManaged, "true"},
                                      {kLabelSandbox, sandbox},
                                      {kLabelData, data_label},
                                      {kLabelRole, "router"}},
                                     &found);
  if (!s.ok()) return s;
  std::string image;
  {
    std::lock_guard<std::mutex> lock(image_mu);
    s = BuildRouterImage(runtime, /*rebuild=*/false, &router_tag, [](const std::string&) {});
    if (!s.ok()) return Status::Unavailable("cannot build the router image: " + s.message());
    image = router_tag;
  }
  std::string ca;
  if (!ca_file.empty()) {
    std::error_code ec;
    ca = fs::absolute(ca_file, ec).string();
    if (ec || !fs::is_regular_file(ca, ec)) {
      return Status::Unavailable("the router CA file " + ca_file + " is not a file");
    }
  }
  for (const ContainerInfo& c : found) {
    auto names = c.labels.find(kLabelRouterNames);
    auto has_ca = c.labels.find(kLabelRouterCa);
    auto main = c.labels.find(kLabelRouterMain);
    const bool same =
        names != c.labels.end() && names->second == Joined(held) &&
        (has_ca == c.labels.end() ? ca.empty() : has_ca->second == ca) &&
        (main == c.labels.end() ? gateway.service.empty() : main->second == MainLabel(gateway));
    if (same && c.state == "running") return Status::Ok();
    // Stopped or killed: its table is mounted. The acknowledgement it left
    // goes first, so no one takes it for the new process's.
    if (same) {
      ForgetAck(data_dir, sandbox);
      return runtime->StartContainer(c.id);
    }
    s = runtime->RemoveContainer(c.id);
    if (!s.ok()) return s;
  }
  // The router runs as nobody, or as the daemon's own user when that is not
  // root; it writes only its state folder, which it owns.
  const std::string state_dir = fs::absolute(RouterStateDir(data_dir, sandbox)).string();
  std::error_code ec;
  fs::create_directories(state_dir, ec);
  std::string user = std::to_string(getuid()) + ":" + std::to_string(getgid());
  if (getuid() == 0) {
    user = "65534:65534";
    if (chown(state_dir.c_str(), 65534, 65534) != 0) {
      return Status::Unavailable("cannot hand " + state_dir + " to the router");
    }
  }
  ForgetAck(data_dir, sandbox);
  ContainerSpec spec =
      RouterContainerSpec(sandbox, image, held, fs::absolute(RoutesDir(data_dir, sandbox)).string(),
                          state_dir, data_label, user, ca, gateway);
  std::string id;
  s = runtime->CreateContainer(spec, &id);
  if (s.ok()) s = runtime->StartContainer(id);
  return s;
}

Status AwaitRouterTable(const std::string& data_dir, const std::string& sandbox,
                        const std::string& version, int timeout_ms, int* waited_ms) {
  return AwaitAck(
      data_dir, sandbox, [&version] { return version; }, timeout_ms, waited_ms);
}

Status AwaitRouterCurrentTable(const std::string& data_dir, const std::string& sandbox,
                               int timeout_ms, int* waited_ms) {
  const std::string table = RoutesDir(data_dir, sandbox) + "/routes.json";
  return AwaitAck(
      data_dir, sandbox, [&table] { return RouterTableVersion(FileText(table)); }, timeout_ms,
      waited_ms);
}

namespace {

Status AwaitAck(const std::string& data_dir, const std::string& sandbox,
                const std::function<std::string()>& want, int timeout_ms, int* waited_ms) {
  const std::string dir = RouterStateDir(data_dir, sandbox);
  const std::string file = dir + "/table-version";
  // Woken by the router renaming its acknowledgement into the folder; each
  // wait is bounded (kWakeMs) so a missed event costs at most that, and
  // without inotify (no watch left, a filesystem without events) it polls.
  constexpr int kWakeMs = 50;
  constexpr int kPollMs = 2;
  struct Watch {
    int fd = -1;
    ~Watch() {
      if (fd >= 0) close(fd);
    }
  } watch;
  watch.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (watch.fd >= 0 &&
      inotify_add_watch(watch.fd, dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE) < 0) {
    close(watch.fd);
    watch.fd = -1;
  }
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    std::ifstream in(file);
    std::string have;
    in >> have;
    *waited_ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - start)
                                      .count());
    const std::string version = want();
    if (have == version) return Status::Ok();
    if (*waited_ms >= timeout_ms) {
      return Status::Unavailable("the router of " + sandbox + " did not take table " + version +
                                 " within " + std::to_string(timeout_ms) + " ms (it uses " +
                                 (have.empty() ? "none" : have) + ")");
    }
    if (watch.fd < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
      continue;
    }
    pollfd p{watch.fd, POLLIN, 0};
    if (poll(&p, 1, std::min(kWakeMs, timeout_ms - *waited_ms)) > 0) {
      char events[4096];
      while (read(watch.fd, events, sizeof events) > 0) {
      }
    }
  }
}

}  // namespace

}  // namespace sandbot
