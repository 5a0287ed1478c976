#include "handlers/create_sources.h"

#include <memory>

#include "compose/compose_file.h"
#include "handlers/did_you_mean.h"
#include "hooks/git_repo.h"

namespace sandbot {

Status ResolveCreateSource(const std::string& service, const std::set<std::string>& known,
                           const std::map<std::string, std::vector<std::string>>& compose,
                           std::string* repo) {
  if (known.count(service)) {
    *repo = service;
    return Status::Ok();
  }
  std::vector<std::string> owners, names(known.begin(), known.end());
  std::string offered;
  for (const auto& [r, services] : compose) {
    for (const std::string& s : services) {
      if (s == service) owners.push_back(r);
      names.push_back(s);
      offered += (offered.empty() ? "" : ", ") + s + " (" + r + ")";
    }
  }
  if (owners.size() == 1) {
    *repo = owners.front();
    return Status::Ok();
  }
  if (owners.size() > 1) {
    std::string list;
    for (const std::string& o : owners) list += (list.empty() ? "" : " and ") + o;
    return Status::InvalidArgument(service + " is a compose service of " + list +
                                   ": deploy only one of those repos in this sandbox");
  }
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  const std::string guess = DidYouMean(service, names);
  return Status::NotFound("no service named '" + service + "'." +
                          (guess.empty() ? "" : " Did you mean '" + guess + "'?") +
                          " Known services: " + (list.empty() ? "none yet" : list) + "." +
                          (offered.empty() ? "" : " Compose services here: " + offered + "."));
}

std::vector<std::string> ComposeServicesAt(const Repo& repo, const std::string& sha) {
  constexpr size_t kMaxComposeBytes = 1 << 20;
  std::vector<std::string> names;
  std::unique_ptr<GitRepo> git;
  if (!GitRepo::Open(repo.path, &git).ok()) return names;
  const std::vector<std::string> candidates =
      repo.compose_file.empty() ? ComposeFileNames() : std::vector<std::string>{repo.compose_file};
  for (const std::string& file : candidates) {
    std::string text;
    if (!git->ReadFile(sha, file, kMaxComposeBytes, &text).ok()) continue;
    names = ComposeServiceNames(text);
    break;
  }
  return names;
}

}  // namespace sandbot
