#define BOOST_TEST_DYN_LINK
#include "util/engine_names.h"

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <functional>
#include <string>

#include "tests/unit/test_util.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(engine_names)

namespace {

const std::string kSha = "0123456789abcdef0123456789abcdef01234567";

}  // namespace

BOOST_AUTO_TEST_CASE(name_table) {
  const struct {
    const char* what;
    std::string got, want;
  } cases[] = {
      {"short", Short(kSha), "0123456"},
      {"short of a short id", Short("abc"), "abc"},
      {"sha12", Sha12(kSha), "0123456789ab"},
      {"container", ContainerName("qa", "web"), "sandbox-qa-web"},
      {"standby container", StandbyContainerName("qa", "web"), "sandbox-qa-web.old"},
      {"network", NetworkName("qa"), "sandbox-qa"},
      {"image", ImageTag("web", kSha), "sandbot/web:0123456789ab"},
      {"work root", WorkRoot("/d"), "/d/work"},
      {"work", WorkDir("/d", "qa"), "/d/work/qa"},
      {"checkout", CheckoutDir("/d", "qa", "web", kSha), "/d/work/qa/web-0123456789ab"},
      {"routes", RoutesDir("/d", "qa"), "/d/work/qa/etc-sandbot"},
      {"job log", JobLogPath("/d", 42), "/d/logs/job-42.log"},
      {"sandbox secrets", SandboxSecretsDir("/d", "qa"), "/d/secrets/qa"},
      {"secrets", SecretsDir("/d", "qa", "web"), "/d/secrets/qa/web"},
      {"network parsed", SandboxOfNetworkName("sandbox-qa"), "qa"},
      {"network parsed, dashes", SandboxOfNetworkName("sandbox-feature-x"), "feature-x"},
      {"network not ours", SandboxOfNetworkName("bridge"), ""},
      {"label managed", kLabelManaged, "sandbot.managed"},
      {"label sandbox", kLabelSandbox, "sandbot.sandbox"},
      {"label service", kLabelService, "sandbot.service"},
      {"label repo", kLabelRepo, "sandbot.repo"},
      {"label commit", kLabelCommit, "sandbot.commit"},
      {"label data", kLabelData, "sandbot.data"},
      {"label routes", kLabelRoutes, "sandbot.routes"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.what) { BOOST_CHECK_EQUAL(c.got, c.want); }
  }
}

BOOST_AUTO_TEST_CASE(network_name_round_trips) {
  for (const std::string sandbox : {"qa", "feature-login", "a"}) {
    BOOST_CHECK_EQUAL(SandboxOfNetworkName(NetworkName(sandbox)), sandbox);
  }
}

BOOST_AUTO_TEST_CASE(bind_sources_are_absolute) {
  // Secrets folders are bind-mount sources: a relative data folder still
  // gives an absolute path.
  const std::string dir = SecretsDir("rel/data", "qa", "web");
  BOOST_CHECK(std::filesystem::path(dir).is_absolute());
  BOOST_CHECK_EQUAL(std::filesystem::path(dir).filename().string(), "web");
}

BOOST_AUTO_TEST_CASE(data_label_is_canonical) {
  ScratchDir d;
  std::filesystem::create_directories(d.path() + "/data");
  std::filesystem::create_directories(d.path() + "/x");
  BOOST_CHECK_EQUAL(DataLabel(d.path() + "/x/../data"), DataLabel(d.path() + "/data"));
}

BOOST_AUTO_TEST_SUITE_END()
