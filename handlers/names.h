// Names that end up in Docker object names, DNS aliases and URLs. Branch names
// are hostile input (`feature/$(reboot)`, `../../etc`, unicode, 250
// characters); everything derived from them goes through here.
#ifndef SANDBOT_HANDLERS_NAMES_H_
#define SANDBOT_HANDLERS_NAMES_H_

#include <string>

#include "util/status.h"

namespace sandbot {

constexpr size_t kMaxSandboxName = 40;
constexpr size_t kMaxServiceName = 30;
constexpr size_t kMaxBranchName = 255;

// Lower-case a-z0-9 and single '-', no leading or trailing '-', at most
// kMaxSandboxName characters; "sandbox" when nothing usable is left.
std::string SlugFromBranch(const std::string& branch);

// `base` with "-2", "-3", … appended (trimmed to stay within the limit) until
// `taken` says the name is free.
template <typename TakenFn>
std::string UniqueName(const std::string& base, TakenFn taken) {
  if (!taken(base)) return base;
  for (int i = 2;; ++i) {
    std::string suffix = "-" + std::to_string(i);
    std::string stem = base.substr(0, kMaxSandboxName - suffix.size());
    while (!stem.empty() && stem.back() == '-') stem.pop_back();
    if (!taken(stem + suffix)) return stem + suffix;
  }
}

// Sandbox names typed by people: the slug rules, checked rather than fixed.
Status ValidateSandboxName(const std::string& name);
// Service (= repo) names: a DNS label of at most kMaxServiceName characters.
Status ValidateServiceName(const std::string& name);
// Branch names as git accepts them, minus what sandbot cannot store safely.
Status ValidateBranchName(const std::string& branch);

// Whether `branch` matches one of the comma-separated globs in `patterns`
// ('*' matches any run of characters, including '/').
bool MatchesBranchPatterns(const std::string& patterns, const std::string& branch);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_NAMES_H_
