#define BOOST_TEST_DYN_LINK
#include "bot/replay_guard.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;

BOOST_AUTO_TEST_CASE(replay_guard) {
  ReplayGuard guard(300);
  BOOST_CHECK(guard.FirstSeen("v0=aa", 1000, 1000));
  BOOST_CHECK(!guard.FirstSeen("v0=aa", 1000, 1000));
  BOOST_CHECK(!guard.FirstSeen("v0=aa", 1000, 1300));  // its timestamp is still in the window
  BOOST_CHECK(guard.FirstSeen("v0=bb", 1001, 1001));
  // A request stamped ahead of our clock, inside the window, counts too.
  BOOST_CHECK(guard.FirstSeen("v0=cc", 1290, 1000));
  BOOST_CHECK(!guard.FirstSeen("v0=cc", 1290, 1580));
}

BOOST_AUTO_TEST_CASE(replay_guard_forgets_what_the_timestamp_check_refuses) {
  // Signatures go once their timestamps have left the window (within the
  // 64 s of their bucket), so memory follows the window's traffic.
  ReplayGuard guard(10);
  for (int i = 0; i < 20000; ++i) {
    BOOST_REQUIRE(guard.FirstSeen("sig" + std::to_string(i), i / 4, i / 4));
  }
  BOOST_CHECK(!guard.FirstSeen("sig19999", 4999, 4999 + 10));
  // Only the buckets that can hold timestamps of the last 10 s remain: at 4
  // requests a second, at most 2 buckets of 64 s.
  BOOST_CHECK_LE(guard.size(), 2u * 64 * 4);
  BOOST_CHECK_LE(guard.bytes(), 2u * 1024 * 6);
  // Long after: everything is gone, and the bucket of the next one is new.
  BOOST_CHECK(guard.FirstSeen("sig0", 100000, 100000));
  BOOST_CHECK_EQUAL(guard.size(), 1u);
}

BOOST_AUTO_TEST_CASE(replay_guard_remembers_every_signature_of_a_burst) {
  // A burst inside one window grows the sets many times over; nothing seen
  // may be forgotten on the way, and nothing new refused.
  ReplayGuard guard(300);
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const int64_t ts = 1000 + i / 20000;
    BOOST_REQUIRE(guard.FirstSeen("v0=" + std::to_string(i), ts, ts));
  }
  BOOST_CHECK_EQUAL(guard.size(), static_cast<size_t>(n));
  // 6 bytes a slot, and a set grows by a quarter when nine tenths full: at
  // most 1.25 / 0.9 slots a signature, plus the first bucket's minimum.
  BOOST_CHECK_LE(guard.bytes(), static_cast<size_t>(n) * 6 * 14 / 10 + 6 * 256);
  int replays_refused = 0;
  for (int i = 0; i < n; i += 7) {
    const int64_t ts = 1000 + i / 20000;
    replays_refused += guard.FirstSeen("v0=" + std::to_string(i), ts, 1100) ? 0 : 1;
  }
  BOOST_CHECK_EQUAL(replays_refused, (n + 6) / 7);
  BOOST_CHECK(guard.FirstSeen("v0=new", 1100, 1100));
}
