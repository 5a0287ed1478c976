#include "hooks/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace sandbot {

namespace fs = std::filesystem;

Status WriteSpoolFile(const std::string& dir, const std::string& content, std::string* name) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  auto now = std::chrono::system_clock::now().time_since_epoch();
  char buf[64];
  std::snprintf(
      buf, sizeof buf, "%020lld-%d.json",
      static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(now).count()),
      static_cast<int>(getpid()));
  std::string final_path = dir + "/" + buf;
  std::string tmp_path = dir + "/.tmp-" + buf;
  int fd = open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Unavailable("cannot write to the spool " + dir + ": " + std::strerror(errno));
  }
  const char* p = content.data();
  size_t left = content.size();
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      close(fd);
      unlink(tmp_path.c_str());
      return Status::Unavailable("cannot write to the spool " + dir + ": " + std::strerror(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    unlink(tmp_path.c_str());
    return Status::Unavailable("cannot write to the spool " + dir + ": " + std::strerror(err));
  }
  *name = buf;
  return Status::Ok();
}

std::vector<std::string> ListSpoolFiles(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string n = entry.path().filename().string();
    if (n.size() > 5 && n[0] != '.' && n.compare(n.size() - 5, 5, ".json") == 0) {
      names.push_back(n);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace sandbot
