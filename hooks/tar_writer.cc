#include "hooks/tar_writer.h"

#include <algorithm>
#include <cstring>

namespace sandbot {
namespace tar {

namespace {

constexpr size_t kBlock = 512;

// Zero-padded octal with a trailing NUL, filling `width` bytes.
void PutOctal(char* field, size_t width, uint64_t value) {
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  field[width - 1] = '\0';
}

void PutString(char* field, size_t width, const std::string& s) {
  std::memcpy(field, s.data(), std::min(width, s.size()));
}

void PadToBlock(std::string* out) {
  size_t rem = out->size() % kBlock;
  if (rem) out->append(kBlock - rem, '\0');
}

void AppendHeader(std::string* out, const Entry& e, uint64_t mtime) {
  char h[kBlock] = {};
  PutString(h + 0, 100, e.name);
  PutOctal(h + 100, 8, e.mode);
  PutOctal(h + 108, 8, 0);  // uid
  PutOctal(h + 116, 8, 0);  // gid
  // Sizes past 11 octal digits travel in a pax "size" record instead.
  PutOctal(h + 124, 12, e.size < (uint64_t{1} << 33) ? e.size : 0);
  PutOctal(h + 136, 12, mtime < (uint64_t{1} << 33) ? mtime : 0);
  h[156] = e.type;
  PutString(h + 157, 100, e.linkname);
  std::memcpy(h + 257, "ustar", 6);  // magic, NUL included
  std::memcpy(h + 263, "00", 2);
  PutString(h + 265, 32, "root");
  PutString(h + 297, 32, "root");
  PutOctal(h + 329, 8, 0);
  PutOctal(h + 337, 8, 0);
  // Checksum: byte sum with the field itself read as eight spaces.
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  PutOctal(h + 148, 7, sum);  // six digits, NUL, then the space already there
  out->append(h, kBlock);
}

}  // namespace

std::string PaxRecord(const std::string& key, const std::string& value) {
  // The length prefix counts its own digits: grow it until it is stable.
  size_t body = 1 + key.size() + 1 + value.size() + 1;  // " key=value\n"
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  return std::to_string(len) + " " + key + "=" + value + "\n";
}

void AppendEntry(std::string* out, const Entry& e, uint64_t mtime, const char* data) {
  std::string pax;
  if (e.name.size() > 100) pax += PaxRecord("path", e.name);
  if (e.linkname.size() > 100) pax += PaxRecord("linkpath", e.linkname);
  if (e.size >= (uint64_t{1} << 33)) pax += PaxRecord("size", std::to_string(e.size));
  if (!pax.empty()) {
    std::string base = e.name;
    while (!base.empty() && base.back() == '/') base.pop_back();
    size_t slash = base.rfind('/');
    if (slash != std::string::npos) base = base.substr(slash + 1);
    AppendHeader(out, {("PaxHeaders/" + base).substr(0, 100), 'x', 0644, pax.size(), ""}, mtime);
    out->append(pax);
    PadToBlock(out);
  }
  AppendHeader(out, e, mtime);
  if (e.size > 0) {
    out->append(data, e.size);
    PadToBlock(out);
  }
}

void Finish(std::string* out) { out->append(2 * kBlock, '\0'); }

}  // namespace tar
}  // namespace sandbot
