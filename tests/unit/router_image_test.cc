#define BOOST_TEST_DYN_LINK
#include "bot/router_image.h"

#include <elf.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
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

// With a static sandbot-router beside the test binary (make builds one), the
// image holds it alone; without, the binary, its libraries and the loader.
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
  const bool static_router = !StaticRouterPath().empty();
  BOOST_CHECK_EQUAL(libc, !static_router);
  BOOST_CHECK_EQUAL(interpreter, !static_router);
  // The system CA bundle rides along when this machine has one.
  const bool bundle = std::filesystem::exists("/etc/ssl/certs/ca-certificates.crt");
  BOOST_CHECK_EQUAL(names.count("rootfs/etc/ssl/certs/ca-certificates.crt") == 1, bundle);
  BOOST_CHECK_EQUAL(files.size() == (bundle ? 2u : 1u), static_router);
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

BOOST_AUTO_TEST_CASE(static_elf_is_told_from_dynamic) {
  // The ELF header and program headers lie in the first kilobytes.
  std::ifstream self("/proc/self/exe", std::ios::binary);
  std::string head(64 * 1024, '\0');
  self.read(head.data(), static_cast<std::streamsize>(head.size()));
  BOOST_CHECK(!IsStaticElf(head));  // the test binary has an interpreter
  BOOST_CHECK(!IsStaticElf(""));
  BOOST_CHECK(!IsStaticElf("#!/bin/sh\necho not an ELF file, but long enough to hold a header\n"));
  // A bare 64-bit ELF header with no program headers: nothing to load beside it.
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  std::string bare(reinterpret_cast<const char*>(&eh), sizeof eh);
  BOOST_CHECK(IsStaticElf(bare));
  // The same with one PT_INTERP program header: dynamic.
  eh.e_phoff = sizeof eh;
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_INTERP;
  std::string interp(reinterpret_cast<const char*>(&eh), sizeof eh);
  interp.append(reinterpret_cast<const char*>(&ph), sizeof ph);
  BOOST_CHECK(!IsStaticElf(interp));
  // A program header table running past the end: not trusted.
  BOOST_CHECK(!IsStaticElf(interp.substr(0, interp.size() - 8)));
  const std::string router = StaticRouterPath();
  if (!router.empty()) {
    std::ifstream in(router, std::ios::binary);
    std::string router_head(64 * 1024, '\0');
    in.read(router_head.data(), static_cast<std::streamsize>(router_head.size()));
    BOOST_CHECK(IsStaticElf(router_head));
  }
}

BOOST_AUTO_TEST_SUITE_END()
