// A POSIX tar (ustar) writer into memory, for build contexts: fixed owner
// (root, uid 0) and caller-given times so the same tree always gives the same
// bytes; pax extended headers when ustar's fields are too small (names and
// link targets over 100 bytes, sizes of 8 GiB and more).
#ifndef SANDBOT_HOOKS_TAR_WRITER_H_
#define SANDBOT_HOOKS_TAR_WRITER_H_

#include <cstdint>
#include <string>

namespace sandbot {
namespace tar {

struct Entry {
  std::string name;  // directories end with '/'
  char type;         // '0' file, '2' symlink, '5' directory, 'x' pax header
  uint32_t mode;
  uint64_t size;
  std::string linkname;
};

// Appends one entry (header, then `data`'s e.size bytes, padded to a block),
// preceded by a pax header when ustar's fields are too small.
void AppendEntry(std::string* out, const Entry& e, uint64_t mtime, const char* data);
// Appends the end-of-archive marker: two zero blocks.
void Finish(std::string* out);

// One pax extended-header record, "<len> <key>=<value>\n", where <len> is the
// byte length of the whole record including its own digits.
std::string PaxRecord(const std::string& key, const std::string& value);

}  // namespace tar
}  // namespace sandbot

#endif  // SANDBOT_HOOKS_TAR_WRITER_H_
