#include "bot/operator_limits.h"

namespace sandbot {

OperatorLimits OperatorLimitsOf(const Config& config) {
  OperatorLimits limits;
  limits.global = {config.memory_mb, config.cpus};
  for (const auto& [service, limit] : config.limits) {
    limits.services[service] = {limit.memory_mb, limit.cpus};
  }
  return limits;
}

}  // namespace sandbot
