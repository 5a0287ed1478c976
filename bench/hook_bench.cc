// hook_bench: times a process the way git runs a post-receive hook, from
// posix_spawn to exit, once per line of a runs file.
//
//   hook_bench [--cwd DIR] [--env NAME=VALUE]... [--expect TEXT] RUNS_FILE -- CMD [ARG]...
//
// Each line of RUNS_FILE is one run: the line (plus "\n") is the child's
// stdin, which for a post-receive hook is one "<old> <new> <ref>" line. The
// child gets this process's environment plus the --env pairs, and its stdout
// and stderr go to one pipe (git shows both as `remote:` lines).
//
// Prints one duration per run, in milliseconds, one per line. Exits non-zero
// (after printing what the child said) when a run exits non-zero or its
// output lacks TEXT: a benchmark of a hook that did not hand the push over
// would measure nothing.
//
// The clock is CLOCK_MONOTONIC, read just before posix_spawn and just after
// waitpid; writing stdin and draining the output happen in between, as they
// do in git (receive-pack writes the ref lines, then reads until EOF).

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct Options {
  std::string cwd;
  std::vector<std::string> env;
  std::string expect;
  std::string runs_file;
  std::vector<std::string> argv;
};

int Usage() {
  std::fprintf(stderr,
               "usage: hook_bench [--cwd DIR] [--env NAME=VALUE]... [--expect TEXT] RUNS_FILE "
               "-- CMD [ARG]...\n");
  return 2;
}

bool ParseArgs(int argc, char** argv, Options* o) {
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    if ((a == "--cwd" || a == "--env" || a == "--expect") && i + 1 < argc) {
      std::string v = argv[++i];
      if (a == "--cwd") o->cwd = v;
      if (a == "--env") o->env.push_back(v);
      if (a == "--expect") o->expect = v;
    } else if (o->runs_file.empty() && a.rfind("--", 0) != 0) {
      o->runs_file = a;
    } else {
      return false;
    }
  }
  for (++i; i < argc; ++i) o->argv.push_back(argv[i]);
  return !o->runs_file.empty() && !o->argv.empty();
}

double NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// The environment for the child: ours, with the --env pairs replacing any
// variable of the same name.
std::vector<std::string> ChildEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    std::string name = kv.substr(0, kv.find('='));
    bool replaced = false;
    for (const std::string& x : extra) replaced = replaced || x.rfind(name + "=", 0) == 0;
    if (!replaced) env.push_back(kv);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (std::string& s : v) out.push_back(&s[0]);
  out.push_back(nullptr);
  return out;
}

// One run: spawn, feed stdin, drain output, reap. Returns false (with a
// reason in *why) when anything fails; *ms and *output are set either way.
bool RunOnce(const Options& o, std::vector<char*>& argv, std::vector<char*>& envp,
             const std::string& input, double* ms, std::string* output, std::string* why) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    *why = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_adddup2(&fa, out[1], 2);
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, o.cwd.c_str());

  pid_t pid = 0;
  const double start = NowMs();
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    *why = std::string("posix_spawn ") + argv[0] + ": " + std::strerror(rc);
    return false;
  }
  // A ref line is far below the pipe's capacity: this write never blocks.
  const char* p = input.data();
  size_t left = input.size();
  while (left > 0) {
    ssize_t n = write(in[1], p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the child closed stdin early; its exit status will say why
    p += n;
    left -= static_cast<size_t>(n);
  }
  close(in[1]);
  char buf[4096];
  for (;;) {
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output->append(buf, static_cast<size_t>(n));
  }
  close(out[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  *ms = NowMs() - start;

  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    *why = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                             : "killed by signal " + std::to_string(WTERMSIG(status));
    return false;
  }
  if (!o.expect.empty() && output->find(o.expect) == std::string::npos) {
    *why = "output lacks \"" + o.expect + "\"";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return Usage();
  std::ifstream runs(o.runs_file);
  if (!runs) {
    std::fprintf(stderr, "hook_bench: cannot read %s\n", o.runs_file.c_str());
    return 2;
  }
  std::vector<std::string> args = o.argv;
  std::vector<std::string> env = ChildEnv(o.env);
  std::vector<char*> child_argv = CStrings(args);
  std::vector<char*> child_env = CStrings(env);

  std::string line;
  int n = 0;
  while (std::getline(runs, line)) {
    ++n;
    double ms = 0;
    std::string output, why;
    if (!RunOnce(o, child_argv, child_env, line.empty() ? "" : line + "\n", &ms, &output, &why)) {
      std::fprintf(stderr, "hook_bench: run %d (stdin \"%s\") failed: %s; it said:\n%s", n,
                   line.c_str(), why.c_str(), output.c_str());
      return 1;
    }
    std::printf("%.3f\n", ms);
    std::fflush(stdout);
  }
  if (n == 0) {
    std::fprintf(stderr, "hook_bench: %s has no runs\n", o.runs_file.c_str());
    return 2;
  }
  return 0;
}
