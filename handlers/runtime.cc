#include "handlers/runtime.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace sandbot {

Status ContainerRuntime::WaitContainer(const std::string& name_or_id, int timeout_seconds,
                                       ContainerState* state) {
  using std::chrono::milliseconds;
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + std::chrono::seconds(std::max(timeout_seconds, 0));
  for (;;) {
    Status s = InspectContainer(name_or_id, state);
    if (!s.ok() || !state->exists || !state->running) return s;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return Status::Ok();
    // Overshoots a short copy by 10 ms and a long one by 5 % at most.
    auto pause = std::chrono::duration_cast<milliseconds>(now - start) / 20;
    pause = std::clamp(pause, milliseconds(10), milliseconds(250));
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
  }
}

}  // namespace sandbot
