// EngineRegistry: the engines the daemon drives, each with what is its own:
// a DockerRuntime behind its own EngineBreaker (a GuardedRuntime), a
// Deployer with its public host and port ranges, a Reconciler and a
// HealthMonitor scoped to the sandboxes that live there. A sandbox lives on
// one engine (store/engines.h); a new one is placed at its first job on
// the engine with the most room (ChooseEngine), unless it was created with
// --engine NAME. Handlers see only ContainerRuntime: routed() finds a
// sandbox's containers on whichever engine holds them.
//
// Thread-safety: Place is serialised by a mutex (a sandbox is placed once,
// and twenty placed at once spread); the rest reads what the constructor
// built, plus thread-safe breakers.
#ifndef SANDBOT_BOT_ENGINE_REGISTRY_H_
#define SANDBOT_BOT_ENGINE_REGISTRY_H_

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bot/deployer.h"
#include "bot/docker_runtime.h"
#include "bot/engine_breaker.h"
#include "bot/engine_config.h"
#include "bot/guarded_runtime.h"
#include "bot/health_monitor.h"
#include "bot/reconciler.h"
#include "handlers/runtime.h"
#include "store/db.h"
#include "util/mutex.h"
#include "util/thread_annotations.h"

namespace sandbot {

// One engine and everything that is its own.
struct Engine {
  EngineSpec spec;
  bool is_default = false;  // the first configured: sandboxes from before engines were named
  DeployConfig deploy;      // its public host and port ranges
  std::unique_ptr<ContainerRuntime> inner;  // DockerRuntime, or SwarmRuntime (spec.swarm)
  DockerRuntime* docker = nullptr;          // the engine itself, asked directly
  std::unique_ptr<EngineBreaker> breaker;
  std::unique_ptr<GuardedRuntime> runtime;
  std::unique_ptr<Deployer> deployer;
  std::unique_ptr<Reconciler> reconciler;
  std::unique_ptr<HealthMonitor> health;
  // MemTotal from its /info, asked at the first placement that weighs
  // memory (EngineRegistry::Place, under its mutex); 0: not known yet.
  int64_t memory_total = 0;
  // The maintenance loop's (one thread): reconcile when it comes back.
  bool was_open = false;
  std::chrono::steady_clock::time_point next_reconcile{};

  // A sandbox whose store column says `engine` lives here.
  bool Owns(const std::string& engine) const {
    return engine == spec.name || (engine.empty() && is_default);
  }
};

// What placement weighs of one engine.
struct EngineRoom {
  std::string name;
  bool reachable = true;
  bool drained = false;
  int load = 0;               // service rows of its sandboxes (containers it runs or will)
  int64_t memory_total = 0;   // bytes: the engine's MemTotal (GET /info); 0: unknown
  int64_t memory_limits = 0;  // bytes: the memory limits of its sandboxes' services, summed
};

// The engine a new sandbox goes to, among the reachable, undrained ones.
// By memory when limits are set (any engine's services have one, or the new
// sandbox's `need` is above 0) and every candidate's memory is known: the
// most room, memory_total - memory_limits. Otherwise (no limits anywhere,
// or an engine whose memory is unknown) by count: the least load. Ties go
// to the least load, then the first configured. Unavailable, saying why
// each was passed over, when none takes it.
Status ChooseEngine(const std::vector<EngineRoom>& rooms, std::string* chosen, int64_t need = 0);

class EngineRegistry {
 public:
  // `base`: the daemon's deploy settings; each engine's own public host and
  // port ranges (EngineSpec) replace them. `settle_ms`: the reconciler's.
  EngineRegistry(Db* db, const std::vector<EngineSpec>& specs, const DeployConfig& base,
                 const JobEventFn& on_event, const std::string& data_dir);
  EngineRegistry(const EngineRegistry&) = delete;
  EngineRegistry& operator=(const EngineRegistry&) = delete;

  const std::vector<std::unique_ptr<Engine>>& engines() const { return engines_; }
  Engine* Default() const { return engines_.front().get(); }
  Engine* Find(const std::string& name) const;  // null when not configured
  // The engine sandbox `sandbox` lives on; a sandbox not placed yet is
  // placed first (Place). A job of a sandbox the store no longer has runs
  // on the default engine. NotFound for an engine no longer configured.
  Status ForSandbox(const std::string& sandbox, Engine** engine) EXCLUDES(mu_);
  // Places an unplaced sandbox (ChooseEngine over the store's loads and
  // the services' memory limits against each engine's memory);
  // *engine is where it lives, whoever placed it.
  Status Place(const std::string& sandbox, std::string* engine) EXCLUDES(mu_);
  // Engines whose breaker is open.
  std::vector<std::string> Waiting() const;
  bool AnyReachable() const;
  // For handlers and doors: a ContainerRuntime over every engine.
  ContainerRuntime* routed() const { return routed_.get(); }

 private:
  Db* db_;
  std::vector<std::unique_ptr<Engine>> engines_;
  std::unique_ptr<ContainerRuntime> routed_;
  Mutex mu_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_ENGINE_REGISTRY_H_
