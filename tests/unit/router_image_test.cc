#define BOOST_TEST_DYN_LINK
#include "bot/router_image.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <map>
#include <string>

using namespace sandbot;

namespace {

// Names and sizes of the entries of a ustar archive (short names only).
std::map<std::string, size_t> TarNames(const std::string& tar) {
  std::map<std::string, size_t> out;
  size_t at = 0;
  while (at + 512 <= tar.size() && tar[at] != '\0') {
    std::string name(tar.c_str() + at, strnlen(tar.c_str() + at, 100));
    size_t size = std::strtoull(tar.substr(at + 124, 12).c_str(), nullptr, 8);
    out[name] = size;
    at += 512 + (size + 511) / 512 * 512;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(router_image)

BOOST_AUTO_TEST_CASE(context_holds_binary_libraries_and_interpreter) {
  std::string tar;
  std::vector<std::string> files;
  BOOST_REQUIRE(RouterImageContext(&tar, &files).ok());
  std::map<std::string, size_t> names = TarNames(tar);
  BOOST_REQUIRE(names.count("Dockerfile"));
  BOOST_CHECK(names.count("rootfs/sandbot"));
  BOOST_CHECK_GT(names["rootfs/sandbot"], 1000u);
  bool libc = false, interpreter = false;
  for (const auto& [name, size] : names) {
    libc = libc || name.find("/libc.so.6") != std::string::npos;
    interpreter = interpreter || name.find("/ld-linux") != std::string::npos;
  }
  BOOST_CHECK(libc);
  BOOST_CHECK(interpreter);
  BOOST_CHECK_EQUAL(files.front(), "/sandbot");
  // The entry point is the router, as JSON (no shell form).
  const size_t dockerfile_at = tar.find("FROM scratch");
  BOOST_REQUIRE(dockerfile_at != std::string::npos);
  BOOST_CHECK(tar.find("ENTRYPOINT [\"/sandbot\", \"router\"]", dockerfile_at) !=
              std::string::npos);
}

BOOST_AUTO_TEST_CASE(tag_follows_the_binary) {
  std::string a, b;
  BOOST_REQUIRE(RouterImageTag(&a).ok());
  BOOST_REQUIRE(RouterImageTag(&b).ok());
  BOOST_CHECK_EQUAL(a, b);
  BOOST_CHECK(a.rfind("sandbot/router:", 0) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
