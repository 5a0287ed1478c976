#define BOOST_TEST_DYN_LINK
#include "hooks/tar_writer.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <string>

namespace sandbot {
namespace {

// The header's checksum field read back, and the byte sum it must equal.
void CheckChecksum(const std::string& header) {
  BOOST_REQUIRE_EQUAL(header.size(), 512u);
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) {
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(header[i]);
  }
  BOOST_CHECK_EQUAL(std::strtoul(header.substr(148, 7).c_str(), nullptr, 8), sum);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tar_writer)

BOOST_AUTO_TEST_CASE(pax_record_counts_its_own_length) {
  BOOST_TEST(tar::PaxRecord("path", "abc") == "12 path=abc\n");
  // " path=" + value + "\n" is 97 bytes: 99 in total, still two digits.
  BOOST_TEST(tar::PaxRecord("path", std::string(90, 'x')).size() == 99u);
  // One more byte makes 100, which needs a third digit: 101.
  std::string r = tar::PaxRecord("path", std::string(91, 'x'));
  BOOST_TEST(r.size() == 101u);
  BOOST_TEST(r.substr(0, 4) == "101 ");
  for (size_t n = 0; n < 2000; ++n) {
    std::string rec = tar::PaxRecord("linkpath", std::string(n, 'y'));
    BOOST_REQUIRE_EQUAL(std::stoul(rec.substr(0, rec.find(' '))), rec.size());
  }
}

BOOST_AUTO_TEST_CASE(file_entry_is_a_header_and_padded_data) {
  std::string out;
  tar::AppendEntry(&out, {"a.txt", '0', 0644, 3, ""}, 1609556645, "hi\n");
  BOOST_REQUIRE_EQUAL(out.size(), 1024u);
  BOOST_CHECK_EQUAL(out.substr(0, 6), std::string("a.txt\0", 6));
  BOOST_CHECK_EQUAL(out.substr(100, 8), std::string("0000644\0", 8));
  BOOST_CHECK_EQUAL(out.substr(124, 12), std::string("00000000003\0", 12));
  BOOST_CHECK_EQUAL(out.substr(136, 12), std::string("13773761245\0", 12));  // octal time
  BOOST_CHECK_EQUAL(out[156], '0');
  BOOST_CHECK_EQUAL(out.substr(257, 8), std::string("ustar\0"
                                                    "00",
                                                    8));
  CheckChecksum(out.substr(0, 512));
  BOOST_CHECK_EQUAL(out.substr(512, 4), std::string("hi\n\0", 4));
  tar::Finish(&out);
  BOOST_CHECK_EQUAL(out.size(), 2048u);
  BOOST_CHECK_EQUAL(out.find_first_not_of('\0', 1024), std::string::npos);
}

BOOST_AUTO_TEST_CASE(long_names_get_a_pax_header) {
  const std::string name = std::string(70, 'a') + "/" + std::string(79, 'b');  // 150 bytes
  std::string out;
  tar::AppendEntry(&out, {name, '2', 0777, 0, "target"}, 0, nullptr);
  // pax header, its record (one block), then the entry's own header.
  BOOST_REQUIRE_EQUAL(out.size(), 3 * 512u);
  BOOST_CHECK_EQUAL(out[156], 'x');
  BOOST_CHECK_EQUAL(out.substr(0, 11 + 79), "PaxHeaders/" + std::string(79, 'b'));
  CheckChecksum(out.substr(0, 512));
  const std::string record = tar::PaxRecord("path", name);
  BOOST_CHECK_EQUAL(out.substr(512, record.size()), record);
  BOOST_CHECK_EQUAL(out[1024 + 156], '2');
  BOOST_CHECK_EQUAL(out.substr(1024 + 157, 7), std::string("target\0", 7));
  CheckChecksum(out.substr(1024, 512));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace sandbot
