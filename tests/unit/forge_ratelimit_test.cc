// The one reading of the forges' rate-limit headers (bot/forge_ratelimit.h):
// GitHub's and Gitea's x-ratelimit-*, GitLab's RateLimit-*.
#define BOOST_TEST_DYN_LINK
#include "bot/forge_ratelimit.h"

#include <boost/test/unit_test.hpp>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(forge_ratelimit)

BOOST_AUTO_TEST_CASE(github_and_gitlab_headers_read_alike) {
  RateLimitReading gh =
      ReadRateLimit({{"X-RateLimit-Remaining", "0"}, {"X-RateLimit-Reset", "1700000030"}});
  BOOST_CHECK(gh.has_remaining);
  BOOST_CHECK(gh.exhausted());
  BOOST_CHECK_EQUAL(gh.reset_at, 1700000030);
  BOOST_CHECK_EQUAL(gh.WaitMillis(1700000000), 30000);

  RateLimitReading gl =
      ReadRateLimit({{"RateLimit-Remaining", "0"}, {"RateLimit-Reset", "1700000045"}});
  BOOST_CHECK(gl.exhausted());
  BOOST_CHECK_EQUAL(gl.WaitMillis(1700000000), 45000);
  // Names in any case, as proxies rewrite them.
  BOOST_CHECK(ReadRateLimit({{"ratelimit-remaining", "0"}}).exhausted());
}

BOOST_AUTO_TEST_CASE(only_a_zero_count_is_exhausted) {
  BOOST_CHECK(!ReadRateLimit({{"x-ratelimit-remaining", "1"}}).exhausted());
  BOOST_CHECK(!ReadRateLimit({{"Content-Type", "application/json"}}).exhausted());
  BOOST_CHECK(!ReadRateLimit({}).has_remaining);
  // Garbage is as if not sent: never taken for 0.
  for (const char* bad : {"", "-1", "0x0", "0 ", "12abc", "0000000000000000"}) {
    RateLimitReading r = ReadRateLimit({{"RateLimit-Remaining", bad}});
    BOOST_CHECK_MESSAGE(!r.has_remaining && !r.exhausted(), "'" << bad << "'");
  }
  // Not exhausted: no wait, whatever the reset says.
  BOOST_CHECK_EQUAL(ReadRateLimit({{"RateLimit-Remaining", "3"}, {"RateLimit-Reset", "1700000045"}})
                        .WaitMillis(1700000000),
                    0);
}

BOOST_AUTO_TEST_CASE(the_wait_is_clamped_to_an_hour_and_never_negative) {
  BOOST_CHECK_EQUAL(ReadRateLimit({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "99"}})
                        .WaitMillis(1700000000),
                    0);
  BOOST_CHECK_EQUAL(
      ReadRateLimit({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "999999999999999"}})
          .WaitMillis(1700000000),
      3600 * 1000);
  // Exhausted without a reset: no wait from the headers (Retry-After or
  // the poster's minimum decide).
  BOOST_CHECK_EQUAL(ReadRateLimit({{"x-ratelimit-remaining", "0"}}).WaitMillis(1700000000), 0);
}

BOOST_AUTO_TEST_CASE(github_names_win_when_both_are_sent) {
  RateLimitReading r = ReadRateLimit({{"x-ratelimit-remaining", "5"},
                                      {"RateLimit-Remaining", "0"},
                                      {"x-ratelimit-reset", "10"},
                                      {"RateLimit-Reset", "20"}});
  BOOST_CHECK_EQUAL(r.remaining, 5);
  BOOST_CHECK_EQUAL(r.reset_at, 10);
}

BOOST_AUTO_TEST_SUITE_END()
