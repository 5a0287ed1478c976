// The outbox sender's pieces that an unfriendly endpoint can reach
// (bot/outbox_sender.h; issue 16 item 9) and the per-destination order of the
// store's outbox (store/outbox.h).
#define BOOST_TEST_DYN_LINK
#include "bot/outbox_sender.h"

#include <boost/test/unit_test.hpp>

#include "bot/destination.h"
#include "store/outbox.h"
#include "tests/unit/test_util.h"

namespace sandbot {
namespace {

BOOST_AUTO_TEST_SUITE(outbox_sender)

BOOST_AUTO_TEST_CASE(retry_after_is_parsed_with_overflow_checks_and_clamped_to_an_hour) {
  BOOST_CHECK_EQUAL(RetryAfterMillis("120"), 120000);
  BOOST_CHECK_EQUAL(RetryAfterMillis(" 5 "), 5000);
  BOOST_CHECK_EQUAL(RetryAfterMillis("0"), 0);
  // The attack: 285 million years, and the ×1000 that used to overflow.
  BOOST_CHECK_EQUAL(RetryAfterMillis("9000000000000000"), 3600000);
  BOOST_CHECK_EQUAL(RetryAfterMillis("99999999999999999999999999999"), 3600000);
  BOOST_CHECK_EQUAL(RetryAfterMillis("3601"), 3600000);
  for (const char* junk : {"", "-1", "1e9", "Wed, 21 Oct 2015 07:28:00 GMT", "12abc", "0x10"}) {
    BOOST_TEST_CONTEXT(junk) { BOOST_CHECK_EQUAL(RetryAfterMillis(junk), 0); }
  }
}

BOOST_AUTO_TEST_CASE(a_parked_destination_holds_back_only_its_own_messages) {
  TestStore t;
  auto queue = [&](const std::string& url, const std::string& body) {
    OutboxMessage m;
    m.url = url;
    m.body = body;
    m.content_type = "application/json";
    m.purpose = body;
    BOOST_REQUIRE(EnqueueOutbox(t.db.get(), m).ok());
  };
  queue("https://hooks.slack.com/a", "a1");
  queue("https://hooks.slack.com/a", "a2");
  queue("https://hooks.slack.com/b", "b1");
  const int64_t now = NowMillis();
  OutboxMessage m;
  bool found = false;
  BOOST_REQUIRE(NextOutbox(t.db.get(), now, &m, &found).ok() && found);
  BOOST_CHECK_EQUAL(m.body, "a1");
  // a1 is parked for an hour (a 429): b1 goes, a2 waits behind a1.
  BOOST_REQUIRE(MarkOutboxAttempt(t.db.get(), m.id, "HTTP 429", now + 3600000, false).ok());
  BOOST_REQUIRE(NextOutbox(t.db.get(), now, &m, &found).ok() && found);
  BOOST_CHECK_EQUAL(m.body, "b1");
  BOOST_REQUIRE(MarkOutboxSent(t.db.get(), m.id).ok());
  BOOST_REQUIRE(NextOutbox(t.db.get(), now, &m, &found).ok());
  BOOST_CHECK(!found);
  // After the wait, a's messages go in their order.
  BOOST_REQUIRE(NextOutbox(t.db.get(), now + 3600001, &m, &found).ok() && found);
  BOOST_CHECK_EQUAL(m.body, "a1");
  BOOST_REQUIRE(MarkOutboxSent(t.db.get(), m.id).ok());
  BOOST_REQUIRE(NextOutbox(t.db.get(), now + 3600001, &m, &found).ok() && found);
  BOOST_CHECK_EQUAL(m.body, "a2");
}

BOOST_AUTO_TEST_CASE(webhooks_are_stored_by_name_and_resolved_when_sent) {
  ChatConfig chat;
  chat.slack_webhook_url = "https://hooks.slack.com/services/T/B/secret";
  bool configured = false;
  BOOST_CHECK_EQUAL(ResolveDestination(chat, kSlackWebhook, &configured), chat.slack_webhook_url);
  BOOST_CHECK(configured);
  BOOST_CHECK_EQUAL(ResolveDestination(chat, kTeamsWebhook, &configured), "");  // not configured
  BOOST_CHECK_EQUAL(ResolveDestination(chat, "https://hooks.slack.com/commands/x", &configured),
                    "https://hooks.slack.com/commands/x");
  BOOST_CHECK(!configured);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
