// Where a reply may be sent (bot/reply_url_policy.h): the SSRF attack of
// issue 16 (a signed request whose response_url points at the Engine API on
// loopback) is refused at intake and again before sending.
#define BOOST_TEST_DYN_LINK
#include "bot/reply_url_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <boost/test/unit_test.hpp>
#include <cstring>
#include <string>

namespace sandbot {
namespace {

bool Public(const char* text) {
  sockaddr_storage storage{};
  if (std::strchr(text, ':') != nullptr) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    BOOST_REQUIRE_EQUAL(inet_pton(AF_INET6, text, &v6->sin6_addr), 1);
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    BOOST_REQUIRE_EQUAL(inet_pton(AF_INET, text, &v4->sin_addr), 1);
  }
  return IsPublicAddress(reinterpret_cast<sockaddr*>(&storage));
}

BOOST_AUTO_TEST_SUITE(reply_url_policy)

BOOST_AUTO_TEST_CASE(only_public_addresses_are_public) {
  const struct {
    const char* address;
    bool expected;
  } cases[] = {
      {"8.8.8.8", true},
      {"1.1.1.1", true},
      {"52.1.2.3", true},
      {"127.0.0.1", false},
      {"127.255.0.9", false},
      {"10.213.0.5", false},
      {"172.16.0.1", false},
      {"172.31.255.255", false},
      {"172.32.0.1", true},
      {"192.168.1.1", false},
      {"169.254.169.254", false},
      {"100.64.0.1", false},
      {"0.0.0.0", false},
      {"224.0.0.1", false},
      {"255.255.255.255", false},
      {"198.18.0.1", false},
      {"192.0.2.1", false},
      {"::1", false},
      {"::", false},
      {"fe80::1", false},
      {"fc00::1", false},
      {"fd12:3456::1", false},
      {"ff02::1", false},
      {"::ffff:127.0.0.1", false},
      {"::ffff:10.0.0.1", false},
      {"::ffff:8.8.8.8", true},
      {"2001:db8::1", false},
      {"2606:4700::1111", true},
      {"64:ff9b::7f00:1", false},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.address) { BOOST_CHECK_EQUAL(Public(c.address), c.expected); }
  }
}

BOOST_AUTO_TEST_CASE(urls_are_parsed_strictly) {
  HttpUrl u;
  BOOST_REQUIRE(ParseHttpUrl("HTTPS://Hooks.Slack.com/commands/T1/2/x?y=1#frag", &u).ok());
  BOOST_CHECK_EQUAL(u.scheme, "https");
  BOOST_CHECK_EQUAL(u.host, "hooks.slack.com");
  BOOST_CHECK_EQUAL(u.port, 443);
  BOOST_CHECK_EQUAL(u.path, "/commands/T1/2/x?y=1");
  BOOST_CHECK_EQUAL(u.Origin(), "https://hooks.slack.com");
  BOOST_REQUIRE(ParseHttpUrl("http://[::1]:2375", &u).ok());
  BOOST_CHECK_EQUAL(u.host, "::1");
  BOOST_CHECK_EQUAL(u.path, "/");
  BOOST_CHECK_EQUAL(u.Origin(), "http://[::1]:2375");
  for (const char* bad : {"", "hooks.slack.com/x", "ftp://x/", "https://", "https://:443/",
                          "https://user@hooks.slack.com/", "https://a b/", "https://x:99999/",
                          "https://x:-1/", "https://x/\n", "https://[::1/"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_CHECK(!ParseHttpUrl(bad, &u).ok()); }
  }
}

BOOST_AUTO_TEST_CASE(a_reply_url_must_be_a_platform_host_or_an_operator_origin) {
  ReplyUrlPolicy policy({"https://chat.example.com/anything", "http://127.0.0.1:8065"});
  BOOST_CHECK(policy.CheckReplyUrl("https://hooks.slack.com/commands/T1/2/abc").ok());
  BOOST_CHECK(policy.CheckReplyUrl("https://hooks.slack-gov.com/commands/T1/2/abc").ok());
  BOOST_CHECK(policy.CheckReplyUrl("https://chat.example.com/hooks/commands/x").ok());
  BOOST_CHECK(policy.CheckReplyUrl("http://127.0.0.1:8065/hooks/commands/x").ok());
  // The attacks: the Engine API on loopback, cloud metadata, a look-alike
  // host, Slack's host over plain http or on another port.
  for (const char* bad :
       {"http://127.0.0.1:2375/containers/create", "http://localhost:2375/v1.41/containers/json",
        "http://169.254.169.254/latest/meta-data/", "https://hooks.slack.com.evil.example/x",
        "https://evilhooks.slack.com/x", "http://hooks.slack.com/commands/x",
        "https://hooks.slack.com:8443/x", "http://127.0.0.1:8066/x",
        "https://chat.example.com:444/"}) {
    BOOST_TEST_CONTEXT(bad) {
      Status s = policy.CheckReplyUrl(bad);
      BOOST_CHECK(!s.ok());
      BOOST_CHECK(s.message().find("reply URL refused") == 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_platform_host_resolving_to_a_private_address_is_refused_before_sending) {
  // "localhost" stands in for a platform host whose DNS answer was turned
  // to loopback (rebinding): it is refused however it was let in.
  ReplyUrlPolicy policy({}, {"localhost"});
  BOOST_CHECK(policy.CheckReplyUrl("https://localhost/commands/x").ok());
  std::string pinned = "stale";
  Status s = policy.PinForSend("https://localhost/commands/x", false, &pinned);
  BOOST_CHECK(!s.ok());
  BOOST_CHECK(s.message().find("not a public address") != std::string::npos);
  // Configured webhooks and operator origins are the operator's choice.
  BOOST_CHECK(policy.PinForSend("http://127.0.0.1:9/webhook", true, &pinned).ok());
  BOOST_CHECK(pinned.empty());
  ReplyUrlPolicy with_origin({"http://127.0.0.1:9"});
  BOOST_CHECK(with_origin.PinForSend("http://127.0.0.1:9/hooks/x", false, &pinned).ok());
  // Not listed: refused before any lookup.
  BOOST_CHECK(!with_origin.PinForSend("http://127.0.0.1:2375/x", false, &pinned).ok());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
