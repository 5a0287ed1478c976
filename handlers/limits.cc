#include "handlers/limits.h"

#include <cmath>
#include <initializer_list>

namespace sandbot {

ContainerLimits ResolveLimits(const LimitSource& service, const LimitSource& sandbox,
                              const LimitSource& configured_service, const LimitSource& global) {
  ContainerLimits out;
  for (const LimitSource* s : {&service, &sandbox, &configured_service, &global}) {
    if (out.memory_bytes == 0 && s->memory_mb > 0) {
      out.memory_bytes = static_cast<int64_t>(s->memory_mb) * 1024 * 1024;
    }
    if (out.nano_cpus == 0 && s->cpus > 0) {
      out.nano_cpus = static_cast<int64_t>(std::llround(s->cpus * 1e9));
    }
  }
  return out;
}

}  // namespace sandbot
