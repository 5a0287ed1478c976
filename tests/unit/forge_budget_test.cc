#define BOOST_TEST_DYN_LINK
#include "bot/forge_budget.h"

#include <boost/test/unit_test.hpp>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(forge_budget)

BOOST_AUTO_TEST_CASE(eighty_a_minute_per_token_then_waits) {
  ForgeBudget b;  // GitHub's secondary limit: 80 content-creating calls a minute
  int64_t now = 1'000'000;
  for (int i = 0; i < 80; ++i) BOOST_REQUIRE_EQUAL(b.Take("t1", now + i * 10), 0);
  // The 81st waits until the first leaves the minute, and is not counted.
  BOOST_CHECK_EQUAL(b.Take("t1", now + 1000), 60'000 - 1000);
  BOOST_CHECK_EQUAL(b.Take("t1", now + 1000), 60'000 - 1000);
  // Another token has its own budget.
  BOOST_CHECK_EQUAL(b.Take("t2", now + 1000), 0);
  // A minute after the first call, one more fits; the next waits for the second.
  BOOST_CHECK_EQUAL(b.Take("t1", now + 60'000), 0);
  BOOST_CHECK_EQUAL(b.Take("t1", now + 60'000), 10);
  // After a quiet minute the whole budget is back.
  const int64_t later = now + 200'000;
  for (int i = 0; i < 80; ++i) BOOST_REQUIRE_EQUAL(b.Take("t1", later), 0);
  BOOST_CHECK_GT(b.Take("t1", later), 0);
}

BOOST_AUTO_TEST_CASE(a_pause_holds_back_writes_and_reads_of_that_token_only) {
  ForgeBudget b(3, 1000);
  b.PauseUntil("t", 5000);
  BOOST_CHECK_EQUAL(b.Take("t", 2000), 3000);
  BOOST_CHECK_EQUAL(b.ReadWait("t", 4500), 500);
  BOOST_CHECK_EQUAL(b.ReadWait("other", 4500), 0);
  BOOST_CHECK_EQUAL(b.Take("other", 4500), 0);
  // An earlier pause never shortens a later one.
  b.PauseUntil("t", 3000);
  BOOST_CHECK_EQUAL(b.ReadWait("t", 4000), 1000);
  // Waiting calls were not counted: at 5000 the full budget is there.
  for (int i = 0; i < 3; ++i) BOOST_CHECK_EQUAL(b.Take("t", 5000), 0);
  BOOST_CHECK_EQUAL(b.Take("t", 5000), 1000);
  BOOST_CHECK_EQUAL(b.ReadWait("t", 5000), 0);  // reads are not counted
}

BOOST_AUTO_TEST_SUITE_END()
