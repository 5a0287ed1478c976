// sandbot-hook: the post-receive hook as its own small executable. It links
// hooks/ and util/ only (no libgit2, OpenSSL, SQLite, HTTP library), so git
// waits for a few milliseconds of process start, not for the daemon's stack.
//
//   sandbot-hook post-receive [--data DIR] --repo NAME   < ref lines
//
// `sandbot hook post-receive` runs the same code (hooks/hook_client.h).
#include <cstring>
#include <iostream>
#include <string>

#include "hooks/hook_client.h"
#include "hooks/paths.h"

namespace {

int Usage(const char* why) {
  std::cerr << "sandbot-hook: " << why
            << "\nusage: sandbot-hook post-receive [--data DIR] --repo NAME  (ref lines on stdin)\n"
               "Installed as a git post-receive hook by `sandbot repo add`.\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  if (argc < 2 || std::strcmp(argv[1], "post-receive") != 0) {
    return Usage(argc < 2 ? "no hook named" : "unknown hook");
  }
  std::string data_dir = sandbot::DefaultDataDir();
  std::string repo;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    std::string* target = arg == "--data" ? &data_dir : arg == "--repo" ? &repo : nullptr;
    if (target == nullptr) return Usage(("unknown argument " + arg).c_str());
    if (i + 1 >= argc) return Usage((arg + " needs a value").c_str());
    *target = argv[++i];
  }
  if (repo.empty()) return Usage("--repo is required");
  return sandbot::PostReceiveMain(data_dir, repo, std::cin, std::cout);
}
