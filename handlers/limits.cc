#include "handlers/limits.h"

#include <cmath>
#include <initializer_list>
#include <iomanip>
#include <sstream>

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

namespace {

// 1048576, 0.5: as people typed them.
std::string Number(double value) {
  std::ostringstream out;
  out << std::setprecision(12) << value;
  return out.str();
}

// The lowest of the operator's limits that `wanted` is above, and where it
// is set; false when there is none.
template <typename Get>
bool LowestCrossed(double wanted, const OperatorLimits& limits, Get get, double* ceiling,
                   std::string* where) {
  bool crossed = false;
  auto consider = [&](double limit, const std::string& place) {
    if (limit > 0 && wanted > limit && (!crossed || limit < *ceiling)) {
      crossed = true;
      *ceiling = limit;
      *where = place;
    }
  };
  consider(get(limits.global), "");
  for (const auto& [service, limit] : limits.services) consider(get(limit), service);
  return crossed;
}

}  // namespace

Status CheckOperatorCeilings(const LimitSource& wanted, const OperatorLimits& limits,
                             const std::string& whose) {
  double ceiling = 0;
  std::string where;
  auto above = [&](const char* flag, double value, const char* unit) {
    return Status::Forbidden(whose + flag + " " + Number(value) +
                             " is above the operator's limit of " + Number(ceiling) + unit +
                             (where.empty()
                                  ? std::string(" per container (`sandbot serve ") + flag + "`)"
                                  : " for " + where + " (the configuration's \"limits\")") +
                             "; going above it needs the admin role");
  };
  const auto memory = [](const LimitSource& l) { return static_cast<double>(l.memory_mb); };
  const auto cpus = [](const LimitSource& l) { return l.cpus; };
  if (LowestCrossed(memory(wanted), limits, memory, &ceiling, &where)) {
    return above("--memory", memory(wanted), " MB");
  }
  if (LowestCrossed(wanted.cpus, limits, cpus, &ceiling, &where)) {
    return above("--cpus", wanted.cpus, " CPUs");
  }
  return Status::Ok();
}

}  // namespace sandbot
