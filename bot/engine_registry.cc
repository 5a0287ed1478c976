#include "bot/engine_registry.h"

#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>

#include "bot/config.h"
#include "bot/forwarding_runtime.h"
#include "bot/swarm_runtime.h"
#include "handlers/limits.h"
#include "store/engines.h"
#include "store/sandboxes.h"
#include "util/engine_names.h"

namespace sandbot {

namespace {

// Every engine as one ContainerRuntime, for handlers and doors (logs, the
// "engine is down" note). A container is asked for on each engine in turn
// (a sandbox's live on one); lists are the union; what creates something
// goes to the default engine, the ForwardingRuntime's inner one (handlers
// create nothing: workers do, through their sandbox's engine).
class RoutedRuntime : public ForwardingRuntime {
 public:
  explicit RoutedRuntime(const std::vector<std::unique_ptr<Engine>>* engines)
      : ForwardingRuntime(engines->front()->runtime.get()), engines_(engines) {}

  Status Ping() override {
    Status last;
    for (const auto& e : *engines_) {
      last = e->runtime->Ping();
      if (last.ok()) return last;
    }
    return last;
  }
  bool Reachable() override {
    for (const auto& e : *engines_) {
      if (e->runtime->Reachable()) return true;
    }
    return false;
  }
  Status RemoveNetwork(const std::string& name) override {
    return Each([&](ContainerRuntime* r) { return r->RemoveNetwork(name); });
  }
  Status ListNetworks(const Labels& labels, std::vector<NetworkInfo>* out) override {
    return Union(out, [&](ContainerRuntime* r, std::vector<NetworkInfo>* part) {
      return r->ListNetworks(labels, part);
    });
  }
  Status StartContainer(const std::string& id) override {
    return Holder(id, [&](ContainerRuntime* r) { return r->StartContainer(id); });
  }
  Status StopContainer(const std::string& id, int timeout_seconds) override {
    return Holder(id, [&](ContainerRuntime* r) { return r->StopContainer(id, timeout_seconds); });
  }
  Status SignalContainer(const std::string& id, const std::string& signal) override {
    return Holder(id, [&](ContainerRuntime* r) { return r->SignalContainer(id, signal); });
  }
  Status RenameContainer(const std::string& id, const std::string& new_name) override {
    return Holder(id, [&](ContainerRuntime* r) { return r->RenameContainer(id, new_name); });
  }
  Status RemoveContainer(const std::string& id) override {
    return Each([&](ContainerRuntime* r) { return r->RemoveContainer(id); });
  }
  Status InspectContainer(const std::string& id, ContainerState* state) override {
    return Holder(id, [&](ContainerRuntime* r) { return r->InspectContainer(id, state); });
  }
  Status WaitContainer(const std::string& id, int timeout_seconds, ContainerState* state) override {
    return Holder(
        id, [&](ContainerRuntime* r) { return r->WaitContainer(id, timeout_seconds, state); });
  }
  Status ContainerLogs(const std::string& id, int tail, std::string* out) override {
    return Holder(id, [&](ContainerRuntime* r) { return r->ContainerLogs(id, tail, out); });
  }
  Status ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) override {
    return Union(out, [&](ContainerRuntime* r, std::vector<ContainerInfo>* part) {
      return r->ListContainers(labels, part);
    });
  }
  Status PutArchive(const std::string& id, const std::string& dir,
                    const std::string& tar_path) override {
    return Holder(id, [&](ContainerRuntime* r) { return r->PutArchive(id, dir, tar_path); });
  }
  Status GetArchive(const std::string& id, const std::string& path,
                    const std::string& tar_path) override {
    return Holder(id, [&](ContainerRuntime* r) { return r->GetArchive(id, path, tar_path); });
  }
  // Volumes are made where containers are: the default engine (seeds live
  // there; EnsureVolume is forwarded); each sandbox's own are made through
  // its engine's runtime.
  Status RemoveVolume(const std::string& name) override {
    return Each([&](ContainerRuntime* r) { return r->RemoveVolume(name); });
  }
  Status ListVolumes(const Labels& labels, std::vector<VolumeInfo>* out) override {
    return Union(out, [&](ContainerRuntime* r, std::vector<VolumeInfo>* part) {
      return r->ListVolumes(labels, part);
    });
  }

 private:
  // On every reachable engine; the first error.
  template <typename Fn>
  Status Each(Fn&& call) {
    Status first;
    for (const auto& e : *engines_) {
      if (!e->runtime->Reachable()) continue;
      Status s = call(e->runtime.get());
      if (first.ok() && !s.ok()) first = s;
    }
    return first;
  }
  // The lists of every reachable engine, one after the other (each
  // runtime's list call replaces what its vector held).
  template <typename Item, typename Fn>
  Status Union(std::vector<Item>* out, Fn&& list) {
    out->clear();
    return Each([&](ContainerRuntime* r) {
      std::vector<Item> part;
      Status s = list(r, &part);
      out->insert(out->end(), part.begin(), part.end());
      return s;
    });
  }
  // On the reachable engine that has container `id` (the default one when
  // none has: its answer says it is absent).
  template <typename Fn>
  Status Holder(const std::string& id, Fn&& call) {
    if (engines_->size() == 1) return call(inner());  // no engine to look for: no inspect
    for (const auto& e : *engines_) {
      if (!e->runtime->Reachable()) continue;
      ContainerState state;
      if (e->runtime->InspectContainer(id, &state).ok() && state.exists) {
        return call(e->runtime.get());
      }
    }
    return call(inner());
  }

  const std::vector<std::unique_ptr<Engine>>* engines_;
};

// The memory limit the deploy step gives a service's container (job_steps:
// ResolveLimits over the service row, the sandbox, the configuration).
int64_t ServiceMemory(const DeployConfig& d, const Sandbox& b, const Service& s) {
  auto configured = d.service_limits.find(s.name);
  return ResolveLimits({s.memory_mb, s.cpus}, {b.memory_mb, b.cpus},
                       configured == d.service_limits.end() ? LimitSource{} : configured->second,
                       {static_cast<int>(d.memory_bytes >> 20), d.nano_cpus / 1e9})
      .memory_bytes;
}

// The engine's memory (GET /info MemTotal); 0 when it does not say.
int64_t AskMemTotal(DockerRuntime* docker) {
  DockerCall call;
  call.path = "/info";
  nlohmann::json info;
  if (!docker->GetJson(std::move(call), "cannot read the engine's /info", {200}, &info).ok()) {
    return 0;
  }
  auto it = info.find("MemTotal");
  return it != info.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// An engine's "A-B" range over the daemon's, when it names one.
void RangeOr(const std::string& text, const std::string& what, int* lo, int* hi) {
  if (text.empty()) return;
  int a = 0, b = 0;
  Status s = ParsePortRange(text, &a, &b);
  if (!s.ok()) {
    // Validated at start (Daemon::UseEngines); kept as the daemon's here.
    spdlog::error("{}: {}", what, s.message());
    return;
  }
  *lo = a;
  *hi = b;
}

}  // namespace

Status ChooseEngine(const std::vector<EngineRoom>& rooms, std::string* chosen, int64_t need) {
  std::vector<const EngineRoom*> open;
  std::string passed;
  bool limits = need > 0, memory_known = true;
  for (const EngineRoom& r : rooms) {
    if (r.drained || !r.reachable) {
      passed += (passed.empty() ? "" : ", ") + r.name + (r.drained ? " is drained" : " is down");
      continue;
    }
    open.push_back(&r);
    limits |= r.memory_limits > 0;
    memory_known &= r.memory_total > 0;
  }
  const bool by_memory = limits && memory_known;
  const EngineRoom* best = nullptr;
  for (const EngineRoom* r : open) {
    if (best == nullptr) {
      best = r;
      continue;
    }
    if (by_memory) {
      const int64_t room = r->memory_total - r->memory_limits;
      const int64_t best_room = best->memory_total - best->memory_limits;
      if (room > best_room || (room == best_room && r->load < best->load)) best = r;
    } else if (r->load < best->load) {
      best = r;
    }
  }
  if (best == nullptr) {
    return Status::Unavailable("no engine takes new sandboxes now (" + passed +
                               "); it is placed when one does");
  }
  *chosen = best->name;
  return Status::Ok();
}

EngineRegistry::EngineRegistry(Db* db, const std::vector<EngineSpec>& specs,
                               const DeployConfig& base, const JobEventFn& on_event,
                               const std::string& data_dir)
    : db_(db) {
  for (const EngineSpec& spec : specs) {
    auto e = std::make_unique<Engine>();
    e->spec = spec;
    e->is_default = engines_.empty();
    e->deploy = base;
    if (!spec.public_host.empty()) e->deploy.public_host = spec.public_host;
    // A remote engine's URLs name its host: its ports must answer there.
    if (!spec.public_host.empty() && !IsLoopbackHost(spec.public_host)) {
      e->deploy.publish_ip = "0.0.0.0";
    }
    RangeOr(spec.ports, "engine '" + spec.name + "' ports", &e->deploy.port_lo, &e->deploy.port_hi);
    RangeOr(spec.gateway_ports, "engine '" + spec.name + "' gateway_ports", &e->deploy.gateway_lo,
            &e->deploy.gateway_hi);
    if (spec.swarm) {
      // A Swarm manager: its sandboxes become services (bot/swarm_runtime.h).
      // No sandbox router there: a service's name on the overlay network is
      // its Swarm VIP, which one more service (pinned to the manager, its
      // folders bind-mounted) could not hold as reliably; route changes
      // update the services (the recreate path) and say so.
      e->deploy.router = false;
      e->deploy.routers_here = false;
      SwarmPublish publish = SwarmPublish::kIngress;
      if (!spec.swarm_publish.empty()) ParseSwarmPublish(spec.swarm_publish, &publish);
      auto swarm = std::make_unique<SwarmRuntime>(spec.url, spec.Tls(), publish);
      e->docker = swarm->docker();
      e->inner = std::move(swarm);
    } else {
      auto docker = std::make_unique<DockerRuntime>(spec.url, spec.Tls());
      e->docker = docker.get();
      e->inner = std::move(docker);
    }
    // Volumes are copied from the engine that holds them: the one a moved
    // sandbox left, a clone's source's, the default one's seeds.
    e->deploy.seeds_engine = engines_.empty() ? spec.name : Default()->spec.name;
    e->deploy.engine_runtime = [this](const std::string& name) -> ContainerRuntime* {
      Engine* other = Find(name);
      return other == nullptr ? nullptr : other->runtime.get();
    };
    e->breaker = std::make_unique<EngineBreaker>(3);
    e->runtime = std::make_unique<GuardedRuntime>(
        e->inner.get(), e->breaker.get(),
        std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(250),
                                               std::chrono::milliseconds(1000),
                                               std::chrono::milliseconds(2000)});
    e->deployer = std::make_unique<Deployer>(db, e->runtime.get(), e->deploy, on_event);
    e->reconciler = std::make_unique<Reconciler>(db, e->runtime.get(), data_dir);
    e->health = std::make_unique<HealthMonitor>(
        db, e->runtime.get(), std::chrono::milliseconds(2000),
        e->deploy.routers_here ? DataLabel(data_dir) : std::string());
    e->health->set_probe_host(ProbeHost(e->deploy));
    if (specs.size() > 1) {
      Engine* self = e.get();
      auto owns = [self](const std::string& engine) { return self->Owns(engine); };
      e->reconciler->set_scope(owns);
      e->health->set_scope(owns);
    }
    engines_.push_back(std::move(e));
  }
  routed_ = std::make_unique<RoutedRuntime>(&engines_);
}

Engine* EngineRegistry::Find(const std::string& name) const {
  for (const auto& e : engines_) {
    if (e->spec.name == name) return e.get();
  }
  return nullptr;
}

Status EngineRegistry::Place(const std::string& sandbox, std::string* engine) {
  MutexLock lock(&mu_);
  Status s = GetSandboxEngine(db_, sandbox, engine);
  if (!s.ok() || !engine->empty()) return s;
  if (engines_.size() == 1) {
    bool placed = false;
    *engine = Default()->spec.name;
    return PlaceSandbox(db_, sandbox, *engine, &placed);
  }
  std::map<std::string, int> loads;
  std::set<std::string> drained;
  std::vector<Sandbox> all;
  s = CountEngineServices(db_, &loads);
  if (s.ok()) s = ListDrainedEngines(db_, &drained);
  if (s.ok()) s = ListSandboxes(db_, &all);
  if (!s.ok()) return s;
  // The memory limits of each engine's services, and the new sandbox's own.
  std::map<std::string, int64_t> limits;
  int64_t need = 0;
  bool any_limit = false;
  for (const Sandbox& b : all) {
    if (b.state == "destroying") continue;
    for (const Service& svc : b.services) {
      const int64_t m = ServiceMemory(Default()->deploy, b, svc);
      if (b.name == sandbox) need += m;
      any_limit |= m > 0;
      limits[b.engine] += m;  // unplaced ones ("") count nowhere yet
    }
  }
  std::vector<EngineRoom> rooms;
  for (const auto& e : engines_) {
    EngineRoom r;
    r.name = e->spec.name;
    r.reachable = e->runtime->Reachable();
    r.drained = drained.count(r.name) > 0;
    r.load = loads[r.name];  // unplaced ones ("") count nowhere yet
    r.memory_limits = limits[r.name];
    // Asked once per engine, and only when limits make it count.
    if (r.reachable && e->memory_total == 0 && e->docker != nullptr && any_limit) {
      e->memory_total = AskMemTotal(e->docker);
    }
    r.memory_total = e->memory_total;
    rooms.push_back(r);
  }
  std::string chosen;
  s = ChooseEngine(rooms, &chosen, need);
  if (!s.ok()) return s;
  bool placed = false;
  s = PlaceSandbox(db_, sandbox, chosen, &placed);
  if (!s.ok()) return s;
  if (!placed) return GetSandboxEngine(db_, sandbox, engine);
  spdlog::info("sandbox {} placed on engine {}", sandbox, chosen);
  *engine = chosen;
  return Status::Ok();
}

Status EngineRegistry::ForSandbox(const std::string& sandbox, Engine** engine) {
  std::string name;
  Status s = GetSandboxEngine(db_, sandbox, &name);
  if (s.IsNotFound()) {
    *engine = Default();
    return Status::Ok();
  }
  if (s.ok() && name.empty()) s = Place(sandbox, &name);
  if (!s.ok()) return s;
  *engine = Find(name);
  if (*engine == nullptr) {
    return Status::NotFound("sandbox " + sandbox + " lives on engine '" + name +
                            "', which is not configured (--engine " + name +
                            "=URL, or sandbot sandbox move " + sandbox + " --to ENGINE)");
  }
  return Status::Ok();
}

std::vector<std::string> EngineRegistry::Waiting() const {
  std::vector<std::string> out;
  for (const auto& e : engines_) {
    // Unplaced sandboxes ("") wait for none: they go where there is room.
    if (e->breaker->open()) out.push_back(e->spec.name);
  }
  return out;
}

bool EngineRegistry::AnyReachable() const {
  for (const auto& e : engines_) {
    if (!e->breaker->open()) return true;
  }
  return false;
}

}  // namespace sandbot
