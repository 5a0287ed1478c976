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

// Template (and snapshot, environment) names: letters, digits, '-' and '_',
// at most 64.
Status ValidateTemplateName(const std::string& name);
// Environment variable names: [A-Za-z_][A-Za-z0-9_]*, at most 128.
Status ValidateEnvKey(const std::string& key);
// A file path inside a container, as `env set-file` accepts it: absolute,
// at most 256 characters of [A-Za-z0-9._/-], in its normal form only (no
// empty, "." or ".." segment, no '/' at the end), not inside a reserved
// tree (/etc/sandbot, /run/secrets, /var/run/secrets, /proc, /sys, /dev)
// and not a system folder itself (/etc, /usr, /var/run …).
Status ValidateContainerPath(const std::string& path);
// A path that may name an existing entry, to remove it (`env unset`): the
// alphabet and length only, so an entry stored before the rules above
// tightened can still be removed.
Status ValidateRemovablePath(const std::string& path);
// A route target as the grammar accepts it: sandbox, baseline, or an http(s)
// URL with a host; *route is the canonical form (keywords and scheme in lower
// case). InvalidArgument says what is wrong.
Status ParseRouteTarget(const std::string& word, std::string* route);

// ASCII lower case (command words, keywords, URL schemes).
std::string Lower(std::string s);
// User input repeated in an answer: at most 40 characters (cut on a UTF-8
// boundary, then "…"), so a 60 KB word stays out of it.
std::string EchoWord(const std::string& word);

// Whether `branch` matches one of the comma-separated globs in `patterns`
// ('*' matches any run of characters, including '/').
bool MatchesBranchPatterns(const std::string& patterns, const std::string& branch);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_NAMES_H_
