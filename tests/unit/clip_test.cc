#define BOOST_TEST_DYN_LINK
#include "templates/clip.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(clip)

BOOST_AUTO_TEST_CASE(utf8_is_checked_and_repaired) {
  BOOST_CHECK(IsValidUtf8("plain 日本語 🚀"));
  BOOST_CHECK(!IsValidUtf8("bad\xFF"));
  BOOST_CHECK(!IsValidUtf8("\xC0\xAF"));          // overlong
  BOOST_CHECK(!IsValidUtf8("\xED\xA0\x80"));      // surrogate
  BOOST_CHECK(!IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  BOOST_CHECK(!IsValidUtf8("\xE6\x97"));          // cut short
  BOOST_CHECK_EQUAL(ValidUtf8("a\xFF"
                              "b"),
                    "a\xEF\xBF\xBD"
                    "b");
  BOOST_CHECK_EQUAL(Utf8Length("日", 0), 3u);
}

BOOST_AUTO_TEST_CASE(clips_on_character_and_entity_boundaries) {
  BOOST_CHECK_EQUAL(Clip("short", 10), "short");
  BOOST_CHECK_EQUAL(Clip("abcdefghij", 6), "abc\xE2\x80\xA6");
  // "日" is 3 bytes: never cut inside it.
  BOOST_CHECK_EQUAL(CutPoint("日本", 4), 3u);
  BOOST_CHECK_EQUAL(CutPoint("a &amp; b", 5), 2u);
  BOOST_CHECK_EQUAL(Clip("ab", 2), "ab");
  BOOST_CHECK_EQUAL(Clip("abcdef", 2), "ab");  // no room for "…"
  BOOST_CHECK_EQUAL(ClipLines("line one\nline two\nline three", 21),
                    "line one\nline two\n\xE2\x80\xA6");
}

BOOST_AUTO_TEST_CASE(chunks_split_at_line_ends) {
  std::vector<std::string> c = Chunks("aaaa\nbbbb\ncccc", 10, 5);
  BOOST_REQUIRE_EQUAL(c.size(), 2u);
  BOOST_CHECK_EQUAL(c[0], "aaaa\nbbbb");
  BOOST_CHECK_EQUAL(c[1], "cccc");
  c = Chunks(std::string(100, 'x'), 10, 3);
  BOOST_REQUIRE_EQUAL(c.size(), 3u);
  for (const std::string& piece : c) BOOST_CHECK_LE(piece.size(), 10u);
}

BOOST_AUTO_TEST_CASE(lines_are_shaped) {
  BOOST_CHECK_EQUAL(OneLine("a\nb\tc\rd"), "a b c d");
  BOOST_CHECK_EQUAL(ReplaceAll("a-b-c", "-", "--"), "a--b--c");
  BOOST_CHECK_EQUAL(TidyLines("\n\na\n\n\n\nb \n\n"), "a\n\nb");
}

BOOST_AUTO_TEST_SUITE_END()
