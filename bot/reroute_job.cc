#include "bot/reroute_job.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "bot/sandbox_router.h"
#include "bot/secret_files.h"

namespace sandbot {

namespace {

// Containers a reroute recreates at the same time.
constexpr size_t kParallelStarts = 8;

}  // namespace

Status RunReroute(JobSteps* steps, const Job& job) {
  Db* db = steps->db();
  ContainerRuntime* runtime = steps->runtime();
  const DeployConfig& config = steps->config();
  Sandbox sandbox;
  Status s = GetSandbox(db, job.sandbox, &sandbox);
  if (!s.ok()) return s;
  steps->Event(job,
               MessageEvent(JobStage::kRerouting, "applying routes to sandbox " + job.sandbox));
  // Containers of services no longer in the sandbox (a restore dropped them).
  std::vector<ContainerInfo> containers;
  s = runtime->ListContainers(
      {{kLabelManaged, "true"}, {kLabelSandbox, job.sandbox}, {kLabelData, steps->data_label()}},
      &containers);
  if (!s.ok()) return s;
  for (const ContainerInfo& c : containers) {
    bool known = c.name == RouterContainerName(job.sandbox);
    for (const Service& service : sandbox.services) {
      // A standby (a replacement cut short) is StartService's to settle.
      known = known || c.name == ContainerName(job.sandbox, service.name) ||
              c.name == StandbyContainerName(job.sandbox, service.name);
    }
    if (known) continue;
    s = runtime->RemoveContainer(c.id);
    if (!s.ok()) return s;
    auto service_label = c.labels.find(kLabelService);
    if (service_label != c.labels.end()) {
      RemoveServiceFiles(config.data_dir, job.sandbox, service_label->second);
    }
    steps->Event(job, MessageEvent(JobStage::kRemoved,
                                   "removed " + c.name + " (its service left the sandbox)"));
  }
  // Through the sandbox's router, an HTTP service's new route is a new
  // table: the router takes it, nothing is recreated. The answer waits for
  // the router to say it uses that very table.
  if (steps->UsesRouter(sandbox) && !job.service.empty()) {
    std::vector<std::string> route_env, held;
    std::string routes_dir, version;
    RouterGateway main_url;
    s = steps->RouteEnvFor(job.sandbox, &route_env, &routes_dir, &held, &version, &main_url);
    if (!s.ok()) return s;
    if (std::find(held.begin(), held.end(), job.service) != held.end()) {
      s = EnsureSandboxRouter(runtime, config.data_dir, steps->data_label(), job.sandbox, held,
                              config.router_ca, main_url);
      // The main URL's port still held by an old gateway container: the
      // router goes on without it until the gateway's next deploy.
      if (!s.ok() && !main_url.service.empty()) {
        s = EnsureSandboxRouter(runtime, config.data_dir, steps->data_label(), job.sandbox, held,
                                config.router_ca);
      }
      int waited_ms = 0;
      if (s.ok()) s = AwaitRouterTable(config.data_dir, job.sandbox, version, 5000, &waited_ms);
      if (!s.ok()) return s;
      steps->Event(
          job, MessageEvent(JobStage::kRerouted, "routes applied by the router of " + job.sandbox +
                                                     " in " + std::to_string(waited_ms) +
                                                     " ms (table " + version + "): " + job.service +
                                                     " switched, no container recreated"));
      return Status::Ok();
    }
    steps->AppendLog(job, job.service +
                              " is not held by the router (no health path, or a compose file's "
                              "service: not known to be HTTP): its containers are recreated");
  }
  struct Restart {
    const Service* service;
    Repo repo;
    std::string workdir;
  };
  std::vector<Restart> restarts;
  for (const Service& service : sandbox.services) {
    if (service.image.empty() || service.commit.empty()) continue;  // never deployed
    Restart r{&service, Repo(), ""};
    s = GetRepo(db, service.repo, &r.repo);
    if (!s.ok()) return s;
    if (!r.repo.image.empty() && service.image == r.repo.image) {
      r.workdir = CheckoutDir(config.data_dir, job.sandbox, r.repo.name, service.commit);
    }
    restarts.push_back(std::move(r));
  }
  // A service that declared a reload signal, running this very commit and
  // image with the routes folder mounted, re-reads the rewritten
  // routes.json on the signal: no recreate. Its {SERVICE}_URL variables
  // keep their old values (an environment only changes with a recreate).
  size_t signalled = 0;
  if (!restarts.empty()) {
    std::vector<std::string> route_env;
    std::string routes_dir;
    s = steps->RouteEnvFor(job.sandbox, &route_env, &routes_dir);
    if (!s.ok()) return s;
  }
  for (auto it = restarts.begin(); it != restarts.end();) {
    const std::string& signal = it->repo.reload_signal;
    const std::string name = ContainerName(job.sandbox, it->service->name);
    const ContainerInfo* current = nullptr;
    for (const ContainerInfo& c : containers) {
      if (c.name == name) current = &c;
    }
    auto label = [&](const char* key) {
      auto found = current->labels.find(key);
      return found == current->labels.end() ? std::string() : found->second;
    };
    if (signal.empty() || current == nullptr || current->state != "running" ||
        current->image != it->service->image || label(kLabelCommit) != it->service->commit ||
        label(kLabelRoutes) != "dir") {
      ++it;
      continue;
    }
    s = runtime->SignalContainer(name, signal);
    if (!s.ok()) {
      if (steps->Interrupted(s)) return s;
      // It stopped meanwhile, say: recreating applies the routes all the same.
      steps->AppendLog(job, it->service->name + ": SIG" + signal + " failed (" + s.message() +
                                "); recreating it instead");
      ++it;
      continue;
    }
    steps->Event(job, MessageEvent(JobStage::kReloaded,
                                   it->service->name + " reloaded routes (SIG" + signal + ")"));
    ++signalled;
    it = restarts.erase(it);
  }
  // All containers are recreated at once (at most kParallelStarts): a route
  // change is applied when the slowest one is healthy, not after the sum.
  std::vector<Status> results(restarts.size());
  std::atomic<size_t> next{0};
  auto start_next = [&] {
    for (size_t i = next++; i < restarts.size(); i = next++) {
      const Restart& r = restarts[i];
      std::string container_id;
      results[i] = steps->StartService(job, r.repo, *r.service, r.service->commit, r.service->image,
                                       r.workdir, &container_id);
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < std::min(restarts.size(), kParallelStarts); ++t) {
    threads.emplace_back(start_next);
  }
  start_next();
  for (std::thread& t : threads) t.join();
  for (const Status& r : results) {
    if (!r.ok()) return r;
  }
  const size_t updated = signalled + restarts.size();
  steps->Event(
      job, MessageEvent(JobStage::kRerouted, "routes applied to " + std::to_string(updated) +
                                                 " containers of " + job.sandbox + " (" +
                                                 std::to_string(signalled) + " signalled, " +
                                                 std::to_string(restarts.size()) + " recreated)"));
  return Status::Ok();
}

}  // namespace sandbot
