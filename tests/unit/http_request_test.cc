// The chat listener's request parser and response writer (bot/http_request.h):
// what ParseRequestHead accepts, what it refuses with which status, and the
// exact bytes SerializeResponse writes.
#define BOOST_TEST_DYN_LINK
#include "bot/http_request.h"

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>

namespace sandbot {
namespace {

using Kind = HeadResult::Kind;

constexpr size_t kMaxHead = 16 * 1024;

HeadResult Parse(const std::string& data, HttpRequest* request, size_t max_head = kMaxHead) {
  return ParseRequestHead(data, max_head, request);
}

HeadResult Parse(const std::string& data, size_t max_head = kMaxHead) {
  HttpRequest request;
  return ParseRequestHead(data, max_head, &request);
}

// The status a refused head gets, 0 when it was not refused.
int RefusedWith(const std::string& data, size_t max_head = kMaxHead) {
  HeadResult r = Parse(data, max_head);
  return r.kind == Kind::kBad ? r.status : 0;
}

// A request with these header lines (each without its CRLF).
std::string WithHeaders(std::initializer_list<std::string> lines) {
  std::string out = "GET / HTTP/1.1\r\n";
  for (const std::string& line : lines) out += line + "\r\n";
  return out + "\r\n";
}

HttpRequest Request(int minor_version, std::initializer_list<std::string> lines) {
  HttpRequest request;
  std::string head = "GET / HTTP/1." + std::to_string(minor_version) + "\r\n";
  for (const std::string& line : lines) head += line + "\r\n";
  head += "\r\n";
  HeadResult r = Parse(head, &request);
  BOOST_REQUIRE(r.kind == Kind::kHead);
  return request;
}

BOOST_AUTO_TEST_SUITE(http_request)

BOOST_AUTO_TEST_CASE(a_complete_get_is_parsed_into_method_path_version_and_headers) {
  const std::string head = "GET /healthz HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
  HttpRequest request;
  HeadResult r = Parse(head, &request);
  BOOST_REQUIRE(r.kind == Kind::kHead);
  BOOST_CHECK_EQUAL(r.head_bytes, head.size());
  BOOST_CHECK_EQUAL(r.content_length, 0u);
  BOOST_CHECK_EQUAL(request.method, "GET");
  BOOST_CHECK_EQUAL(request.path, "/healthz");
  BOOST_CHECK_EQUAL(request.query, "");
  BOOST_CHECK_EQUAL(request.minor_version, 1);
  BOOST_REQUIRE_EQUAL(request.headers.size(), 2u);
  BOOST_CHECK_EQUAL(request.headers[0].first, "Host");
  BOOST_CHECK_EQUAL(request.headers[0].second, "example.com");
  BOOST_CHECK_EQUAL(request.headers[1].first, "Accept");
  BOOST_CHECK_EQUAL(request.headers[1].second, "*/*");
}

BOOST_AUTO_TEST_CASE(a_post_reports_its_head_size_and_content_length_and_leaves_the_body) {
  const std::string head =
      "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 13\r\n\r\n";
  const std::string data = head + "{\"ok\":true}\r\nGET / HTTP/1.1\r\n";  // body, then more
  HttpRequest request;
  HeadResult r = Parse(data, &request);
  BOOST_REQUIRE(r.kind == Kind::kHead);
  BOOST_CHECK_EQUAL(r.head_bytes, head.size());
  BOOST_CHECK_EQUAL(r.content_length, 13u);
  BOOST_CHECK_EQUAL(request.method, "POST");
  BOOST_CHECK_EQUAL(request.path, "/slack/events");
  BOOST_CHECK_EQUAL(request.body, "");  // the parser reads heads only
}

BOOST_AUTO_TEST_CASE(a_head_arriving_byte_by_byte_needs_more_until_its_blank_line) {
  const std::string head = "POST /a?b=c HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n";
  for (size_t n = 0; n < head.size(); ++n) {
    HttpRequest request;
    HeadResult r = Parse(head.substr(0, n), &request);
    BOOST_CHECK_MESSAGE(r.kind == Kind::kNeedMore, "after " << n << " bytes");
  }
  HttpRequest request;
  HeadResult r = Parse(head, &request);
  BOOST_REQUIRE(r.kind == Kind::kHead);
  BOOST_CHECK_EQUAL(r.head_bytes, head.size());
  BOOST_CHECK_EQUAL(r.content_length, 4u);
  BOOST_CHECK_EQUAL(request.path, "/a");
  BOOST_CHECK_EQUAL(request.query, "b=c");
}

BOOST_AUTO_TEST_CASE(empty_lines_before_the_request_line_are_skipped_and_counted_in_the_head) {
  const std::string head = "\r\n\r\nGET /x HTTP/1.1\r\nHost: y\r\n\r\n";
  HttpRequest request;
  HeadResult r = Parse(head, &request);
  BOOST_REQUIRE(r.kind == Kind::kHead);
  BOOST_CHECK_EQUAL(r.head_bytes, head.size());
  BOOST_CHECK_EQUAL(request.method, "GET");
  BOOST_CHECK_EQUAL(request.path, "/x");
  BOOST_CHECK_EQUAL(request.HeaderValue("host"), "y");
  // Only empty lines so far: wait for the request line.
  BOOST_CHECK(Parse("\r\n").kind == Kind::kNeedMore);
  BOOST_CHECK(Parse("\r\n\r\n").kind == Kind::kNeedMore);
  BOOST_CHECK(Parse("\r\n\r\nGET / HTTP/1.1\r\n").kind == Kind::kNeedMore);
}

BOOST_AUTO_TEST_CASE(the_query_is_split_from_the_path_at_the_first_question_mark) {
  HttpRequest request;
  BOOST_REQUIRE(Parse("GET /search?q=a%20b&x=?y HTTP/1.1\r\n\r\n", &request).kind == Kind::kHead);
  BOOST_CHECK_EQUAL(request.path, "/search");
  BOOST_CHECK_EQUAL(request.query, "q=a%20b&x=?y");  // undecoded
  BOOST_REQUIRE(Parse("GET /empty? HTTP/1.1\r\n\r\n", &request).kind == Kind::kHead);
  BOOST_CHECK_EQUAL(request.path, "/empty");
  BOOST_CHECK_EQUAL(request.query, "");
  BOOST_REQUIRE(Parse("GET /?only HTTP/1.1\r\n\r\n", &request).kind == Kind::kHead);
  BOOST_CHECK_EQUAL(request.path, "/");
  BOOST_CHECK_EQUAL(request.query, "only");
}

BOOST_AUTO_TEST_CASE(header_names_match_case_insensitively_and_values_are_trimmed) {
  HttpRequest request =
      Request(1, {"X-Slack-Signature:  \tv0=abc \t ", "content-TYPE:text/plain",
                  "X-Empty:", "X-Twice: first", "x-twice: second", "X-Inner: a \t b"});
  BOOST_REQUIRE(request.Header("x-slack-signature") != nullptr);
  BOOST_CHECK_EQUAL(*request.Header("x-slack-signature"), "v0=abc");
  BOOST_CHECK_EQUAL(request.HeaderValue("X-SLACK-SIGNATURE"), "v0=abc");
  BOOST_CHECK_EQUAL(request.HeaderValue("Content-Type"), "text/plain");
  BOOST_CHECK(request.HasHeader("x-empty"));
  BOOST_CHECK_EQUAL(request.HeaderValue("x-empty"), "");
  BOOST_CHECK_EQUAL(request.HeaderValue("X-Twice"), "first");   // the first of that name
  BOOST_CHECK_EQUAL(request.HeaderValue("X-Inner"), "a \t b");  // only the ends are trimmed
  BOOST_CHECK(!request.HasHeader("X-Missing"));
  BOOST_CHECK(request.Header("X-Missing") == nullptr);
  BOOST_CHECK_EQUAL(request.HeaderValue("X-Missing"), "");
  BOOST_CHECK(!request.HasHeader("X-Slack"));  // no prefix matches
  // Names are kept as sent.
  BOOST_CHECK_EQUAL(request.headers[1].first, "content-TYPE");
}

BOOST_AUTO_TEST_CASE(repeated_equal_content_lengths_are_accepted_and_conflicting_ones_refused) {
  HeadResult r = Parse(WithHeaders({"Content-Length: 5", "content-length: 5"}));
  BOOST_REQUIRE(r.kind == Kind::kHead);
  BOOST_CHECK_EQUAL(r.content_length, 5u);
  r = Parse(WithHeaders({"Content-Length: 5", "Content-Length: 6"}));
  BOOST_REQUIRE(r.kind == Kind::kBad);
  BOOST_CHECK_EQUAL(r.status, 400);
  BOOST_CHECK(!r.reason.empty());
  BOOST_CHECK_EQUAL(RefusedWith(WithHeaders({"Content-Length: 0", "Content-Length: 00001"})), 400);
  BOOST_CHECK_EQUAL(Parse(WithHeaders({"Content-Length: 007"})).content_length, 7u);
  BOOST_CHECK_EQUAL(Parse(WithHeaders({"Content-Length: 0"})).content_length, 0u);
}

BOOST_AUTO_TEST_CASE(a_content_length_that_is_not_all_digits_is_refused_with_400) {
  for (const char* value : {"", "-1", "+5", "5 5", "5,5", "0x10", "1e3", "five", "5.0"}) {
    BOOST_CHECK_MESSAGE(RefusedWith(WithHeaders({std::string("Content-Length: ") + value})) == 400,
                        "Content-Length: " << value);
  }
}

BOOST_AUTO_TEST_CASE(a_content_length_of_16_or_more_digits_parses_as_too_large_to_serve) {
  // Over every body limit: the server answers 413 without overflowing.
  for (const char* value : {"1000000000000000", "99999999999999999999999999999999999999"}) {
    HeadResult r = Parse(WithHeaders({std::string("Content-Length: ") + value}));
    BOOST_REQUIRE_MESSAGE(r.kind == Kind::kHead, value);
    BOOST_CHECK_EQUAL(r.content_length, SIZE_MAX);
  }
  HeadResult r = Parse(WithHeaders({"Content-Length: 999999999999999"}));  // 15 digits: exact
  BOOST_REQUIRE(r.kind == Kind::kHead);
  BOOST_CHECK_EQUAL(r.content_length, 999999999999999u);
  // Leading zeros are not digits that count.
  r = Parse(WithHeaders({"Content-Length: 00000000000000000005"}));
  BOOST_REQUIRE(r.kind == Kind::kHead);
  BOOST_CHECK_EQUAL(r.content_length, 5u);
  r = Parse(WithHeaders({"Content-Length: 0000000000000000000"}));
  BOOST_REQUIRE(r.kind == Kind::kHead);
  BOOST_CHECK_EQUAL(r.content_length, 0u);
}

BOOST_AUTO_TEST_CASE(a_transfer_encoding_is_refused_with_411) {
  BOOST_CHECK_EQUAL(RefusedWith(WithHeaders({"Transfer-Encoding: chunked"})), 411);
  BOOST_CHECK_EQUAL(RefusedWith(WithHeaders({"transfer-encoding: identity"})), 411);
  BOOST_CHECK_EQUAL(RefusedWith(WithHeaders({"Content-Length: 3", "Transfer-Encoding: chunked"})),
                    411);
}

BOOST_AUTO_TEST_CASE(versions_other_than_http_1_0_and_1_1_are_refused_with_505) {
  BOOST_CHECK_EQUAL(RefusedWith("GET / HTTP/2.0\r\n\r\n"), 505);
  BOOST_CHECK_EQUAL(RefusedWith("GET / HTTP/1.2\r\n\r\n"), 505);
  BOOST_CHECK_EQUAL(RefusedWith("GET / HTTP/0.9\r\n\r\n"), 505);
  // Not a version at all.
  BOOST_CHECK_EQUAL(RefusedWith("GET / HTTP/1\r\n\r\n"), 400);
  BOOST_CHECK_EQUAL(RefusedWith("GET / HTTP/11.1\r\n\r\n"), 400);
  BOOST_CHECK_EQUAL(RefusedWith("GET / http/1.1\r\n\r\n"), 400);
  BOOST_CHECK_EQUAL(RefusedWith("GET / HTTP/1,1\r\n\r\n"), 400);
  HttpRequest request;
  BOOST_REQUIRE(Parse("GET / HTTP/1.0\r\n\r\n", &request).kind == Kind::kHead);
  BOOST_CHECK_EQUAL(request.minor_version, 0);
}

BOOST_AUTO_TEST_CASE(a_malformed_request_line_is_refused_with_400) {
  for (const char* line :
       {"GET /", "GET", "GET  / HTTP/1.1", "GET /  HTTP/1.1", " GET / HTTP/1.1", "GET / HTTP/1.1 ",
        "GET / x HTTP/1.1", "GET\t/ HTTP/1.1", "GET x HTTP/1.1", "GET * HTTP/1.1",
        "GET http://example.com/ HTTP/1.1", "G(T / HTTP/1.1", "GET /a\x7f HTTP/1.1",
        "GET /\x01 HTTP/1.1", "GET /\tx HTTP/1.1"}) {
    BOOST_CHECK_MESSAGE(RefusedWith(std::string(line) + "\r\n\r\n") == 400, "'" << line << "'");
  }
}

BOOST_AUTO_TEST_CASE(a_malformed_header_line_is_refused_with_400) {
  for (const char* line : {"NoColon", "Host : x", "Host\t: x", ": x", " Folded: x", "\tFolded: x",
                           "Bad Name: x", "Bad(Name): x", "Host x: y"}) {
    BOOST_CHECK_MESSAGE(RefusedWith(WithHeaders({"Host: a", line})) == 400, "'" << line << "'");
  }
  // A continuation line (obsolete folding) after a good header.
  BOOST_CHECK_EQUAL(RefusedWith(WithHeaders({"X-Long: a", " b"})), 400);
}

BOOST_AUTO_TEST_CASE(a_control_character_in_a_header_value_is_refused_with_400) {
  for (const std::string& value : {std::string("a\x01z"), std::string("a\rz"), std::string("a\nz"),
                                   std::string("a\x7fz"), std::string("a\0z", 3)}) {
    BOOST_CHECK_MESSAGE(RefusedWith(WithHeaders({"X-Value: " + value})) == 400,
                        "value of " << value.size() << " bytes");
  }
  // A tab inside a value is allowed.
  BOOST_CHECK(Parse(WithHeaders({"X-Value: a\tz"})).kind == Kind::kHead);
  // Bytes over 0x7f (obs-text) are allowed too.
  BOOST_CHECK(Parse(WithHeaders({"X-Value: caf\xc3\xa9"})).kind == Kind::kHead);
}

BOOST_AUTO_TEST_CASE(a_head_over_the_limit_is_refused_with_431_complete_or_not) {
  const std::string big = WithHeaders({"X-Pad: " + std::string(300, 'a')});
  BOOST_REQUIRE_GT(big.size(), 256u);
  // Complete.
  HeadResult r = Parse(big, 256);
  BOOST_REQUIRE(r.kind == Kind::kBad);
  BOOST_CHECK_EQUAL(r.status, 431);
  BOOST_CHECK(!r.reason.empty());
  // Incomplete: refused as soon as the limit is passed, without waiting for the end.
  BOOST_CHECK_EQUAL(RefusedWith(big.substr(0, 280), 256), 431);
  BOOST_CHECK_EQUAL(RefusedWith(std::string(100000, 'a'), 256), 431);
  // Under the limit, incomplete: wait.
  BOOST_CHECK(Parse(big.substr(0, 200), 256).kind == Kind::kNeedMore);
  // The same head under a larger limit is fine.
  BOOST_CHECK(Parse(big, 1024).kind == Kind::kHead);
}

BOOST_AUTO_TEST_CASE(whether_a_head_is_refused_does_not_depend_on_how_it_arrives) {
  // Heads just under, at and over a limit, fed in every prefix: each prefix
  // needs more or gets the answer the whole head gets, never a different one.
  const std::string base = "GET / HTTP/1.1\r\nX-Pad: ";
  for (size_t pad = 90; pad <= 110; ++pad) {
    const std::string head = base + std::string(pad, 'p') + "\r\n\r\n";
    const size_t max_head = 120;
    HeadResult whole = Parse(head, max_head);
    BOOST_REQUIRE(whole.kind != Kind::kNeedMore);
    for (size_t n = 0; n < head.size(); ++n) {
      HeadResult part = Parse(head.substr(0, n), max_head);
      if (part.kind == Kind::kNeedMore) continue;
      BOOST_CHECK_MESSAGE(part.kind == whole.kind && part.status == whole.status,
                          "head of " << head.size() << " bytes refused with " << part.status
                                     << " after " << n << " bytes, whole head gets "
                                     << whole.status);
    }
  }
}

BOOST_AUTO_TEST_CASE(endless_empty_lines_before_a_request_line_count_against_the_limit) {
  // Otherwise a client could make the server buffer without bound.
  std::string lines;
  for (int i = 0; i < 10000; ++i) lines += "\r\n";
  BOOST_CHECK_EQUAL(RefusedWith(lines, 1024), 431);
  BOOST_CHECK_EQUAL(RefusedWith(lines + "GET / HTTP/1.1\r\n\r\n", 1024), 431);
  // A few are fine.
  BOOST_CHECK(Parse("\r\n\r\nGET / HTTP/1.1\r\n\r\n", 1024).kind == Kind::kHead);
}

BOOST_AUTO_TEST_CASE(keep_alive_follows_the_version_and_the_connection_tokens) {
  BOOST_CHECK(Request(1, {}).KeepAlive());
  BOOST_CHECK(!Request(1, {"Connection: close"}).KeepAlive());
  BOOST_CHECK(!Request(1, {"connection: CLOSE"}).KeepAlive());
  BOOST_CHECK(Request(1, {"Connection: keep-alive"}).KeepAlive());
  BOOST_CHECK(!Request(1, {"Connection: Upgrade, close"}).KeepAlive());
  BOOST_CHECK(!Request(1, {"Connection: keep-alive,close"}).KeepAlive());
  BOOST_CHECK(Request(1, {"Connection: closed"}).KeepAlive());  // a token, not a prefix
  BOOST_CHECK(!Request(0, {}).KeepAlive());
  BOOST_CHECK(Request(0, {"Connection: keep-alive"}).KeepAlive());
  BOOST_CHECK(Request(0, {"Connection: Keep-Alive"}).KeepAlive());
  BOOST_CHECK(Request(0, {"Connection: keep-alive, Upgrade"}).KeepAlive());
  BOOST_CHECK(Request(0, {"Connection: Upgrade ,\tkeep-alive"}).KeepAlive());
  BOOST_CHECK(!Request(0, {"Connection: Upgrade"}).KeepAlive());
  BOOST_CHECK(!Request(0, {"Connection: keep-alive, close"}).KeepAlive());
}

BOOST_AUTO_TEST_CASE(expects_continue_only_for_expect_100_continue) {
  BOOST_CHECK(Request(1, {"Expect: 100-continue"}).ExpectsContinue());
  BOOST_CHECK(Request(1, {"expect: 100-Continue"}).ExpectsContinue());
  BOOST_CHECK(!Request(1, {}).ExpectsContinue());
  BOOST_CHECK(!Request(1, {"Expect: 200-ok"}).ExpectsContinue());
  BOOST_CHECK(!Request(1, {"Expect: 100-continued"}).ExpectsContinue());
}

BOOST_AUTO_TEST_CASE(serialize_response_writes_status_type_length_and_body) {
  HttpResponse response;
  response.Set("{\"ok\":true}", "application/json");
  BOOST_CHECK_EQUAL(SerializeResponse(response, false),
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    "Content-Length: 11\r\n\r\n{\"ok\":true}");
  HttpResponse empty;
  BOOST_CHECK_EQUAL(SerializeResponse(empty, false),
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(serialize_response_with_close_adds_connection_close) {
  HttpResponse response;
  response.status = 413;
  response.body = "request too large\n";
  BOOST_CHECK_EQUAL(SerializeResponse(response, true),
                    "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/plain\r\n"
                    "Content-Length: 18\r\nConnection: close\r\n\r\nrequest too large\n");
  response.status = 404;
  response.body = "";
  BOOST_CHECK_EQUAL(SerializeResponse(response, true),
                    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                    "Content-Length: 0\r\nConnection: close\r\n\r\n");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
