// The daemon's counters (bot/metrics.h): rejections by door and reason,
// served as Prometheus text (issue 16 item 5).
#define BOOST_TEST_DYN_LINK
#include "bot/metrics.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <thread>
#include <vector>

namespace sandbot {
namespace {

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(rejections_are_counted_by_door_and_reason) {
  Metrics m;
  for (int i = 0; i < 3; ++i) m.CountRejection(Door::kSlack, RejectReason::kBadSignature);
  m.CountRejection(Door::kTeams, RejectReason::kReplayed);
  m.CountRejection(Door::kHttp, RejectReason::kNotFound);
  BOOST_CHECK_EQUAL(m.Rejections(Door::kSlack, RejectReason::kBadSignature), 3);
  BOOST_CHECK_EQUAL(m.Rejections(Door::kTeams, RejectReason::kReplayed), 1);
  BOOST_CHECK_EQUAL(m.Rejections(Door::kTeams, RejectReason::kBadSignature), 0);
  BOOST_CHECK_EQUAL(m.Rejections(Door::kMattermost, RejectReason::kBadSignature), 0);
}

BOOST_AUTO_TEST_CASE(the_text_format_has_help_type_and_one_line_per_series) {
  Metrics m;
  m.CountRejection(Door::kSlack, RejectReason::kBadSignature);
  m.CountRejection(Door::kSlack, RejectReason::kBadSignature);
  m.CountRejection(Door::kHttp, RejectReason::kTooLarge);
  const std::string text = m.Serialize();
  BOOST_TEST_MESSAGE(text);
  BOOST_CHECK(text.find("# TYPE sandbot_requests_rejected_total counter\n") != std::string::npos);
  BOOST_CHECK(text.find("# HELP sandbot_requests_rejected_total ") != std::string::npos);
  BOOST_CHECK(
      text.find("sandbot_requests_rejected_total{door=\"slack\",reason=\"bad_signature\"} 2\n") !=
      std::string::npos);
  BOOST_CHECK(
      text.find("sandbot_requests_rejected_total{door=\"http\",reason=\"too_large\"} 1\n") !=
      std::string::npos);
  BOOST_CHECK_EQUAL(std::string(Metrics::kContentType).rfind("text/plain; version=0.0.4", 0), 0u);
}

BOOST_AUTO_TEST_CASE(the_possible_series_are_there_at_zero_before_any_refusal) {
  Metrics m;
  const std::string text = m.Serialize();
  BOOST_CHECK(
      text.find("sandbot_requests_rejected_total{door=\"teams\",reason=\"replayed\"} 0\n") !=
      std::string::npos);
  BOOST_CHECK(
      text.find(
          "sandbot_requests_rejected_total{door=\"http\",reason=\"out_of_descriptors\"} 0\n") !=
      std::string::npos);
  // Mattermost signs nothing: it can be neither stale nor replayed.
  BOOST_CHECK(text.find("door=\"mattermost\",reason=\"replayed\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_label_value_is_a_fixed_lower_case_word) {
  // No value comes from a request, so none needs escaping and none can
  // make a series per request.
  auto word = [](const std::string& s) {
    return !s.empty() && s != "unknown" &&
           s.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos;
  };
  for (int d = 0; d < kDoorCount; ++d) BOOST_CHECK(word(DoorName(static_cast<Door>(d))));
  for (int r = 0; r < kRejectReasonCount; ++r) {
    BOOST_CHECK(word(RejectReasonName(static_cast<RejectReason>(r))));
  }
}

BOOST_AUTO_TEST_CASE(counting_from_many_threads_loses_nothing) {
  Metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i)
        m.CountRejection(Door::kMattermost, RejectReason::kBadSignature);
    });
  }
  for (std::thread& t : threads) t.join();
  BOOST_CHECK_EQUAL(m.Rejections(Door::kMattermost, RejectReason::kBadSignature), 40000);
}

BOOST_AUTO_TEST_CASE(other_families_join_the_same_registry_and_the_same_answer) {
  // What issue 14's metrics will do.
  Metrics m;
  auto& jobs =
      prometheus::BuildCounter().Name("sandbot_jobs_total").Help("jobs").Register(m.registry());
  jobs.Add({{"kind", "deploy"}}).Increment(5);
  const std::string text = m.Serialize();
  BOOST_CHECK(text.find("sandbot_jobs_total{kind=\"deploy\"} 5\n") != std::string::npos);
  BOOST_CHECK(text.find("# TYPE sandbot_requests_rejected_total counter") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
