#define BOOST_TEST_DYN_LINK
#include "bot/replay_guard.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;

BOOST_AUTO_TEST_CASE(replay_guard) {
  ReplayGuard guard(300);
  BOOST_CHECK(guard.FirstSeen("v0=aa", 1000));
  BOOST_CHECK(!guard.FirstSeen("v0=aa", 1000));
  BOOST_CHECK(!guard.FirstSeen("v0=aa", 1300));  // still inside the window
  BOOST_CHECK(guard.FirstSeen("v0=bb", 1001));
  BOOST_CHECK(guard.FirstSeen("v0=aa", 1301));  // window over: fresh again
  BOOST_CHECK(!guard.FirstSeen("v0=aa", 1302));
}

BOOST_AUTO_TEST_CASE(replay_guard_prunes) {
  // Many distinct signatures over a long time: the old ones are pruned, so a
  // signature is still refused inside its window and accepted after it.
  ReplayGuard guard(10);
  for (int i = 0; i < 20000; ++i) {
    BOOST_REQUIRE(guard.FirstSeen("sig" + std::to_string(i), i / 4));
  }
  BOOST_CHECK(!guard.FirstSeen("sig19999", 4999 + 10));
  BOOST_CHECK(guard.FirstSeen("sig0", 5000));
  // Only about the last window's signatures are kept (4 a second, 11 s).
  BOOST_CHECK_LE(guard.size(), 1024u);
}

BOOST_AUTO_TEST_CASE(replay_guard_remembers_every_signature_of_a_burst) {
  // A burst inside one window grows the table many times over; nothing seen
  // may be forgotten on the way, and nothing new refused.
  ReplayGuard guard(600);
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    BOOST_REQUIRE(guard.FirstSeen("v0=" + std::to_string(i), 1000 + i / 20000));
  }
  BOOST_CHECK_EQUAL(guard.size(), static_cast<size_t>(n));
  int replays_refused = 0;
  for (int i = 0; i < n; i += 7)
    replays_refused += guard.FirstSeen("v0=" + std::to_string(i), 1100) ? 0 : 1;
  BOOST_CHECK_EQUAL(replays_refused, (n + 6) / 7);
  BOOST_CHECK(guard.FirstSeen("v0=new", 1100));
}
