// Failpoints: named places in the job path where the fault tests pause the
// daemon so they can kill it at a known moment ("during container
// creation"). Off unless SANDBOT_FAILPOINTS is set, e.g.
//   SANDBOT_FAILPOINTS=container.created=3000,build.started=500
// pauses 3000 ms right after a container is created and 500 ms when a build
// starts. Costs one map lookup when set, nothing otherwise.
#ifndef SANDBOT_BOT_FAILPOINT_H_
#define SANDBOT_BOT_FAILPOINT_H_

#include <map>
#include <string>

namespace sandbot {

// "a=1,b=20" → {a:1, b:20}; malformed entries are skipped.
std::map<std::string, int> ParseFailpoints(const std::string& spec);
// Pauses when `name` is configured in SANDBOT_FAILPOINTS (read once).
void Failpoint(const char* name);

}  // namespace sandbot

#endif  // SANDBOT_BOT_FAILPOINT_H_
