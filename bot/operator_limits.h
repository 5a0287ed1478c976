// The operator's container limits of a configuration, as the handlers check
// them (handlers/limits.h: ceilings of what deployers may ask for).
#ifndef SANDBOT_BOT_OPERATOR_LIMITS_H_
#define SANDBOT_BOT_OPERATOR_LIMITS_H_

#include "bot/config.h"
#include "handlers/limits.h"

namespace sandbot {

// `serve --memory/--cpus` and the configuration's per-service "limits".
OperatorLimits OperatorLimitsOf(const Config& config);

}  // namespace sandbot

#endif  // SANDBOT_BOT_OPERATOR_LIMITS_H_
