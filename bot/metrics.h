// Metrics: the daemon's counters, gauges and histograms, in one
// prometheus-cpp registry that the daemon owns, served in Prometheus' text
// format at GET /metrics on the HTTP listener (README "Metrics" lists each
// family).
//
// Only counts and states leave through it. Label values come from the fixed
// vocabularies below (doors, reasons, job kinds and stages, health states)
// or from the operator's configuration (forge names), never from a request
// or a user (a sandbox name, a path, a URL, a branch): a value an attacker
// could choose would make every request a new series, which is the
// disk-filling attack of issue 16 moved into memory.
//
// Counters move where things happen (CountRequest, CountJob…); the gauges
// of state (sandboxes by health, outbox depth, the engine) are read just
// before each scrape by the function given to set_before_scrape.
#ifndef SANDBOT_BOT_METRICS_H_
#define SANDBOT_BOT_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "bot/http_request.h"
#include "util/job_event.h"
#include "util/job_types.h"

namespace sandbot {

// Where a refused request came in: the chat platforms (Mattermost shares
// /slack/commands, told apart by its token), the forges' webhooks
// (/forges/NAME/webhook) and the listener itself (paths without a route,
// broken framing, connections over a limit, and the probes /healthz,
// /readyz, /metrics), and the dashboard (/ui/).
enum class Door { kSlack, kMattermost, kTeams, kHttp, kForge, kWeb };
inline constexpr int kDoorCount = 6;

// Why it was refused.
enum class RejectReason {
  kUnconfigured,      // the door's secret is not set: every request is refused
  kBadSignature,      // signature, token or HMAC missing or wrong
  kStale,             // signed, but stamped too far from now
  kReplayed,          // signed, but already seen
  kTooLarge,          // a body over the limit (413)
  kNotFound,          // no route for the path or method (404, 405)
  kBadRequest,        // framing the parser refuses (400, 431, 501…)
  kTimeout,           // a request not complete within the request timeout
  kConnectionLimit,   // a new connection over the total or per-address limit
  kOutOfDescriptors,  // a connection shed because the process had no descriptor
};
inline constexpr int kRejectReasonCount = 10;

// The label values: "slack", "bad_signature"…
const char* DoorName(Door door);
const char* RejectReasonName(RejectReason reason);

// The door a request came in by, from its path (and, for /slack/commands,
// whether Slack signed it: Mattermost shares the path and signs nothing).
Door RequestDoor(const HttpRequest& request);

// How a job's run on a worker ended: it will not run again (succeeded,
// failed), or it went back to the queue (the engine went away, the daemon
// stops) and runs again later.
enum class JobOutcome { kSucceeded, kFailed, kRequeued };
inline constexpr int kJobOutcomeCount = 3;
inline constexpr int kJobKindCount = 6;  // util/job_types.h JobKind
const char* JobOutcomeName(JobOutcome outcome);

// Who an outbox message is for: a chat service or a forge's API.
enum class OutboxKind { kChat, kForge };

// The state gauges, read before each scrape (see set_before_scrape).
struct ScrapeState {
  bool store_ok = true;  // false: the sandbox and outbox gauges keep their last values
  std::array<int64_t, 4> sandboxes{};  // indexed by Health (handlers/health.h)
  int64_t outbox_depth = 0;            // messages waiting to be sent
  bool engine_up = true;               // the breaker is closed
};

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // sandbot_requests_rejected_total{door, reason} += 1. Lock-free once a
  // series exists. Thread-safe.
  void CountRejection(Door door, RejectReason reason);
  // The count of one series (for tests).
  double Rejections(Door door, RejectReason reason);

  // sandbot_requests_total{door, status="2xx"…} += 1: every answer the
  // HTTP listener gives to a request it read. Thread-safe, lock-free.
  void CountRequest(Door door, int status);
  double Requests(Door door, int status);

  // sandbot_jobs_total{kind, outcome} += 1 and the run's wall time into
  // sandbot_job_duration_seconds{kind}; closes the job's open stage.
  void CountJob(int64_t job_id, JobKind kind, JobOutcome outcome, double seconds);
  double Jobs(JobKind kind, JobOutcome outcome);
  // A step of a running job: the stage it was in (building, starting,
  // rerouting…) ends here, its time goes into
  // sandbot_job_stage_duration_seconds{stage}, and a timed stage begins.
  void OnJobEvent(int64_t job_id, JobStage stage,
                  std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());
  // Stages observed under `stage` so far (for tests).
  uint64_t StageCount(JobStage stage);

  // sandbot_outbox_retries_total{kind} += 1: a message failed and will be
  // tried again.
  void CountOutboxRetry(OutboxKind kind);
  double OutboxRetries(OutboxKind kind);

  // The function that fills the state gauges, called at each scrape on the
  // scraping thread (it must be quick: the scrape target is < 5 ms).
  void set_before_scrape(std::function<void(ScrapeState*)> fn) { before_scrape_ = std::move(fn); }
  // Sets the state gauges (Serialize calls it with before_scrape's answer).
  void SetState(const ScrapeState& state);

  // Every metric, in the text exposition format 0.0.4 (what GET /metrics
  // answers). Thread-safe.
  std::string Serialize();
  static constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

  prometheus::Registry& registry() { return *registry_; }

 private:
  prometheus::Counter& Series(Door door, RejectReason reason);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* rejected_;  // owned by registry_
  // Each series once made; the family hands out the same one for the same
  // labels, so a race to make it is harmless.
  std::array<std::atomic<prometheus::Counter*>, kDoorCount * kRejectReasonCount> series_{};

  prometheus::Counter& RequestSeries(Door door, int status);
  std::array<std::atomic<prometheus::Counter*>, kDoorCount * 5> requests_series_{};
  prometheus::Family<prometheus::Counter>* requests_;

  // Every kind × outcome and every kind's histogram, made at construction.
  std::array<prometheus::Counter*, kJobKindCount * kJobOutcomeCount> jobs_{};
  std::array<prometheus::Histogram*, kJobKindCount> job_seconds_{};
  prometheus::Family<prometheus::Histogram>* stage_seconds_;
  std::mutex stages_mu_;
  struct OpenStage {
    JobStage stage;
    std::chrono::steady_clock::time_point since;
  };
  std::map<int64_t, OpenStage> open_stages_;            // by job id, under stages_mu_
  std::map<int, prometheus::Histogram*> stage_series_;  // by JobStage, under stages_mu_
  std::map<int, uint64_t> stage_counts_;                // by JobStage, under stages_mu_

  std::array<prometheus::Counter*, 2> outbox_retries_{};
  std::array<prometheus::Gauge*, 4> sandboxes_{};
  prometheus::Gauge* outbox_depth_;
  prometheus::Gauge* engine_up_;
  prometheus::Gauge* breaker_state_;
  prometheus::Family<prometheus::Gauge>* forge_remaining_;
  std::function<void(ScrapeState*)> before_scrape_;
  std::mutex scrape_mu_;  // one scrape fills the gauges at a time
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_METRICS_H_
