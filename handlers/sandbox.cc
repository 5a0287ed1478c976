#include "handlers/sandbox.h"

#include "handlers/health.h"
#include "store/jobs.h"

namespace sandbot {

using nlohmann::json;

std::string MainUrl(const Sandbox& b) {
  if (b.gateway.empty()) return "";
  for (const Service& s : b.services) {
    if (s.name == b.gateway) return s.url;
  }
  return "";
}

json SandboxJson(const Sandbox& b) {
  json services = json::array();
  for (const Service& s : b.services) {
    const ServiceHealth health = ServiceHealthOf(s);
    services.push_back({{"name", s.name},
                        {"health", HealthName(health.health)},
                        {"health_detail", health.reason},
                        {"restarts", s.restarts},
                        {"repo", s.repo},
                        {"branch", s.branch},
                        {"commit", s.commit},
                        {"status", ServiceStatusName(s.status)},
                        {"url", s.url},
                        {"route", s.route},
                        {"port", s.host_port},
                        {"detail", s.detail}});
  }
  return {{"name", b.name},
          {"state", b.state},
          {"health", HealthName(SandboxHealthOf(b))},
          {"router_health", RouterHealthOf(b).reason},
          {"main_url", MainUrl(b)},
          {"engine", b.engine},
          {"gateway", b.gateway},
          {"memory_mb", b.memory_mb},
          {"cpus", b.cpus},
          {"created_by", b.created_by},
          {"origin", {{"repo", b.origin_repo}, {"branch", b.origin_branch}}},
          {"lock", b.locked_by.empty()
                       ? json(nullptr)
                       : json{{"by", b.locked_by}, {"at", b.locked_at}, {"reason", b.lock_reason}}},
          {"suspended_at", b.suspended_at},
          {"last_active_at", b.last_active_at},
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
  job.kind = JobKind::kDestroy;
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
