// compose_bench: times `sandbot compose config`'s own work, in process, the
// figure issue 12 asks of a 30-service file (< 5 ms): parse (yaml-cpp),
// interpolate, normalise and check (ParseCompose), then write the normal form
// as YAML, the command's default output (ComposeToJson + JsonToYaml).
//
//   compose_bench FILE RUNS
//
// Prints one line per run after one untimed warm-up run: the wall-clock
// duration and this thread's CPU time, in milliseconds ("WALL CPU"). On a
// busy machine the wall figure includes waiting for a CPU; the CPU figure is
// the work itself. Exits non-zero when the file is refused: a benchmark
// of a refusal would measure nothing.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "compose/compose_file.h"
#include "compose/compose_render.h"

using namespace sandbot;

namespace {

double NowMs(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: compose_bench FILE RUNS\n");
    return 2;
  }
  const std::string path = argv[1];
  const int runs = std::atoi(argv[2]);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string dir = path.substr(0, path.rfind('/'));
  ComposeOptions options;
  options.file = path;
  options.lookup = [](const std::string& name, std::string* value) {
    const char* v = std::getenv(name.c_str());
    if (v) *value = v;
    return v != nullptr;
  };
  options.read_file = [&dir](const std::string& rel, std::string* content) {
    std::ifstream f(dir + "/" + rel);
    if (!f) return Status::NotFound("no " + rel);
    std::stringstream s;
    s << f.rdbuf();
    *content = s.str();
    return Status::Ok();
  };
  options.host_port_ranges = {{9001, 9999}, {8080, 8099}};
  size_t out_bytes = 0;
  for (int i = -1; i < runs; ++i) {
    const double start = NowMs(CLOCK_MONOTONIC), cpu = NowMs(CLOCK_THREAD_CPUTIME_ID);
    ComposeProject project;
    std::vector<ComposeProblem> errors, warnings;
    Status s = ParseCompose(text.str(), options, &project, &errors, &warnings);
    if (!s.ok()) {
      std::fprintf(stderr, "compose_bench: %s\n", s.message().c_str());
      return 1;
    }
    const nlohmann::json doc = ComposeToJson(project, dir);
    out_bytes += JsonToYaml(doc).size();  // the default output
    const double ms = NowMs(CLOCK_MONOTONIC) - start;
    const double cpu_ms = NowMs(CLOCK_THREAD_CPUTIME_ID) - cpu;
    if (i >= 0) std::printf("%.3f %.3f\n", ms, cpu_ms);
  }
  return out_bytes > 0 ? 0 : 1;
}
