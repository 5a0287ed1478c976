// The crash record (bot/crash_record.h): a fatal signal on a job's thread
// names that job for the next start; on any other thread, nothing.
#define BOOST_TEST_DYN_LINK
#include "bot/crash_record.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>

#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

// Runs `body` in a child process with the recorder installed for `path`;
// returns the signal the child died of (0 when it exited).
int DieInChild(const std::string& path, const std::function<void()>& body) {
  pid_t pid = fork();
  if (pid == 0) {
    rlimit no_core{0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    // As in the daemon: nothing but the default action before (the test
    // runner's own handlers would take the crash over and carry on).
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) signal(sig, SIG_DFL);
    InstallCrashRecorder(path);
    body();
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

volatile int g_zero = 0;
volatile bool g_deeper = true;

// Recurses until the stack runs out (the handler then runs on the thread's
// own signal stack); the flag keeps the compiler from seeing it never ends.
int Recurse(int depth) {
  volatile char frame[512];
  frame[0] = static_cast<char>(depth);
  if (!g_deeper) return frame[0];
  const int below = Recurse(depth + 1);
  return below + frame[0];  // read after the call: the frame must stay
}

// How each kind of crash happens for real: faults the kernel raises (the
// handler returns and the instruction faults again), and abort.
void Crash(const std::string& how) {
  if (how == "null") *static_cast<volatile int*>(nullptr) = 1;
  if (how == "divide") g_zero = 100 / g_zero;
  if (how == "stack") Recurse(0);
  if (how == "abort") std::abort();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(crash_record)

BOOST_AUTO_TEST_CASE(lines_are_formatted_without_allocating) {
  char buf[32];
  BOOST_CHECK_EQUAL(std::string(buf, FormatCrashLine(42, buf)), "job 42\n");
  BOOST_CHECK_EQUAL(std::string(buf, FormatCrashLine(0, buf)), "job 0\n");
  BOOST_CHECK_EQUAL(std::string(buf, FormatCrashLine(9223372036854775807LL, buf)),
                    "job 9223372036854775807\n");
}

BOOST_AUTO_TEST_CASE(taking_the_record_reads_it_once) {
  ScratchDir dir;
  const std::string path = CrashRecordPath(dir.path());
  std::set<int64_t> jobs;
  BOOST_REQUIRE(TakeCrashRecord(path, &jobs).ok());  // no crash: no file
  BOOST_CHECK(jobs.empty());
  std::ofstream(path) << "job 3\njob 9\njob 3\n";
  BOOST_REQUIRE(TakeCrashRecord(path, &jobs).ok());
  BOOST_CHECK((jobs == std::set<int64_t>{3, 9}));
  jobs.clear();
  BOOST_REQUIRE(TakeCrashRecord(path, &jobs).ok());
  BOOST_CHECK(jobs.empty());
  // A line cut short by the crash is not a job.
  std::ofstream(path) << "job 5\njob ";
  BOOST_REQUIRE(TakeCrashRecord(path, &jobs).ok());
  BOOST_CHECK((jobs == std::set<int64_t>{5}));
}

BOOST_AUTO_TEST_CASE(a_fatal_signal_on_a_job_thread_names_the_job_and_still_kills) {
  // abort() is where an uncaught exception or a failed check ends.
  for (int fatal : {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL}) {
    ScratchDir dir;
    const std::string path = CrashRecordPath(dir.path());
    const int sig = DieInChild(path, [fatal] {
      std::thread worker([fatal] {
        SetThreadJob(41);
        SetThreadJob(0);  // that job ended
        SetThreadJob(42);
        if (fatal == SIGABRT) std::abort();
        raise(fatal);
      });
      worker.join();
    });
    BOOST_CHECK_EQUAL(sig, fatal);
    std::set<int64_t> jobs;
    BOOST_REQUIRE(TakeCrashRecord(path, &jobs).ok());
    BOOST_CHECK((jobs == std::set<int64_t>{42}));
  }
}

BOOST_AUTO_TEST_CASE(real_faults_on_a_job_thread_name_the_job) {
  const std::pair<const char*, int> cases[] = {
      {"null", SIGSEGV}, {"divide", SIGFPE}, {"stack", SIGSEGV}, {"abort", SIGABRT}};
  for (const auto& [how, want] : cases) {
    ScratchDir dir;
    const std::string path = CrashRecordPath(dir.path());
    const std::string kind = how;
    const int sig = DieInChild(path, [kind] {
      std::thread worker([kind] {
        SetThreadJob(9);
        Crash(kind);
      });
      worker.join();
    });
    BOOST_TEST_CONTEXT(how) {
      BOOST_CHECK_EQUAL(sig, want);
      std::set<int64_t> jobs;
      BOOST_REQUIRE(TakeCrashRecord(path, &jobs).ok());
      BOOST_CHECK((jobs == std::set<int64_t>{9}));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_crash_on_another_thread_blames_no_job) {
  ScratchDir dir;
  const std::string path = CrashRecordPath(dir.path());
  const int sig = DieInChild(path, [] {
    std::thread worker([] { SetThreadJob(8); });  // a job runs elsewhere
    worker.join();
    std::abort();  // on the main thread, which runs none
  });
  BOOST_CHECK_EQUAL(sig, SIGABRT);
  std::set<int64_t> jobs;
  BOOST_REQUIRE(TakeCrashRecord(path, &jobs).ok());
  BOOST_CHECK(jobs.empty());
}

BOOST_AUTO_TEST_SUITE_END()
