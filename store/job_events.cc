#include "store/job_events.h"

namespace sandbot {

Status AddJobEvent(Db* db, const JobEvent& e) {
  Stmt st(db,
          "INSERT INTO job_events(job_id, time, stage, service, commit_sha, url, message) "
          "VALUES(?,?,?,?,?,?,?)");
  st.Bind(1, e.job_id).Bind(2, NowMillis()).Bind(3, JobStageName(e.stage)).Bind(4, e.service);
  st.Bind(5, e.commit).Bind(6, e.url).Bind(7, e.message);
  return st.Run();
}

Status AddJobEvent(Db* db, int64_t job_id, JobStage stage, const std::string& message) {
  JobEvent e = MessageEvent(stage, message);
  e.job_id = job_id;
  return AddJobEvent(db, e);
}

Status ListJobEvents(Db* db, const std::vector<int64_t>& job_ids, int64_t after_id,
                     std::vector<JobEvent>* events) {
  Stmt st(db,
          "SELECT id, job_id, time, stage, service, commit_sha, url, message FROM job_events "
          "WHERE id > ? AND job_id IN (SELECT value FROM json_each(?)) ORDER BY id");
  std::string ids = "[";
  for (size_t i = 0; i < job_ids.size(); ++i) {
    ids += (i ? "," : "") + std::to_string(job_ids[i]);
  }
  ids += "]";
  st.Bind(1, after_id).Bind(2, ids);
  while (st.Step()) {
    JobEvent e;
    e.id = st.Int(0);
    e.job_id = st.Int(1);
    e.time = st.Int(2);
    // Every stored stage was written from a JobStage (a newer schema is
    // refused at open), so a name we do not know is a damaged row.
    const std::string stage = st.Text(3);
    if (!ParseJobStage(stage, &e.stage)) {
      return Status::Internal("job event " + std::to_string(e.id) + " has an unknown stage '" +
                              stage + "'");
    }
    e.service = st.Text(4);
    e.commit = st.Text(5);
    e.url = st.Text(6);
    e.message = st.Text(7);
    events->push_back(std::move(e));
  }
  return st.status();
}

}  // namespace sandbot
