// What the harnesses in fuzz/ share: a property that must hold, checked in
// every build (an abort is a finding libFuzzer saves and reports).
#ifndef SANDBOT_FUZZ_REQUIRE_H_
#define SANDBOT_FUZZ_REQUIRE_H_

#include <cstdlib>

namespace sandbot_fuzz {

inline void Require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace sandbot_fuzz

#endif  // SANDBOT_FUZZ_REQUIRE_H_
