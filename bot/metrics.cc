#include "bot/metrics.h"

#include <prometheus/text_serializer.h>

namespace sandbot {

const char* DoorName(Door door) {
  switch (door) {
    case Door::kSlack: return "slack";
    case Door::kMattermost: return "mattermost";
    case Door::kTeams: return "teams";
    case Door::kHttp: return "http";
    case Door::kForge: return "forge";
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

std::string Metrics::Serialize() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace sandbot
