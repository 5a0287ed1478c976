// Refusals are counted, and recorded once per (address, reason) a minute
// (bot/rejection_sampler.h; issue 16 item 5).
#define BOOST_TEST_DYN_LINK
#include "bot/rejection_sampler.h"

#include <boost/test/unit_test.hpp>
#include <string>

#include "bot/replay_guard.h"
#include "store/replays.h"
#include "tests/unit/test_util.h"

namespace sandbot {
namespace {

BOOST_AUTO_TEST_SUITE(rejection_sampler)

BOOST_AUTO_TEST_CASE(twenty_thousand_rejections_from_one_address_record_one_row_a_minute) {
  RejectionSampler sampler;
  int64_t left_out = 0;
  int recorded = 0;
  const int64_t t0 = 1700000000000;
  for (int i = 0; i < 20000; ++i) {
    // The tail of the reason varies, as an attacker's text would.
    if (sampler.ShouldRecord("10.0.0.9", "no valid signature or token: x" + std::to_string(i),
                             t0 + i, &left_out)) {
      ++recorded;
    }
  }
  BOOST_CHECK_EQUAL(recorded, 1);
  BOOST_CHECK_EQUAL(sampler.total(), 20000u);
  // Another reason or another address is recorded once too.
  BOOST_CHECK(sampler.ShouldRecord("10.0.0.9", "body over 65536 bytes", t0, &left_out));
  BOOST_CHECK(sampler.ShouldRecord("10.0.0.10", "no valid signature or token: y", t0, &left_out));
  // The next minute's first record tells how many the last one left out.
  BOOST_CHECK(
      sampler.ShouldRecord("10.0.0.9", "no valid signature or token", t0 + 60000, &left_out));
  BOOST_CHECK_EQUAL(left_out, 19999);
}

BOOST_AUTO_TEST_CASE(distinct_sources_cannot_grow_the_memory_without_bound) {
  RejectionSampler sampler;
  int64_t left_out = 0;
  int recorded = 0;
  for (int i = 0; i < 10000; ++i) {
    if (sampler.ShouldRecord("src" + std::to_string(i), "r", 1000, &left_out)) ++recorded;
  }
  BOOST_CHECK_EQUAL(recorded, static_cast<int>(RejectionSampler::kMaxKeys));
}

BOOST_AUTO_TEST_CASE(details_are_clipped_on_a_character_boundary) {
  BOOST_CHECK_EQUAL(RejectionSampler::Clip("short"), "short");
  const std::string long_path(16 * 1024, 'a');
  BOOST_CHECK_LE(RejectionSampler::Clip(long_path).size(), RejectionSampler::kMaxDetail + 3);
  std::string accents;
  for (int i = 0; i < 150; ++i) accents += "\xC3\xA9";  // é, two bytes each
  const std::string clipped = RejectionSampler::Clip(accents);
  BOOST_CHECK_EQUAL(clipped.size(), 200u + 3u);
  BOOST_CHECK_EQUAL(clipped.substr(198, 2), "\xC3\xA9");
}

BOOST_AUTO_TEST_CASE(slack_requests_stamped_before_the_start_are_refused) {
  // The replay guard forgets on restart: a signature captured before it
  // would pass again, so timestamps from before the start are refused.
  ReplayGuard guard(300, 1000);
  BOOST_CHECK(!guard.FirstSeen("v0=old", 999, 1001));
  BOOST_CHECK(guard.FirstSeen("v0=new", 1000, 1001));
  BOOST_CHECK(!guard.FirstSeen("v0=new", 1000, 1002));
}

BOOST_AUTO_TEST_CASE(teams_messages_are_remembered_in_the_store_across_restarts) {
  TestStore t;
  bool first = false;
  BOOST_REQUIRE(FirstSeenPersistent(t.db.get(), "teams:HMAC abc", 5000, &first).ok());
  BOOST_CHECK(first);
  BOOST_REQUIRE(FirstSeenPersistent(t.db.get(), "teams:HMAC abc", 5000, &first).ok());
  BOOST_CHECK(!first);
  // A new connection to the same file: still remembered.
  std::unique_ptr<Db> again;
  BOOST_REQUIRE(Db::Open(t.dir.path() + "/sandbot.db", &again).ok());
  BOOST_REQUIRE(FirstSeenPersistent(again.get(), "teams:HMAC abc", 5000, &first).ok());
  BOOST_CHECK(!first);
  int removed = 0;
  BOOST_REQUIRE(PruneReplays(again.get(), 4000, &removed).ok());
  BOOST_CHECK_EQUAL(removed, 0);
  BOOST_REQUIRE(PruneReplays(again.get(), 6000, &removed).ok());
  BOOST_CHECK_EQUAL(removed, 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
