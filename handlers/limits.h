// Container limits: which CPU and memory limit a service's container gets
// when several places set one. Pure, so the precedence is tested on its own.
#ifndef SANDBOT_HANDLERS_LIMITS_H_
#define SANDBOT_HANDLERS_LIMITS_H_

#include <cstdint>

namespace sandbot {

// One place's limits; 0 means "not set here".
struct LimitSource {
  int memory_mb = 0;
  double cpus = 0;
};

// What the Engine API takes (HostConfig.Memory, HostConfig.NanoCpus); 0: none.
struct ContainerLimits {
  int64_t memory_bytes = 0;
  int64_t nano_cpus = 0;
};

// Each limit independently from the first place that sets it: the service
// row, then the sandbox (`/sandbox create … --memory/--cpus`), then the
// configuration's per-service "limits", then the global --memory/--cpus.
ContainerLimits ResolveLimits(const LimitSource& service, const LimitSource& sandbox,
                              const LimitSource& configured_service, const LimitSource& global);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_LIMITS_H_
