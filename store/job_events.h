// Job events: the steps of each job (util/job_event.h), kept in job_events
// as fields, in the order they happened. The git hook and the CLI follow a
// job by reading them through the local API.
#ifndef SANDBOT_STORE_JOB_EVENTS_H_
#define SANDBOT_STORE_JOB_EVENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/job_event.h"
#include "util/status.h"

namespace sandbot {

// Records `event` for event.job_id, stamped with the time now (its id and
// time fields are ignored).
Status AddJobEvent(Db* db, const JobEvent& event);
// A step told wholly by its message.
Status AddJobEvent(Db* db, int64_t job_id, JobStage stage, const std::string& message);
// Events of `job_ids` with id > after_id, oldest first.
Status ListJobEvents(Db* db, const std::vector<int64_t>& job_ids, int64_t after_id,
                     std::vector<JobEvent>* events);

}  // namespace sandbot

#endif  // SANDBOT_STORE_JOB_EVENTS_H_
