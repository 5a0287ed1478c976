#define BOOST_TEST_DYN_LINK
#include "handlers/names.h"

#include <boost/test/unit_test.hpp>
#include <set>

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(names)

BOOST_AUTO_TEST_CASE(slug_table) {
  const struct {
    std::string branch, slug;
  } cases[] = {
      {"feature/hello", "feature-hello"},
      {"Feature/Login-Error", "feature-login-error"},
      {"feature/$(reboot)", "feature-reboot"},
      {"../../etc", "etc"},
      {"--x--", "x"},
      {"fix_42", "fix-42"},
      {"ünïcode/ブランチ", "n-code"},
      {"$()`;|&", "sandbox"},
      {"", "sandbox"},
      {std::string(250, 'a'), std::string(40, 'a')},
      {std::string(39, 'a') + "/b", std::string(39, 'a')},
  };
  for (const auto& c : cases) {
    BOOST_CHECK_EQUAL(SlugFromBranch(c.branch), c.slug);
    BOOST_CHECK(ValidateSandboxName(SlugFromBranch(c.branch)).ok());
  }
}

BOOST_AUTO_TEST_CASE(unique_names_stay_valid) {
  std::set<std::string> taken = {"feature-x", "feature-x-2", std::string(40, 'a')};
  auto is_taken = [&](const std::string& n) { return taken.count(n) > 0; };
  BOOST_CHECK_EQUAL(UniqueName("feature-y", is_taken), "feature-y");
  BOOST_CHECK_EQUAL(UniqueName("feature-x", is_taken), "feature-x-3");
  std::string long_name = UniqueName(std::string(40, 'a'), is_taken);
  BOOST_CHECK_EQUAL(long_name, std::string(38, 'a') + "-2");
  BOOST_CHECK(ValidateSandboxName(long_name).ok());
}

BOOST_AUTO_TEST_CASE(validation) {
  for (const std::string ok : {"web", "qa-login", "a1"}) {
    BOOST_CHECK(ValidateServiceName(ok).ok());
    BOOST_CHECK(ValidateSandboxName(ok).ok());
  }
  for (const std::string& bad : std::vector<std::string>{
           "", "-web", "web-", "Web", "a_b", "a/b", "a b", "$(x)", "..", std::string(31, 'a')}) {
    BOOST_CHECK_MESSAGE(!ValidateServiceName(bad).ok(), bad);
  }
  BOOST_CHECK(!ValidateSandboxName(std::string(41, 'a')).ok());
  BOOST_CHECK(ValidateBranchName("feature/$(reboot)").ok());
  BOOST_CHECK(ValidateBranchName(std::string(250, 'x')).ok());
  BOOST_CHECK(!ValidateBranchName(std::string(256, 'x')).ok());
  BOOST_CHECK(!ValidateBranchName("a\nb").ok());
  BOOST_CHECK(!ValidateBranchName("").ok());
}

BOOST_AUTO_TEST_CASE(branch_patterns) {
  BOOST_CHECK(MatchesBranchPatterns("*", "feature/x"));
  BOOST_CHECK(MatchesBranchPatterns("feature/*, fix/*", "fix/y"));
  BOOST_CHECK(MatchesBranchPatterns("feature*", "feature/deep/x"));
  BOOST_CHECK(!MatchesBranchPatterns("feature/*", "hotfix/y"));
  BOOST_CHECK(!MatchesBranchPatterns("", "x"));
}

// The word rules the grammar's argument parsers use (handlers/command_args.cc).
BOOST_AUTO_TEST_CASE(grammar_words) {
  for (const char* ok : {"QA-DEFAULT", "t_1", "a"}) {
    BOOST_CHECK_MESSAGE(ValidateTemplateName(ok).ok(), ok);
  }
  for (const std::string& bad :
       {std::string(""), std::string("a b"), std::string("x/y"), std::string(65, 'a')}) {
    BOOST_CHECK_MESSAGE(ValidateTemplateName(bad).IsInvalidArgument(), bad);
  }
  BOOST_CHECK(ValidateEnvKey("API_KEY").ok());
  BOOST_CHECK(ValidateEnvKey("_x1").ok());
  BOOST_CHECK(ValidateEnvKey("1KEY").IsInvalidArgument());
  BOOST_CHECK(ValidateEnvKey("A-B").IsInvalidArgument());
  BOOST_CHECK(ValidateContainerPath("/etc/app/config.yml").ok());
  for (const char* bad :
       {"etc/x", "/etc/../shadow", "/a//b", "/a/", "/run/secrets/x", "/etc/sandbot"}) {
    BOOST_CHECK_MESSAGE(ValidateContainerPath(bad).IsInvalidArgument(), bad);
  }
  const struct {
    const char* word;
    const char* route;  // "" when refused
  } routes[] = {
      {"Sandbox", "sandbox"},
      {"BASELINE", "baseline"},
      {"HTTP://x.example.com/a", "http://x.example.com/a"},
      {"https://[::1]:8443", "https://[::1]:8443"},
      {"ftp://x", ""},
      {"http://x:0", ""},
      {"http://", ""},
      {"staging", ""},
  };
  for (const auto& r : routes) {
    std::string route;
    Status s = ParseRouteTarget(r.word, &route);
    BOOST_CHECK_MESSAGE(s.ok() == (*r.route != 0), r.word << ": " << s.ToString());
    if (s.ok()) BOOST_CHECK_EQUAL(route, r.route);
  }
  BOOST_CHECK_EQUAL(EchoWord(std::string(60, 'x')), std::string(40, 'x') + "…");
  BOOST_CHECK_EQUAL(Lower("MiXeD-1"), "mixed-1");
}

// Issue 16 item 13: `env set-file` paths in their normal form only, never
// an alias of a reserved folder.
BOOST_AUTO_TEST_CASE(container_paths_are_normal_and_keep_out_of_reserved_folders) {
  for (const char* ok : {"/etc/app/config.yml", "/app/.env", "/srv/app/x", "/etc/secretsx",
                         "/var/run/app.pid", "/procfile", "/a/.../b", "/run/app/token"}) {
    BOOST_CHECK_MESSAGE(ValidateContainerPath(ok).ok(), ok);
  }
  // The attack's paths and their relatives: dot segments, empty segments,
  // a trailing '/', and each reserved folder under any spelling.
  for (const char* bad : {"/",
                          "/.",
                          "/..",
                          "/etc/.",
                          "/etc/..",
                          "/etc/./x",
                          "/./etc/passwd",
                          "/a/./b",
                          "/a/b/.",
                          "/a/b/..",
                          "/etc/../shadow",
                          "//etc/x",
                          "/a//b",
                          "/a/",
                          "/etc/",
                          "/etc",
                          "/var/run/secrets/TOKEN",
                          "/var/run/secrets",
                          "/run/secrets/x",
                          "/run/secrets",
                          "/run//secrets/x",
                          "/run/./secrets/x",
                          "/var/run/./secrets/x",
                          "/etc/sandbot",
                          "/etc/sandbot/routes.json",
                          "/proc/self/environ",
                          "/proc",
                          "/sys/kernel/x",
                          "/dev/null",
                          "/dev",
                          "/usr",
                          "/var",
                          "/var/run",
                          "/run",
                          "/tmp",
                          "etc/x",
                          "./x",
                          "/a b",
                          "/a\\b"}) {
    BOOST_CHECK_MESSAGE(ValidateContainerPath(bad).IsInvalidArgument(), bad);
  }
  BOOST_CHECK(ValidateContainerPath("/var/run/secrets/TOKEN").message().find("reserved") !=
              std::string::npos);
  BOOST_CHECK(ValidateContainerPath("/etc").message().find("system folder") != std::string::npos);
  BOOST_CHECK(ValidateContainerPath("/etc/.").message().find("'.'") != std::string::npos);
  BOOST_CHECK(ValidateContainerPath(std::string("/") + std::string(256, 'a')).IsInvalidArgument());
  // An entry stored under an old, looser rule can still be removed.
  BOOST_CHECK(ValidateRemovablePath("/etc/.").ok());
  BOOST_CHECK(ValidateRemovablePath("/var/run/secrets/TOKEN").ok());
  BOOST_CHECK(ValidateRemovablePath("etc").IsInvalidArgument());
  BOOST_CHECK(ValidateRemovablePath("/a b").IsInvalidArgument());
}

BOOST_AUTO_TEST_SUITE_END()
