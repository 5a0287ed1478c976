#include "bot/router_image.h"

#include <elf.h>
#include <link.h>
#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
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

constexpr char kDockerfile[] =
    "FROM scratch\nCOPY rootfs/ /\nUSER 65534:65534\nENTRYPOINT [\"/sandbot\", \"router\"]\n";
// Enough of an ELF file to hold its header and program headers.
constexpr size_t kElfHeadBytes = 64 * 1024;

bool ReadWhole(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return static_cast<bool>(in) || in.eof();
}

std::string ReadHead(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  std::string head(bytes, '\0');
  in.read(head.data(), static_cast<std::streamsize>(bytes));
  head.resize(static_cast<size_t>(in.gcount()));
  return head;
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

// A file of the image: where it is read on this machine, where it lands.
struct ImageFile {
  std::string source;
  std::string target;
  uint32_t mode;
};

// What the image holds: the program at /sandbot (the static router, else
// this binary), the CA bundle when this machine has one (without it every
// https upstream is refused unless the operator gives a CA, serve
// --router-ca), and for a dynamic program every library the loader opened,
// at the path it was loaded from (symlinks followed) so the loader finds it
// there again in the container.
std::vector<ImageFile> ImageFiles() {
  const std::string router = StaticRouterPath();
  std::vector<ImageFile> files{{router.empty() ? kSelf : router, "/sandbot", 0755}};
  if (std::ifstream(kCaBundle).good()) files.push_back({kCaBundle, kCaBundle, 0644});
  if (router.empty()) {
    std::set<std::string> libs;
    dl_iterate_phdr(AddLoaded, &libs);
    for (const std::string& lib : libs) files.push_back({lib, lib, 0755});
  }
  return files;
}

// SHA-256 of a file's bytes, streamed: OpenSSL's digest, not a loop of
// ours, since a sanitized daemon is hundreds of MB.
bool HashFile(EVP_MD_CTX* ctx, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::vector<char> chunk(1 << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx, chunk.data(), static_cast<size_t>(in.gcount()));
  }
  return in.eof();
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
  return IsStaticElf(ReadHead(path, kElfHeadBytes)) ? path : "";
}

Status RouterImageTag(std::string* tag) {
  // Exactly what goes into the image: a new build of the router, a new
  // Dockerfile or new CA certificates on this machine make a new tag.
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx.get(), kDockerfile, sizeof kDockerfile - 1);
  for (const ImageFile& file : ImageFiles()) {
    EVP_DigestUpdate(ctx.get(), file.target.c_str(), file.target.size() + 1);
    if (!HashFile(ctx.get(), file.source)) return Status::Internal("cannot read " + file.source);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx.get(), digest, &length);
  char hex[13];
  for (int i = 0; i < 6; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  *tag = std::string("sandbot/router:") + kVersion + "-" + hex;
  return Status::Ok();
}

Status RouterImageContext(std::string* tar, std::vector<std::string>* files) {
  tar->clear();
  files->clear();
  tar::AppendEntry(tar, {"Dockerfile", '0', 0644, sizeof kDockerfile - 1, ""}, 0, kDockerfile);
  std::set<std::string> made;
  std::string data;
  for (const ImageFile& file : ImageFiles()) {
    if (!ReadWhole(file.source, &data)) return Status::Internal("cannot read " + file.source);
    const std::string name = "rootfs" + file.target;
    AddDirs(tar, &made, name);
    tar::AppendEntry(tar, {name, '0', file.mode, data.size(), ""}, 0, data.data());
    files->push_back(file.target);
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
