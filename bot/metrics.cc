#include "bot/metrics.h"

#include <prometheus/text_serializer.h>

#include "bot/forge_ratelimit.h"
#include "bot/version.h"

namespace sandbot {

namespace {

constexpr const char* kStatusClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
constexpr JobKind kJobKinds[] = {JobKind::kDeploy,  JobKind::kDestroy, JobKind::kReroute,
                                 JobKind::kSuspend, JobKind::kResume,  JobKind::kRename};
static_assert(sizeof kJobKinds / sizeof kJobKinds[0] == kJobKindCount, "every JobKind");
constexpr const char* kHealthLabels[] = {"healthy", "degraded", "unhealthy", "suspended"};

// A whole job: a reroute takes well under a second, a deploy with a build
// tens of seconds, a health wait up to its timeout.
const prometheus::Histogram::BucketBoundaries kJobBuckets = {0.25, 0.5, 1,  2.5, 5,   10,
                                                             20,   30,  60, 120, 300, 900};
const prometheus::Histogram::BucketBoundaries kStageBuckets = {0.05, 0.1, 0.25, 0.5, 1,   2.5,
                                                               5,    10,  30,   60,  120, 300};

// The stages that take time (the others mark an instant: queued, running,
// succeeded…).
bool TimedStage(JobStage stage) {
  switch (stage) {
    case JobStage::kBuilding:
    case JobStage::kStarting:
    case JobStage::kRerouting:
    case JobStage::kSuspending:
    case JobStage::kResuming:
    case JobStage::kDestroying:
    case JobStage::kRenaming: return true;
    default: return false;
  }
}

int StatusClass(int status) {
  const int c = status / 100;
  return c < 1 ? 0 : c > 5 ? 4 : c - 1;
}

}  // namespace

const char* DoorName(Door door) {
  switch (door) {
    case Door::kSlack: return "slack";
    case Door::kMattermost: return "mattermost";
    case Door::kTeams: return "teams";
    case Door::kHttp: return "http";
    case Door::kForge: return "forge";
    case Door::kWeb: return "web";
  }
  return "unknown";
}

Door RequestDoor(const HttpRequest& req) {
  const std::string& p = req.path;
  if (p == "/slack/commands") {
    return req.HasHeader("X-Slack-Signature") ? Door::kSlack : Door::kMattermost;
  }
  if (p == "/slack/interactions") return Door::kSlack;
  if (p == "/teams/messages") return Door::kTeams;
  if (p.rfind("/forges/", 0) == 0) return Door::kForge;
  if (p == "/ui" || p.rfind("/ui/", 0) == 0) return Door::kWeb;
  return Door::kHttp;
}

const char* JobOutcomeName(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::kSucceeded: return "succeeded";
    case JobOutcome::kFailed: return "failed";
    case JobOutcome::kRequeued: return "requeued";
  }
  return "unknown";
}

const char* RejectReasonName(RejectReason reason) {
  switch (reason) {
    case RejectReason::kUnconfigured: return "unconfigured";
    case RejectReason::kBadSignature: return "bad_signature";
    case RejectReason::kStale: return "stale";
    case RejectReason::kReplayed: return "replayed";
    case RejectReason::kTooLarge: return "too_large";
    case RejectReason::kNotFound: return "not_found";
    case RejectReason::kBadRequest: return "bad_request";
    case RejectReason::kTimeout: return "timeout";
    case RejectReason::kConnectionLimit: return "connection_limit";
    case RejectReason::kOutOfDescriptors: return "out_of_descriptors";
  }
  return "unknown";
}

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      rejected_(&prometheus::BuildCounter()
                     .Name("sandbot_requests_rejected_total")
                     .Help("Requests and connections refused, by door and reason (each counted; "
                           "at most one audit row per source and reason a minute)")
                     .Register(*registry_)),
      requests_(&prometheus::BuildCounter()
                     .Name("sandbot_requests_total")
                     .Help("Requests answered by the HTTP listener, by door and status class")
                     .Register(*registry_)),
      stage_seconds_(&prometheus::BuildHistogram()
                          .Name("sandbot_job_stage_duration_seconds")
                          .Help("Time jobs spent in each stage (building, starting, rerouting…)")
                          .Register(*registry_)) {
  // The pairs that can happen, at 0 from the start: a scrape sees the
  // series before the first refusal, and rate() counts that one too.
  using R = RejectReason;
  for (Door door : {Door::kSlack, Door::kTeams}) {
    for (R r : {R::kUnconfigured, R::kBadSignature, R::kStale, R::kReplayed, R::kTooLarge}) {
      Series(door, r);
    }
  }
  for (R r : {R::kUnconfigured, R::kBadSignature, R::kTooLarge}) Series(Door::kMattermost, r);
  for (R r : {R::kUnconfigured, R::kBadSignature, R::kNotFound}) Series(Door::kForge, r);
  for (R r : {R::kNotFound, R::kBadRequest, R::kTooLarge, R::kTimeout, R::kConnectionLimit,
              R::kOutOfDescriptors}) {
    Series(Door::kHttp, r);
  }
  for (int d = 0; d < kDoorCount; ++d) {
    for (int status : {200, 400, 500}) RequestSeries(static_cast<Door>(d), status);
  }

  auto& jobs = prometheus::BuildCounter()
                   .Name("sandbot_jobs_total")
                   .Help(
                       "Job runs on the workers, by kind and outcome (requeued: back in the "
                       "queue, to run again)")
                   .Register(*registry_);
  auto& job_seconds = prometheus::BuildHistogram()
                          .Name("sandbot_job_duration_seconds")
                          .Help("Wall time of a job's run on a worker, by kind")
                          .Register(*registry_);
  for (int k = 0; k < kJobKindCount; ++k) {
    const char* kind = JobKindName(kJobKinds[k]);
    for (int o = 0; o < kJobOutcomeCount; ++o) {
      jobs_[k * kJobOutcomeCount + o] =
          &jobs.Add({{"kind", kind}, {"outcome", JobOutcomeName(static_cast<JobOutcome>(o))}});
    }
    job_seconds_[k] = &job_seconds.Add({{"kind", kind}}, kJobBuckets);
  }

  auto& retries = prometheus::BuildCounter()
                      .Name("sandbot_outbox_retries_total")
                      .Help("Outbox messages that failed and will be tried again, by kind")
                      .Register(*registry_);
  outbox_retries_[0] = &retries.Add({{"kind", "chat"}});
  outbox_retries_[1] = &retries.Add({{"kind", "forge"}});
  outbox_depth_ = &prometheus::BuildGauge()
                       .Name("sandbot_outbox_depth")
                       .Help("Outbox messages waiting to be sent")
                       .Register(*registry_)
                       .Add({});
  auto& sandboxes = prometheus::BuildGauge()
                        .Name("sandbot_sandboxes")
                        .Help("Sandboxes by health (healthy, degraded, unhealthy, suspended)")
                        .Register(*registry_);
  for (size_t h = 0; h < sandboxes_.size(); ++h) {
    sandboxes_[h] = &sandboxes.Add({{"state", kHealthLabels[h]}});
  }
  engine_up_ = &prometheus::BuildGauge()
                    .Name("sandbot_engine_up")
                    .Help("1 while the container engine answers (its breaker is closed), else 0")
                    .Register(*registry_)
                    .Add({});
  engine_up_->Set(1);
  breaker_state_ = &prometheus::BuildGauge()
                        .Name("sandbot_engine_breaker_state")
                        .Help(
                            "The engine's circuit breaker: 0 closed, 1 open (calls fail at "
                            "once, jobs wait)")
                        .Register(*registry_)
                        .Add({});
  forge_remaining_ = &prometheus::BuildGauge()
                          .Name("sandbot_forge_ratelimit_remaining")
                          .Help(
                              "API requests left in the forge's rate-limit window, as its last "
                              "answer said")
                          .Register(*registry_);
  prometheus::BuildGauge()
      .Name("sandbot_build_info")
      .Help("Always 1; the version label says which sandbot runs")
      .Register(*registry_)
      .Add({{"version", kVersion}})
      .Set(1);
}

prometheus::Counter& Metrics::RequestSeries(Door door, int status) {
  const size_t index = static_cast<size_t>(door) * 5 + static_cast<size_t>(StatusClass(status));
  prometheus::Counter* counter = requests_series_[index].load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &requests_->Add(
        {{"door", DoorName(door)}, {"status", kStatusClasses[StatusClass(status)]}});
    requests_series_[index].store(counter, std::memory_order_release);
  }
  return *counter;
}

void Metrics::CountRequest(Door door, int status) { RequestSeries(door, status).Increment(); }

double Metrics::Requests(Door door, int status) { return RequestSeries(door, status).Value(); }

void Metrics::CountJob(int64_t job_id, JobKind kind, JobOutcome outcome, double seconds) {
  const size_t k = static_cast<size_t>(kind);
  if (k >= static_cast<size_t>(kJobKindCount)) return;
  OnJobEvent(job_id, JobStage::kSucceeded);  // closes the stage it was in, opens none
  jobs_[k * kJobOutcomeCount + static_cast<size_t>(outcome)]->Increment();
  job_seconds_[k]->Observe(seconds);
}

double Metrics::Jobs(JobKind kind, JobOutcome outcome) {
  return jobs_[static_cast<size_t>(kind) * kJobOutcomeCount + static_cast<size_t>(outcome)]
      ->Value();
}

void Metrics::OnJobEvent(int64_t job_id, JobStage stage,
                         std::chrono::steady_clock::time_point now) {
  std::lock_guard<std::mutex> lock(stages_mu_);
  auto open = open_stages_.find(job_id);
  if (open != open_stages_.end()) {
    const int s = static_cast<int>(open->second.stage);
    prometheus::Histogram*& series = stage_series_[s];
    if (series == nullptr) {
      series = &stage_seconds_->Add({{"stage", JobStageName(open->second.stage)}}, kStageBuckets);
    }
    series->Observe(std::chrono::duration<double>(now - open->second.since).count());
    ++stage_counts_[s];
    open_stages_.erase(open);
  }
  // One entry per running job at most: the workers bound it.
  if (TimedStage(stage)) open_stages_[job_id] = {stage, now};
}

uint64_t Metrics::StageCount(JobStage stage) {
  std::lock_guard<std::mutex> lock(stages_mu_);
  auto it = stage_counts_.find(static_cast<int>(stage));
  return it == stage_counts_.end() ? 0 : it->second;
}

void Metrics::CountOutboxRetry(OutboxKind kind) {
  outbox_retries_[kind == OutboxKind::kForge ? 1 : 0]->Increment();
}

double Metrics::OutboxRetries(OutboxKind kind) {
  return outbox_retries_[kind == OutboxKind::kForge ? 1 : 0]->Value();
}

void Metrics::SetState(const ScrapeState& state) {
  if (state.store_ok) {
    for (size_t h = 0; h < sandboxes_.size(); ++h) {
      sandboxes_[h]->Set(static_cast<double>(state.sandboxes[h]));
    }
    outbox_depth_->Set(static_cast<double>(state.outbox_depth));
  }
  engine_up_->Set(state.engine_up ? 1 : 0);
  breaker_state_->Set(state.engine_up ? 0 : 1);
}

prometheus::Counter& Metrics::Series(Door door, RejectReason reason) {
  const size_t index = static_cast<size_t>(door) * kRejectReasonCount + static_cast<size_t>(reason);
  prometheus::Counter* counter = series_[index].load(std::memory_order_acquire);
  if (counter == nullptr) {
    counter = &rejected_->Add({{"door", DoorName(door)}, {"reason", RejectReasonName(reason)}});
    series_[index].store(counter, std::memory_order_release);
  }
  return *counter;
}

void Metrics::CountRejection(Door door, RejectReason reason) { Series(door, reason).Increment(); }

double Metrics::Rejections(Door door, RejectReason reason) { return Series(door, reason).Value(); }

std::string Metrics::Serialize() {
  {
    std::lock_guard<std::mutex> lock(scrape_mu_);
    if (before_scrape_) {
      ScrapeState state;
      before_scrape_(&state);
      SetState(state);
    }
    // Forge names come from the operator's configuration (at most
    // kMaxForges of them), never from a request.
    for (const auto& [forge, remaining] : ForgeRateLimits()) {
      forge_remaining_->Add({{"forge", forge}}).Set(remaining);
    }
  }
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace sandbot
