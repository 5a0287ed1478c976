// The data folder's modes (bot/data_modes.h; issue 16 item 12): an install
// made under umask 022 is mended at start, the folders bind-mounted into
// containers keep what a non-root container user needs.
#define BOOST_TEST_DYN_LINK
#include "bot/data_modes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

#include "tests/unit/test_util.h"

namespace sandbot {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return 01000;  // missing: matches no mode below
  return st.st_mode & 07777;
}

void MakeDir(const std::string& path, mode_t mode) {
  BOOST_REQUIRE(mkdir(path.c_str(), mode) == 0 || errno == EEXIST);
  BOOST_REQUIRE_EQUAL(chmod(path.c_str(), mode), 0);
}

void MakeFile(const std::string& path, mode_t mode) {
  const int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0600);
  BOOST_REQUIRE(fd >= 0);
  close(fd);
  BOOST_REQUIRE_EQUAL(chmod(path.c_str(), mode), 0);
}

// Restores the test process's umask.
struct UmaskGuard {
  mode_t saved = umask(022);
  ~UmaskGuard() { umask(saved); }
};

BOOST_AUTO_TEST_SUITE(data_modes)

BOOST_AUTO_TEST_CASE(an_old_install_readable_by_everyone_is_closed_to_others_at_start) {
  UmaskGuard guard;
  ScratchDir scratch;
  const std::string d = scratch.path() + "/data";
  // What umask 022 left: everything readable by others.
  MakeDir(d, 0755);
  MakeFile(d + "/sandbot.db", 0644);
  MakeFile(d + "/sandbot.db-wal", 0644);
  MakeFile(d + "/config.json", 0664);
  MakeFile(d + "/secret.key", 0600);
  MakeDir(d + "/logs", 0755);
  MakeFile(d + "/logs/job-1.log", 0644);
  MakeDir(d + "/spool", 0777);
  MakeDir(d + "/audit-archive", 0755);
  MakeFile(d + "/audit-archive/audit-1.jsonl.gz", 0644);
  // Mounted into containers: left as they are.
  MakeDir(d + "/work", 0755);
  MakeDir(d + "/work/feature-a", 0755);
  MakeDir(d + "/work/feature-a/web-0123456789ab", 0755);
  MakeFile(d + "/work/feature-a/web-0123456789ab/index.html", 0644);
  MakeDir(d + "/work/feature-a/etc-sandbot", 0755);
  MakeFile(d + "/work/feature-a/etc-sandbot/routes.json", 0644);
  MakeDir(d + "/secrets", 0700);
  MakeDir(d + "/secrets/feature-a", 0700);
  MakeFile(d + "/secrets/feature-a/token", 0444);
  // A link is never followed: its target is not the daemon's to change.
  MakeFile(scratch.path() + "/outside", 0644);
  BOOST_REQUIRE_EQUAL(symlink((scratch.path() + "/outside").c_str(), (d + "/link").c_str()), 0);

  std::vector<std::string> fixed;
  Status s = SecureDataFolder(d, &fixed);
  BOOST_REQUIRE_MESSAGE(s.ok(), s.ToString());
  BOOST_CHECK_EQUAL(umask(kDaemonUmask), kDaemonUmask);

  BOOST_CHECK_EQUAL(ModeOf(d), 0750u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/sandbot.db"), 0640u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/sandbot.db-wal"), 0640u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/config.json"), 0660u);  // the group's bits are kept
  BOOST_CHECK_EQUAL(ModeOf(d + "/secret.key"), 0600u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/logs"), 0750u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/logs/job-1.log"), 0640u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/spool"), 0770u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/audit-archive/audit-1.jsonl.gz"), 0640u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/work"), 0750u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/work/feature-a"), 0755u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/work/feature-a/web-0123456789ab"), 0755u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/work/feature-a/web-0123456789ab/index.html"), 0644u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/work/feature-a/etc-sandbot/routes.json"), 0644u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/secrets"), 0700u);
  BOOST_CHECK_EQUAL(ModeOf(d + "/secrets/feature-a/token"), 0444u);
  BOOST_CHECK_EQUAL(ModeOf(scratch.path() + "/outside"), 0644u);
  BOOST_CHECK_EQUAL(fixed.size(), 10u);

  // Mended once: the next start changes nothing.
  fixed.clear();
  BOOST_REQUIRE(SecureDataFolder(d, &fixed).ok());
  BOOST_CHECK(fixed.empty());
}

BOOST_AUTO_TEST_CASE(what_the_daemon_creates_afterwards_is_not_for_others) {
  UmaskGuard guard;
  ScratchDir scratch;
  std::vector<std::string> fixed;
  BOOST_REQUIRE(SecureDataFolder(scratch.path(), &fixed).ok());
  MakeDir(scratch.path() + "/logs", 0777 & ~kDaemonUmask);
  const int fd = open((scratch.path() + "/logs/job-2.log").c_str(), O_CREAT | O_WRONLY, 0666);
  BOOST_REQUIRE(fd >= 0);
  close(fd);
  BOOST_CHECK_EQUAL(ModeOf(scratch.path() + "/logs/job-2.log"), 0640u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace sandbot
