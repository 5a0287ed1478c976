// Helpers shared by the unit tests: a scratch folder and a fresh store.
#ifndef SANDBOT_TESTS_UNIT_TEST_UTIL_H_
#define SANDBOT_TESTS_UNIT_TEST_UTIL_H_

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "store/db.h"
#include "store/jobs.h"

namespace sandbot {

// A temporary folder removed with everything in it when the object dies.
class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/sandbot-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A migrated store in its own scratch folder.
struct TestStore {
  ScratchDir dir;
  std::unique_ptr<Db> db;
  TestStore() {
    Status s = Db::Open(dir.path() + "/sandbot.db", &db);
    if (!s.ok()) throw std::runtime_error(s.ToString());
  }
};

// A deploy job as a push by "ana" would queue it.
inline Job DeployJob(const std::string& sandbox, const std::string& service,
                     const std::string& sha) {
  Job j;
  j.kind = JobKind::kDeploy;
  j.sandbox = sandbox;
  j.service = service;
  j.commit = sha;
  j.actor = "ana";
  j.source = "git";
  return j;
}

}  // namespace sandbot

#endif  // SANDBOT_TESTS_UNIT_TEST_UTIL_H_
