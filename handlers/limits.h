// Container limits: which CPU and memory limit a service's container gets
// when several places set one, and the operator's limits as ceilings. Pure,
// so the precedence and the ceilings are tested on their own.
#ifndef SANDBOT_HANDLERS_LIMITS_H_
#define SANDBOT_HANDLERS_LIMITS_H_

#include <cstdint>
#include <map>
#include <string>

#include "util/status.h"

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

// The limits the operator set: `sandbot serve --memory/--cpus` (or the
// configuration's) and the configuration's per-service "limits".
struct OperatorLimits {
  LimitSource global;
  std::map<std::string, LimitSource> services;
};

// The operator's limits are ceilings: a sandbox's own limits (`wanted`,
// which apply to every container of the sandbox, whichever services it
// gets later) may go up to the lowest limit the operator set, not above.
// Ok when within every one (or none is set); otherwise Forbidden naming the
// lowest ceiling crossed, where it is set, and that going above it needs
// the admin role. `whose` starts the message ("" or "sandbox qa's ").
Status CheckOperatorCeilings(const LimitSource& wanted, const OperatorLimits& limits,
                             const std::string& whose);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_LIMITS_H_
