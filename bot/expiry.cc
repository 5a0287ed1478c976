#include "bot/expiry.h"

#include <spdlog/spdlog.h>

#include <vector>

#include "store/audit.h"
#include "store/jobs.h"
#include "store/lifecycle.h"
#include "store/sandboxes.h"

namespace sandbot {

std::string DescribeDuration(int64_t seconds) {
  struct Unit {
    int64_t size;
    const char* name;
  };
  for (const Unit& u : {Unit{86400, "day"}, Unit{3600, "hour"}, Unit{60, "minute"}}) {
    if (seconds >= u.size && seconds % u.size == 0) {
      const int64_t n = seconds / u.size;
      return std::to_string(n) + " " + u.name + (n == 1 ? "" : "s");
    }
  }
  return std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
}

Expiry::Expiry(Db* db, ExpiryConfig config, OwnerNotifyFn notify)
    : db_(db), config_(config), notify_(std::move(notify)) {}

Status Expiry::Expire(const std::string& sandbox, const std::string& owner, JobKind kind,
                      const std::string& detail, const std::string& title,
                      const std::string& notice) {
  Transaction tx(db_);
  if (!tx.status().ok()) return tx.status();
  Status s;
  if (kind == JobKind::kSuspend) {
    s = MarkSuspended(db_, sandbox);
  } else {
    s = SetSandboxState(db_, sandbox, "destroying");
  }
  Job job;
  job.kind = kind;
  job.sandbox = sandbox;
  job.actor = "sandbot";
  job.source = "expiry";
  if (s.ok()) s = EnqueueJob(db_, &job);
  AuditRow row{};
  row.actor = "sandbot";
  row.source = "expiry";
  row.action = "sandbox.expire";
  row.sandbox = sandbox;
  row.status = kind == JobKind::kSuspend ? "suspending" : "destroying";
  row.detail = detail + " (job " + std::to_string(job.id) + "); owner " + owner;
  if (s.ok()) s = AppendAudit(db_, row);
  if (s.ok() && !owner.empty()) s = AddNotice(db_, owner, notice);
  if (s.ok()) s = tx.Commit();
  if (!s.ok()) return s;
  spdlog::info("expiry: {}: {}", sandbox, row.detail);
  if (notify_) notify_(sandbox, owner, title, notice);
  return Status::Ok();
}

Status Expiry::RunOnce(int64_t now_ms, ExpiryReport* report) {
  *report = ExpiryReport();
  if (config_.idle_suspend_seconds > 0) {
    std::vector<IdleSandbox> idle;
    Status s = ListIdleSandboxes(db_, now_ms - config_.idle_suspend_seconds * 1000, &idle);
    if (!s.ok()) return s;
    const std::string limit = DescribeDuration(config_.idle_suspend_seconds);
    const std::string keep = config_.retention_seconds > 0
                                 ? "; it is destroyed after " +
                                       DescribeDuration(config_.retention_seconds) +
                                       " suspended unless resumed"
                                 : "";
    for (const IdleSandbox& b : idle) {
      s = Expire(b.name, b.owner, JobKind::kSuspend,
                 "idle for more than " + limit + "; suspending" + keep,
                 "Sandbox " + b.name + " suspended (idle)",
                 "\xF0\x9F\x92\xA4 your sandbox " + b.name + " was idle for more than " + limit +
                     ", so sandbot suspended it (containers stopped, ports and configuration "
                     "kept)" +
                     keep + ". `/sandbox resume " + b.name + "` starts it again.");
      if (!s.ok()) return s;
      ++report->suspended;
    }
  }
  if (config_.retention_seconds > 0) {
    std::vector<IdleSandbox> expired;
    Status s = ListExpiredSuspended(db_, now_ms - config_.retention_seconds * 1000, &expired);
    if (!s.ok()) return s;
    const std::string limit = DescribeDuration(config_.retention_seconds);
    for (const IdleSandbox& b : expired) {
      s = Expire(
          b.name, b.owner, JobKind::kDestroy, "suspended for more than " + limit + "; destroying",
          "Sandbox " + b.name + " destroyed (suspended " + limit + ")",
          "\xF0\x9F\x97\x91 your sandbox " + b.name + " stayed suspended for more than " + limit +
              ", so sandbot destroyed it. Its snapshots went with it; create it "
              "again with `/sandbox create " +
              b.name + " ...`.");
      if (!s.ok()) return s;
      ++report->destroyed;
    }
  }
  return Status::Ok();
}

}  // namespace sandbot
