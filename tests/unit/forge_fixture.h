// The store the forge unit tests share: one forge, and its acme/web
// registered as sandbot repo "web".
#ifndef SANDBOT_TESTS_UNIT_FORGE_FIXTURE_H_
#define SANDBOT_TESTS_UNIT_FORGE_FIXTURE_H_

#include <boost/test/unit_test.hpp>
#include <string>

#include "store/forges.h"
#include "store/repos.h"
#include "tests/unit/test_util.h"

namespace sandbot {

// Full commit ids a pull request's head may have.
inline const std::string kSha1(40, '1');
inline const std::string kSha2(40, '2');

// GitHub's github.com as a forge named `name` (tokens and secrets from
// variables nobody sets).
inline Forge GithubForge(const std::string& name = "github") {
  return Forge{name, "github", "https://api.github.com", "env:GH_TOKEN", "env:GH_SECRET", "ana"};
}

// A migrated store with `forge` and its acme/web as repo "web", whose
// previews follow `previews` (auto | comment | label:NAME).
struct ForgeStore {
  TestStore t;
  explicit ForgeStore(const Forge& forge = GithubForge(), const std::string& previews = "auto",
                      const std::string& clone_url = "https://github.com/acme/web.git") {
    BOOST_REQUIRE(AddForge(t.db.get(), forge).ok());
    Repo r;
    r.name = "web";
    r.path = t.dir.path() + "/mirrors/web.git";
    BOOST_REQUIRE(AddRepo(t.db.get(), r).ok());
    ForgeRepo fr;
    fr.repo = "web";
    fr.forge = forge.name;
    fr.forge_repo = "acme/web";
    fr.clone_url = clone_url;
    fr.previews = previews;
    BOOST_REQUIRE(AddForgeRepo(t.db.get(), fr).ok());
  }
};

}  // namespace sandbot

#endif  // SANDBOT_TESTS_UNIT_FORGE_FIXTURE_H_
