#define BOOST_TEST_DYN_LINK
#include "bot/http_head.h"

#include <boost/test/unit_test.hpp>
#include <string>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(http_head)

BOOST_AUTO_TEST_CASE(a_head_ends_at_its_empty_line) {
  const struct {
    std::string buf;
    size_t from;
    bool bare_lf;
    size_t end;
  } cases[] = {
      {"GET / HTTP/1.1\r\nHost: a\r\n\r\nbody", 0, false, 27},
      {"GET / HTTP/1.1\r\nHost: a\r\n", 0, false, std::string::npos},  // not all here yet
      {"GET / HTTP/1.1\nHost: a\n\n", 0, false, std::string::npos},    // a client: CRLF only
      {"HTTP/1.1 200 OK\nA: b\n\nbody", 0, true, 22},
      {"HTTP/1.1 200 OK\nA: b\n\r\nbody", 0, true, 23},
      {"HTTP/1.1 200 OK\r\nA: b\r\n\r\n", 0, true, 25},
      {"xxHTTP/1.1 204 No Content\r\n\r\n", 2, false, 29},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.buf) { BOOST_CHECK_EQUAL(HeadEnd(c.buf, c.from, c.bare_lf), c.end); }
  }
}

BOOST_AUTO_TEST_CASE(heads_are_read_strictly) {
  const struct {
    std::string text;
    bool bare_lf;
    bool ok;
  } cases[] = {
      {"GET /a?b=c HTTP/1.1\r\nHost: web\r\nX-Empty:\r\n\r\n", false, true},
      {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", true, true},
      {"HTTP/1.1 200 Very Fine Indeed\r\n\r\n", true, true},         // a reason with spaces
      {"HTTP/1.1 200\r\n\r\n", true, true},                          // no reason phrase
      {"HTTP/1.0 200 OK\nContent-Type: text/html\n\n", true, true},  // a CGI through busybox
      {"GET / HTTP/1.1\nHost: web\n\n", false, false},               // a client: CRLF only
      {"GET / HTTP/1.1\r\nHost : web\r\n\r\n", false, false},        // blank before the colon
      {"GET / HTTP/1.1\r\nHost: web\r\n folded\r\n\r\n", false, false},
      {"GET / HTTP/1.1\r\n: no name\r\n\r\n", false, false},
      {"GET / HTTP/1.1\r\nno colon\r\n\r\n", false, false},
      {"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", false, false},             // a bare CR inside a value
      {"GET / HTTP/1.1\r\nHost: web\r\n", false, false},               // no empty line
      {"GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n", false, false},  // more than one head
      {"GET\r\n\r\n", false, false},
      {" / HTTP/1.1\r\n\r\n", false, false},
      {"\r\n\r\n", false, false},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.text) {
      HttpHead head;
      BOOST_CHECK_EQUAL(ParseHead(c.text, &head, c.bare_lf), c.ok);
    }
  }
}

BOOST_AUTO_TEST_CASE(fields_keep_their_order_case_and_trimmed_values) {
  HttpHead head;
  BOOST_REQUIRE(
      ParseHead("POST /pay HTTP/1.1\r\nHost:  payment:8080 \r\nConnection: keep-alive, Upgrade\r\n"
                "Upgrade: websocket\r\nX-Two: 1\r\nx-two: 2\r\n\r\n",
                &head, false));
  BOOST_CHECK_EQUAL(head.first[0], "POST");
  BOOST_CHECK_EQUAL(head.first[1], "/pay");
  BOOST_CHECK_EQUAL(head.first[2], "HTTP/1.1");
  BOOST_REQUIRE(head.Get("host") != nullptr);
  BOOST_CHECK_EQUAL(*head.Get("host"), "payment:8080");
  BOOST_CHECK_EQUAL(*head.Get("x-two"), "1");  // the first of two
  BOOST_CHECK_EQUAL(head.headers[4].first, "x-two");
  BOOST_CHECK(head.HasToken("connection", "upgrade"));
  BOOST_CHECK(head.HasToken("connection", "keep-alive"));
  BOOST_CHECK(!head.HasToken("connection", "close"));
  BOOST_CHECK(!head.HasToken("connection", "grade"));  // whole tokens, not parts
  BOOST_CHECK(head.Get("content-length") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_body_is_framed_only_when_its_end_is_certain) {
  const struct {
    std::string fields;
    bool is_response;
    bool ok;
    bool chunked;
    long long length;
  } cases[] = {
      {"", false, true, false, 0},  // a request without a body
      {"", true, true, false, -1},  // an answer that ends when the connection does
      {"Content-Length: 42\r\n", false, true, false, 42},
      {"Content-Length: 42\r\nContent-Length: 42\r\n", false, true, false, 42},
      {"Content-Length: 42, 42\r\n", false, true, false, 42},
      {"Content-Length: 42\r\nContent-Length: 43\r\n", false, false, false, 0},
      {"Content-Length: -1\r\n", false, false, false, 0},
      {"Content-Length: 4x\r\n", false, false, false, 0},
      {"Content-Length: +4\r\n", false, false, false, 0},
      {"Content-Length:\r\n", false, false, false, 0},
      {"Content-Length: 9999999999999999999\r\n", false, false, false, 0},
      {"Transfer-Encoding: chunked\r\n", false, true, true, 0},
      {"Transfer-Encoding: gzip, Chunked\r\n", false, true, true, 0},
      {"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", false, true, true, 0},
      {"Transfer-Encoding: chunked, gzip\r\n", false, false, false, 0},  // length unknown
      {"Transfer-Encoding: chunked, gzip\r\n", true, true, false, -1},   // read until close
      {"Transfer-Encoding: xchunked\r\n", false, false, false, 0},
      // Both: a request is refused (smuggling), an answer is chunked.
      {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", false, false, false, 0},
      {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", true, true, true, 0},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.fields << (c.is_response ? " (answer)" : " (request)")) {
      HttpHead head;
      const std::string text =
          (c.is_response ? "HTTP/1.1 200 OK\r\n" : "POST / HTTP/1.1\r\n") + c.fields + "\r\n";
      BOOST_REQUIRE(ParseHead(text, &head, false));
      Framing framing;
      BOOST_CHECK_EQUAL(BodyFraming(head, c.is_response, &framing), c.ok);
      if (c.ok) {
        BOOST_CHECK_EQUAL(framing.chunked, c.chunked);
        if (!c.chunked) BOOST_CHECK_EQUAL(framing.length, c.length);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(chunk_sizes_are_hex_with_optional_extensions) {
  const struct {
    std::string line;
    bool ok;
    long long size;
  } cases[] = {
      {"0\r\n", true, 0},
      {"1a\r\n", true, 26},
      {"FF\r\n", true, 255},
      {"10;name=value\r\n", true, 16},
      {"10 ;name\r\n", true, 16},
      {"fffffffffffffff\r\n", true, 0xfffffffffffffffLL},
      {"1000000000000000\r\n", false, 0},  // 16 digits
      {"\r\n", false, 0},
      {"zz\r\n", false, 0},
      {"-5\r\n", false, 0},
      {"0x10\r\n", false, 0},
      {"10 \r\n", false, 0},
      {"10\n", false, 0},
      {"10", false, 0},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.line) {
      long long size = -1;
      BOOST_CHECK_EQUAL(ParseChunkSize(c.line, &size), c.ok);
      if (c.ok) BOOST_CHECK_EQUAL(size, c.size);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
