#include "bot/crash_record.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>

namespace sandbot {

namespace {

const int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

// Set once before any worker thread starts; read by the handler only.
char g_path[4096];
// What handled each signal before (the default action, or a sanitizer's):
// put back once the record is written.
struct sigaction g_previous[NSIG];
// Plain integers in static TLS of the executable: the handler reads them
// without allocating.
thread_local int64_t t_job = 0;
thread_local bool t_alt_stack = false;

void OnFatalSignal(int sig, siginfo_t* info, void*) {
  const int64_t job = t_job;
  if (job > 0 && g_path[0] != '\0') {
    const int saved = errno;
    char line[32];
    const int n = FormatCrashLine(job, line);
    int fd = open(g_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      ssize_t written = write(fd, line, static_cast<size_t>(n));
      (void)written;  // nothing to do about it while dying
      close(fd);
    }
    errno = saved;
  }
  sigaction(sig, &g_previous[sig], nullptr);
  // A fault (si_code > 0) happens again when the handler returns, and the
  // previous handler takes it as it would have; a signal that was sent
  // (abort, raise, kill) is sent again, delivered once this one returns.
  if (info == nullptr || info->si_code <= 0) raise(sig);
}

}  // namespace

std::string CrashRecordPath(const std::string& data_dir) { return data_dir + "/crashed-jobs"; }

int FormatCrashLine(int64_t job_id, char* buf) {
  char digits[24];
  int n = 0;
  uint64_t v = job_id < 0 ? 0 : static_cast<uint64_t>(job_id);
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  int len = 0;
  for (const char c : {'j', 'o', 'b', ' '}) buf[len++] = c;
  while (n > 0) buf[len++] = digits[--n];
  buf[len++] = '\n';
  return len;
}

void InstallCrashRecorder(const std::string& path) {
  std::strncpy(g_path, path.c_str(), sizeof g_path - 1);
  g_path[sizeof g_path - 1] = '\0';
  struct sigaction action {};
  action.sa_sigaction = OnFatalSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_SIGINFO | SA_ONSTACK;
  for (int sig : kFatalSignals) sigaction(sig, &action, &g_previous[sig]);
}

namespace {

// This thread's alternate signal stack, when it had none (a sanitizer's
// runtime gives each thread its own, and frees it itself at thread exit:
// that one is used as it is). Switched off before it is freed.
struct AltStack {
  static constexpr size_t kSize = 64 * 1024;
  std::unique_ptr<char[]> memory;
  ~AltStack() {
    if (!memory) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
  }
};

void EnsureAltStack() {
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) return;
  static thread_local AltStack own;  // kept for the thread's life
  own.memory.reset(new char[AltStack::kSize]);
  stack_t alt{};
  alt.ss_sp = own.memory.get();
  alt.ss_size = AltStack::kSize;
  sigaltstack(&alt, nullptr);
}

}  // namespace

void SetThreadJob(int64_t job_id) {
  if (!t_alt_stack) {
    t_alt_stack = true;
    EnsureAltStack();  // so a stack overflow can still be recorded
  }
  t_job = job_id;
}

Status TakeCrashRecord(const std::string& path, std::set<int64_t>* jobs) {
  std::ifstream in(path);
  if (!in) return Status::Ok();  // no crash since the last start
  std::string word;
  int64_t id = 0;
  while (in >> word >> id) {
    if (word == "job" && id > 0) jobs->insert(id);
  }
  in.close();
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return Status::Unavailable("cannot remove " + path + ": " + std::strerror(errno) +
                               "; it would blame the same crash again at the next start");
  }
  return Status::Ok();
}

}  // namespace sandbot
