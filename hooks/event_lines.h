// How a job event reads as text: the `remote: sandbot: …` lines the git hook
// prints while a push deploys (and `sandbot deploy --wait` prints), and the
// daemon's job log. Built from the event's fields, one place for every stage.
#ifndef SANDBOT_HOOKS_EVENT_LINES_H_
#define SANDBOT_HOOKS_EVENT_LINES_H_

#include <string>

#include "util/job_event.h"

namespace sandbot {

// The text of `event`: one line, or several for a log tail; "" when the
// stage shows nothing (queued, and succeeded: the "running" line said it).
// Pure.
std::string EventLine(const JobEvent& event);

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_EVENT_LINES_H_
