// A push as the daemon's /v1/push and the spool read it (hooks/push_wire.h),
// here arbitrary JSON: no crash, every update of a decoded push passes
// ValidateRefUpdate, and encoding it again decodes to the same push.
// fuzz-link: hooks/ref_update.cc hooks/push_wire.cc util/status.cc
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/require.h"
#include "hooks/push_wire.h"
#include "hooks/ref_update.h"

using sandbot_fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  sandbot::PushMessage push;
  if (!sandbot::DecodePush(body, &push).ok()) return 0;
  Require(push.id.size() <= 100);
  for (const sandbot::RefUpdate& u : push.updates) Require(sandbot::ValidateRefUpdate(u).ok());
  sandbot::PushMessage back;
  Require(sandbot::DecodePush(sandbot::EncodePush(push), &back).ok());
  Require(back.id == push.id && back.repo == push.repo && back.actor == push.actor &&
          back.options == push.options && back.updates.size() == push.updates.size());
  return 0;
}
