#include "bot/reroute_job.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "bot/sandbox_router.h"
#include "bot/secret_files.h"
#include "handlers/compose_plan.h"

namespace sandbot {

namespace {

// Containers a reroute recreates at the same time.
constexpr size_t kParallelStarts = 8;

struct Restart {
  const Service* service;
  Repo repo;
  std::string workdir;
  std::vector<std::string> after;  // services it depends on (a compose file's depends_on)
  bool one_shot = false;           // a compose file's job that completed: left as it is
};

// The restarts in waves: each holds those whose dependencies among the
// restarts are in earlier waves (all in one wave without compose files).
// A cycle cannot pass a compose file's checks; were one here, its services
// would go in a last wave together rather than never.
std::vector<std::vector<size_t>> RerouteWaves(const std::vector<Restart>& restarts) {
  std::set<std::string> pending;
  for (const Restart& r : restarts) pending.insert(r.service->name);
  std::vector<std::vector<size_t>> waves;
  std::vector<bool> placed(restarts.size());
  for (size_t left = restarts.size(); left > 0;) {
    std::vector<size_t> wave;
    for (size_t i = 0; i < restarts.size(); ++i) {
      if (placed[i]) continue;
      bool ready = true;
      for (const std::string& dep : restarts[i].after) ready = ready && !pending.count(dep);
      if (ready) wave.push_back(i);
    }
    if (wave.empty()) {
      for (size_t i = 0; i < restarts.size(); ++i) {
        if (!placed[i]) wave.push_back(i);
      }
    }
    for (size_t i : wave) {
      placed[i] = true;
      pending.erase(restarts[i].service->name);
    }
    left -= wave.size();
    waves.push_back(std::move(wave));
  }
  return waves;
}

// Recreates restarts[i] for each i of `wave` at once (at most
// kParallelStarts); the first failure, once all are done.
Status RecreateAtOnce(JobSteps* steps, const Job& job, const std::vector<Restart>& restarts,
                      const std::vector<size_t>& wave) {
  std::vector<Status> results(wave.size());
  std::atomic<size_t> next{0};
  auto start_next = [&] {
    for (size_t k = next++; k < wave.size(); k = next++) {
      const Restart& r = restarts[wave[k]];
      if (r.one_shot) continue;
      std::string container_id;
      results[k] = steps->StartService(job, r.repo, *r.service, r.service->commit, r.service->image,
                                       r.workdir, &container_id);
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 1; t < std::min(wave.size(), kParallelStarts); ++t) {
    threads.emplace_back(start_next);
  }
  start_next();
  for (std::thread& t : threads) t.join();
  for (const Status& r : results) {
    if (!r.ok()) return r;
  }
  return Status::Ok();
}

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
  std::vector<Restart> restarts;
  for (const Service& service : sandbox.services) {
    if (service.image.empty() || service.commit.empty()) continue;  // never deployed
    Restart r{&service, Repo(), "", {}, false};
    s = GetRepo(db, service.repo, &r.repo);
    if (!s.ok()) return s;
    if (!r.repo.image.empty() && service.image == r.repo.image) {
      r.workdir = CheckoutDir(config.data_dir, job.sandbox, r.repo.name, service.commit);
    }
    // A compose service waits for what its file says it depends on; a
    // one-shot job (a migration) ran once and is not run again for a route.
    std::shared_ptr<const ComposeCommit> compose;
    const ComposeService* declared = nullptr;
    if (steps->ComposeOf(r.repo, service.commit, job.sandbox, service.branch, &compose).ok() &&
        compose) {
      declared = compose->project.Find(service.name);
    }
    if (declared != nullptr) {
      // (It stays in the order: what waits for it waits for its own
      // dependencies through it.)
      r.one_shot = ReadinessOf(compose->project, service.name, compose->enabled) ==
                   ComposeReadiness::kCompleted;
      if (r.one_shot) {
        steps->AppendLog(job, service.name + " is a one-shot job: not run again for a route");
      }
      for (const ComposeDependency& d : declared->depends_on) r.after.push_back(d.service);
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
  // Recreated in waves (RerouteWaves): each wave's containers at once, so
  // a route change is applied when the slowest is healthy, not after the
  // sum; a compose service only once what it depends on is ready again.
  for (const std::vector<size_t>& wave : RerouteWaves(restarts)) {
    s = RecreateAtOnce(steps, job, restarts, wave);
    if (!s.ok()) return s;
  }
  const size_t recreated = static_cast<size_t>(std::count_if(
      restarts.begin(), restarts.end(), [](const Restart& r) { return !r.one_shot; }));
  steps->Event(job,
               MessageEvent(JobStage::kRerouted,
                            "routes applied to " + std::to_string(signalled + recreated) +
                                " containers of " + job.sandbox + " (" + std::to_string(signalled) +
                                " signalled, " + std::to_string(recreated) + " recreated)"));
  return Status::Ok();
}

}  // namespace sandbot
