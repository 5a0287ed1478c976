// Several repos, one sandbox: where each SERVICE@BRANCH of /sandbox create
// deploys from (handlers/create_sources.h).
#define BOOST_TEST_DYN_LINK
#include "handlers/create_sources.h"

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/unit/test_util.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(create_sources)

BOOST_AUTO_TEST_CASE(resolution_table) {
  const std::set<std::string> known = {"web", "api", "shop"};
  const std::map<std::string, std::vector<std::string>> compose = {
      {"web", {"web", "worker", "db"}},  // web's file at the command's branch for web
      {"shop", {"db", "cart"}},
  };
  struct Row {
    const char* service;
    const char* repo;  // "" = refused
    const char* says;
  };
  for (const Row& r : {
           Row{"web", "web", ""},     // a repo
           Row{"api", "api", ""},     // a repo of its own, deployed or not
           Row{"worker", "web", ""},  // a compose service of web
           Row{"cart", "shop", ""},   // of shop
           Row{"db", "", "db is a compose service of shop and web"},
           Row{"wroker", "", "Did you mean 'worker'?"},
           Row{"ghost", "", "Compose services here: db (shop), cart (shop), web (web), worker"},
       }) {
    BOOST_TEST_CONTEXT(r.service) {
      std::string repo;
      Status s = ResolveCreateSource(r.service, known, compose, &repo);
      if (*r.repo) {
        BOOST_CHECK_MESSAGE(s.ok(), s.message());
        BOOST_CHECK_EQUAL(repo, r.repo);
      } else {
        BOOST_CHECK(!s.ok());
        BOOST_CHECK_MESSAGE(s.message().find(r.says) != std::string::npos, s.message());
      }
    }
  }
  // A repo wins over a compose service of the same name.
  std::string repo;
  BOOST_REQUIRE(ResolveCreateSource("web", known, {{"shop", {"web"}}}, &repo).ok());
  BOOST_CHECK_EQUAL(repo, "web");
  // Nothing deployed from a compose file: as before, the known services.
  Status s = ResolveCreateSource("worker", known, {}, &repo);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("Known services: api, shop, web.") != std::string::npos);
  BOOST_CHECK(s.message().find("Compose services") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(compose_services_read_from_the_commit) {
  ScratchDir dir;
  const std::string work = dir.path() + "/w";
  auto sh = [](const std::string& cmd) { BOOST_REQUIRE_EQUAL(std::system(cmd.c_str()), 0); };
  sh("git init -q -b main " + work);
  std::filesystem::create_directories(work + "/deploy");
  std::ofstream(work + "/compose.yaml") << "services:\n  web: {image: x}\n  db: {image: y}\n";
  std::ofstream(work + "/deploy/qa.yaml")
      << "services:\n  api: {image: '${IMAGE:?set IMAGE}'}\n  cache: {image: z}\n";
  sh("cd " + work + " && git add -A && git -c user.name=t -c user.email=t@t commit -qm c");
  FILE* p = popen(("git -C " + work + " rev-parse HEAD").c_str(), "r");
  char sha[64] = {0};
  BOOST_REQUIRE(fgets(sha, sizeof sha, p));
  pclose(p);
  std::string commit(sha, 40);
  Repo repo;
  repo.name = "web";
  repo.path = work;
  BOOST_CHECK((ComposeServicesAt(repo, commit) == std::vector<std::string>{"web", "db"}));
  repo.compose_file = "deploy/qa.yaml";  // repo add --compose
  BOOST_CHECK((ComposeServicesAt(repo, commit) == std::vector<std::string>{"api", "cache"}));
  repo.compose_file = "missing.yaml";
  BOOST_CHECK(ComposeServicesAt(repo, commit).empty());
}

BOOST_AUTO_TEST_CASE(a_repo_keeps_its_compose_file) {
  TestStore t;
  Repo r;
  r.name = "web";
  r.path = "/nonexistent/web.git";
  r.compose_file = "deploy/compose.qa.yaml";
  BOOST_REQUIRE(AddRepo(t.db.get(), r).ok());
  Repo back;
  BOOST_REQUIRE(GetRepo(t.db.get(), "web", &back).ok());
  BOOST_CHECK_EQUAL(back.compose_file, "deploy/compose.qa.yaml");
}

BOOST_AUTO_TEST_SUITE_END()
