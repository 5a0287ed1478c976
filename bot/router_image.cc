#include "bot/router_image.h"

#include <elf.h>
#include <link.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "bot/version.h"
#include "hooks/tar_writer.h"

namespace sandbot {

namespace {

constexpr char kSelf[] = "/proc/self/exe";
constexpr char kStaticRouterName[] = "sandbot-router";
// The system CA bundle, copied in at the same path: the router verifies
// https:// upstreams against it (RouterOptions::ca_bundle's default).
constexpr char kCaBundle[] = "/etc/ssl/certs/ca-certificates.crt";

bool ReadWhole(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return static_cast<bool>(in) || in.eof();
}

int AddLoaded(dl_phdr_info* info, size_t, void* data) {
  auto* names = static_cast<std::set<std::string>*>(data);
  // The executable has no name here, the vDSO no file.
  if (info->dlpi_name != nullptr && info->dlpi_name[0] == '/') names->insert(info->dlpi_name);
  return 0;
}

void AddDirs(std::string* tar, std::set<std::string>* made, const std::string& path) {
  for (size_t slash = path.find('/'); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash + 1);
    if (!made->insert(dir).second) continue;
    tar::AppendEntry(tar, {dir, '5', 0755, 0, ""}, 0, nullptr);
  }
}

uint64_t Fnv(const std::string& data, uint64_t h) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

bool IsStaticElf(const std::string& data) {
  if (data.size() < sizeof(Elf64_Ehdr) || data.compare(0, SELFMAG, ELFMAG) != 0 ||
      data[EI_CLASS] != ELFCLASS64) {
    return false;
  }
  Elf64_Ehdr eh;
  std::memcpy(&eh, data.data(), sizeof eh);
  if (eh.e_phentsize != sizeof(Elf64_Phdr)) return false;
  for (size_t i = 0; i < eh.e_phnum; ++i) {
    const size_t at = eh.e_phoff + i * sizeof(Elf64_Phdr);
    if (at + sizeof(Elf64_Phdr) > data.size()) return false;
    Elf64_Phdr ph;
    std::memcpy(&ph, data.data() + at, sizeof ph);
    if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC) return false;
  }
  return true;
}

std::string StaticRouterPath() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink(kSelf, ec);
  if (ec) return "";
  const std::string path = (self.parent_path() / kStaticRouterName).string();
  std::string data;
  if (!ReadWhole(path, &data) || !IsStaticElf(data)) return "";
  return path;
}

Status RouterImageTag(std::string* tag) {
  std::string binary;
  if (!ReadWhole(kSelf, &binary)) return Status::Internal("cannot read this binary");
  uint64_t h = Fnv(binary, 14695981039346656037ULL);  // FNV-1a
  const std::string router = StaticRouterPath();
  if (!router.empty()) {
    if (!ReadWhole(router, &binary)) return Status::Internal("cannot read " + router);
    h = Fnv(binary, h);
  }
  // New CA certificates on this machine: a new image carrying them.
  if (ReadWhole(kCaBundle, &binary)) h = Fnv(binary, h);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  *tag = std::string("sandbot/router:") + kVersion + "-" + std::string(hex, 12);
  return Status::Ok();
}

Status RouterImageContext(std::string* tar, std::vector<std::string>* files) {
  // A static sandbot-router beside this binary: it alone. Otherwise this
  // binary and every library the loader opened for it.
  const std::string router = StaticRouterPath();
  std::set<std::string> libs;
  if (router.empty()) dl_iterate_phdr(AddLoaded, &libs);
  tar->clear();
  files->clear();
  const std::string dockerfile =
      "FROM scratch\nCOPY rootfs/ /\nUSER 65534:65534\nENTRYPOINT [\"/sandbot\", \"router\"]\n";
  tar::AppendEntry(tar, {"Dockerfile", '0', 0644, dockerfile.size(), ""}, 0, dockerfile.data());
  std::set<std::string> made;
  std::string data;
  if (!ReadWhole(router.empty() ? kSelf : router, &data)) {
    return Status::Internal("cannot read " +
                            (router.empty() ? std::string("this binary") : router));
  }
  AddDirs(tar, &made, "rootfs/");
  tar::AppendEntry(tar, {"rootfs/sandbot", '0', 0755, data.size(), ""}, 0, data.data());
  files->push_back("/sandbot");
  // Without a bundle on this machine the image has none, and every https
  // upstream is refused unless the operator gives a CA (serve --router-ca).
  if (ReadWhole(kCaBundle, &data)) {
    const std::string name = std::string("rootfs") + kCaBundle;
    AddDirs(tar, &made, name);
    tar::AppendEntry(tar, {name, '0', 0644, data.size(), ""}, 0, data.data());
    files->push_back(kCaBundle);
  }
  for (const std::string& lib : libs) {
    // At the path it was loaded from (symlinks followed): the loader finds
    // it there again in the container.
    if (!ReadWhole(lib, &data)) return Status::Internal("cannot read " + lib);
    const std::string name = "rootfs" + lib;
    AddDirs(tar, &made, name);
    tar::AppendEntry(tar, {name, '0', 0755, data.size(), ""}, 0, data.data());
    files->push_back(lib);
  }
  tar::Finish(tar);
  return Status::Ok();
}

Status BuildRouterImage(ContainerRuntime* runtime, bool rebuild, std::string* tag,
                        const LineSink& log) {
  Status s;
  if (tag->empty()) s = RouterImageTag(tag);
  if (!s.ok()) return s;
  if (!rebuild) {
    bool exists = false;
    s = runtime->ImageExists(*tag, &exists);
    if (!s.ok() || exists) return s;
  }
  std::string tar;
  std::vector<std::string> files;
  s = RouterImageContext(&tar, &files);
  if (!s.ok()) return s;
  return runtime->BuildImage(tar, *tag, log);
}

}  // namespace sandbot
