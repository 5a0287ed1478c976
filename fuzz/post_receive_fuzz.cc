// The post-receive hook's stdin (hooks/post_receive.h): "<old> <new> <ref>"
// lines as git writes them, here arbitrary. Every update it accepts passes
// ValidateRefUpdate, and survives the trip to the daemon and the spool
// (hooks/push_wire.h) unchanged, whatever bytes a push option holds.
// fuzz-link: hooks/post_receive.cc hooks/ref_update.cc hooks/push_wire.cc util/status.cc
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/require.h"
#include "hooks/post_receive.h"
#include "hooks/push_wire.h"
#include "hooks/ref_update.h"

using sandbot_fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<sandbot::RefUpdate> updates;
  const sandbot::Status status = sandbot::ParsePostReceive(input, &updates);
  if (!status.ok()) {
    Require(updates.empty() && !status.message().empty());
    return 0;
  }
  for (const sandbot::RefUpdate& u : updates) {
    Require(sandbot::ValidateRefUpdate(u).ok());
    Require(u.is_branch() == (u.ref.rfind("refs/heads/", 0) == 0));
    Require(u.branch().empty() || "refs/heads/" + u.branch() == u.ref);
  }
  sandbot::PushMessage push;
  push.id = "fuzz";
  push.repo = "web";
  push.actor = "ana";
  push.options = {input.substr(0, 16)};  // any bytes: the hook must still send the push
  push.updates = updates;
  sandbot::PushMessage back;
  Require(sandbot::DecodePush(sandbot::EncodePush(push), &back).ok());
  Require(back.repo == push.repo && back.updates.size() == updates.size());
  for (size_t i = 0; i < updates.size(); ++i) {
    Require(back.updates[i].old_sha == updates[i].old_sha &&
            back.updates[i].new_sha == updates[i].new_sha && back.updates[i].ref == updates[i].ref);
  }
  return 0;
}
