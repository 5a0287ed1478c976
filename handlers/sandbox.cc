#include "handlers/sandbox.h"

#include "store/jobs.h"

namespace sandbot {

using nlohmann::json;

json SandboxJson(const Sandbox& b) {
  json services = json::array();
  for (const Service& s : b.services) {
    services.push_back({{"name", s.name},
                        {"repo", s.repo},
                        {"branch", s.branch},
                        {"commit", s.commit},
                        {"status", s.status},
                        {"url", s.url},
                        {"route", s.route},
                        {"port", s.host_port},
                        {"detail", s.detail}});
  }
  return {{"name", b.name},
          {"state", b.state},
          {"created_by", b.created_by},
          {"origin", {{"repo", b.origin_repo}, {"branch", b.origin_branch}}},
          {"services", services}};
}

json AuditJson(const AuditRow& r) {
  return {{"id", r.id},         {"time", r.time},       {"actor", r.actor},  {"source", r.source},
          {"action", r.action}, {"sandbox", r.sandbox}, {"repo", r.repo},    {"branch", r.branch},
          {"commit", r.commit}, {"status", r.status},   {"detail", r.detail}};
}

Status RequestDestroy(Db* db, const std::string& name, const std::string& actor,
                      const std::string& source, int64_t* job_id) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Sandbox sandbox;
  Status s = GetSandbox(db, name, &sandbox);
  if (!s.ok()) return s;
  if (sandbox.state == "destroying") {
    return Status::Conflict("sandbox " + name + " is already being destroyed");
  }
  s = SetSandboxState(db, name, "destroying");
  if (!s.ok()) return s;
  Job job;
  job.kind = "destroy";
  job.sandbox = name;
  job.actor = actor;
  job.source = source;
  s = EnqueueJob(db, &job);
  if (!s.ok()) return s;
  s = tx.Commit();
  if (s.ok()) *job_id = job.id;
  return s;
}

}  // namespace sandbot
