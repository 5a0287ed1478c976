#define BOOST_TEST_DYN_LINK
#include "bot/docker_stream.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>
#include <vector>

using namespace sandbot;

namespace {

// Feeds `data` to a parser in pieces of `chunk` bytes and collects the lines.
struct Parsed {
  std::vector<std::string> lines;
  bool failed = false;
  std::string error, aux_id;
};

Parsed ParseInChunks(const std::string& data, size_t chunk) {
  Parsed p;
  EngineStreamParser parser([&p](const std::string& line) { p.lines.push_back(line); });
  for (size_t i = 0; i < data.size(); i += chunk) {
    parser.Feed(data.data() + i, std::min(chunk, data.size() - i));
  }
  parser.Finish();
  p.failed = parser.failed();
  p.error = parser.error();
  p.aux_id = parser.aux_id();
  return p;
}

std::string Frame(int stream, const std::string& payload) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  h[4] = static_cast<char>(n >> 24);
  h[5] = static_cast<char>(n >> 16);
  h[6] = static_cast<char>(n >> 8);
  h[7] = static_cast<char>(n);
  return h + payload;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(docker_stream)

BOOST_AUTO_TEST_CASE(stream_parser_build_output_any_chunking) {
  const std::string data =
      "{\"stream\":\"Step 1/2 : FROM sandbot/busybox\\n\"}\r\n"
      "{\"stream\":\" ---\\u003e d0bc0705a683\\n\"}\n"
      "\n"
      "{\"stream\":\"partial \"}\n"
      "{\"stream\":\"line\\nsecond\\n\\n\"}\n"
      "{\"stream\":\"\\u001b[91mto-stderr\\n\\u001b[0m\"}\n"
      "{\"aux\":{\"ID\":\"sha256:abc\"}}\n"
      "{\"stream\":\"Successfully built ee1448486051\\n\"}\n";
  const std::vector<std::string> want = {"Step 1/2 : FROM sandbot/busybox",
                                         " ---> d0bc0705a683",
                                         "partial line",
                                         "second",
                                         "to-stderr",
                                         "Successfully built ee1448486051"};
  for (size_t chunk : {1, 2, 3, 7, 64, 100000}) {
    Parsed p = ParseInChunks(data, chunk);
    BOOST_TEST_CONTEXT("chunk " << chunk) {
      BOOST_TEST(p.lines == want, boost::test_tools::per_element());
      BOOST_TEST(!p.failed);
      BOOST_TEST(p.aux_id == "sha256:abc");
    }
  }
}

BOOST_AUTO_TEST_CASE(stream_parser_in_band_error) {
  Parsed p = ParseInChunks(
      "{\"stream\":\"Step 2/2 : RUN false\\n\"}\n"
      "{\"errorDetail\":{\"code\":1,\"message\":\"The command '/bin/sh -c false' returned a "
      "non-zero code: 1\"},\"error\":\"The command '/bin/sh -c false' returned a non-zero code: "
      "1\"}\n"
      "{\"error\":\"a second error\"}\n",
      5);
  BOOST_TEST(p.failed);
  BOOST_TEST(p.error == "The command '/bin/sh -c false' returned a non-zero code: 1");
  BOOST_TEST(p.lines == std::vector<std::string>{"Step 2/2 : RUN false"},
             boost::test_tools::per_element());

  p = ParseInChunks("{\"error\":\"only error\\n\"}", 3);  // no final newline
  BOOST_TEST(p.failed);
  BOOST_TEST(p.error == "only error");

  p = ParseInChunks("{\"errorDetail\":{}}\n", 100);
  BOOST_TEST(p.failed);
  BOOST_TEST(!p.error.empty());
}

BOOST_AUTO_TEST_CASE(stream_parser_status_and_noise) {
  Parsed p = ParseInChunks(
      "{\"status\":\"Loading layer\",\"progressDetail\":{\"current\":1,\"total\":9},"
      "\"id\":\"abc\"}\n"
      "{\"status\":\"Loaded\",\"progressDetail\":{},\"id\":\"abc\"}\n"
      "{\"status\":\"sha256:999c\"}\n"
      "not json at all\n"
      "[1,2]\n"
      "{\"stream\":\"tail without newline\"}",
      4);
  BOOST_TEST(!p.failed);
  BOOST_TEST(p.lines == (std::vector<std::string>{"abc: Loaded", "sha256:999c", "not json at all",
                                                  "[1,2]", "tail without newline"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stream_parser_without_sink) {
  EngineStreamParser parser(nullptr);
  std::string data = "{\"stream\":\"x\\n\"}\n";
  parser.Feed(data.data(), data.size());
  parser.Finish();
  BOOST_TEST(!parser.failed());
}

BOOST_AUTO_TEST_CASE(demux_frames) {
  BOOST_TEST(DemuxDockerStream("") == "");
  std::string big(300, 'x');
  std::string raw = Frame(1, "out1\n") + Frame(2, "err1\n") + Frame(1, "") + Frame(1, big);
  BOOST_TEST(DemuxDockerStream(raw) == "out1\nerr1\n" + big);
  // A truncated last frame keeps what arrived.
  BOOST_TEST(DemuxDockerStream(Frame(1, "abc\n") + Frame(2, "defgh").substr(0, 10)) == "abc\nde");
  BOOST_TEST(DemuxDockerStream(Frame(1, "abc\n") + std::string("\x01\0\0", 3)) == "abc\n");
}

BOOST_AUTO_TEST_CASE(demux_raw_tty_stream_unchanged) {
  BOOST_TEST(DemuxDockerStream("hello\nworld\n") == "hello\nworld\n");
  BOOST_TEST(DemuxDockerStream("hi") == "hi");
  // Starts like a header but byte 1 is not zero.
  std::string odd("\x01\x02\0\0\0\0\0\x01z", 9);
  BOOST_TEST(DemuxDockerStream(odd) == odd);
  // A good frame followed by text that is not a header.
  std::string mixed = Frame(1, "ok\n") + "plain text here";
  BOOST_TEST(DemuxDockerStream(mixed) == mixed);
}

BOOST_AUTO_TEST_SUITE_END()
