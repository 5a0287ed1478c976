// Failpoints: named places in the job path where the fault tests pause the
// daemon so they can kill it at a known moment ("during container
// creation"). Off unless SANDBOT_FAILPOINTS is set, e.g.
//   SANDBOT_FAILPOINTS=container.created=3000,build.started=500
// pauses 3000 ms right after a container is created and 500 ms when a build
// starts. `name=crash` aborts the daemon there instead, as a job that
// crashes it would (bot/crash_record.h records whose job it was). Costs one
// map lookup when set, nothing otherwise.
#ifndef SANDBOT_BOT_FAILPOINT_H_
#define SANDBOT_BOT_FAILPOINT_H_

#include <map>
#include <string>

namespace sandbot {

// The value of a failpoint that aborts instead of pausing.
constexpr int kFailpointCrash = -1;

// "a=1,b=20,c=crash" → {a:1, b:20, c:kFailpointCrash}; malformed entries
// are skipped.
std::map<std::string, int> ParseFailpoints(const std::string& spec);
// Pauses (or aborts) when `name` is configured in SANDBOT_FAILPOINTS (read
// once).
void Failpoint(const char* name);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FAILPOINT_H_
