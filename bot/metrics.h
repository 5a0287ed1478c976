// Metrics: the daemon's counters, in one prometheus-cpp registry that the
// daemon owns, served in Prometheus' text format at GET /metrics on the
// HTTP listener.
//
// Only counts leave through it. Label values come from the fixed
// vocabularies below, never from a request (a name, a path, a URL): a
// value an attacker could choose would make every request a new series,
// which is the disk-filling attack of issue 16 moved into memory.
//
// More metrics (issue 14) are added to registry() in the same way: a
// family made once, its series taken from fixed label sets.
#ifndef SANDBOT_BOT_METRICS_H_
#define SANDBOT_BOT_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>

namespace sandbot {

// Where a refused request came in: the chat platforms (Mattermost shares
// /slack/commands, told apart by its token), the forges' webhooks
// (/forges/NAME/webhook) and the listener itself (paths without a route,
// broken framing, connections over a limit).
enum class Door { kSlack, kMattermost, kTeams, kHttp, kForge };
inline constexpr int kDoorCount = 5;

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

  // Every metric, in the text exposition format 0.0.4 (what GET /metrics
  // answers). Thread-safe.
  std::string Serialize() const;
  static constexpr char kContentType[] = "text/plain; version=0.0.4; charset=utf-8";

  prometheus::Registry& registry() { return *registry_; }

 private:
  prometheus::Counter& Series(Door door, RejectReason reason);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* rejected_;  // owned by registry_
  // Each series once made; the family hands out the same one for the same
  // labels, so a race to make it is harmless.
  std::array<std::atomic<prometheus::Counter*>, kDoorCount * kRejectReasonCount> series_{};
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_METRICS_H_
