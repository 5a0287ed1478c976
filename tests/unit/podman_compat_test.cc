#define BOOST_TEST_DYN_LINK
#include "bot/podman_compat.h"

#include <boost/test/unit_test.hpp>
#include <string>

#include "tests/unit/podman_answers.h"

using namespace sandbot;
using nlohmann::json;

BOOST_AUTO_TEST_SUITE(podman_compat)

BOOST_AUTO_TEST_CASE(podman_is_told_from_its_version_answer) {
  BOOST_TEST(IsPodmanVersion(json::parse(recorded::kPodmanVersion)));
  BOOST_TEST(EngineProduct(json::parse(recorded::kPodmanVersion)) == "Podman Engine 4.3.1");
  BOOST_TEST(!IsPodmanVersion(json::parse(recorded::kDockerVersion)));
  // Releases that name it in Platform instead of a component.
  BOOST_TEST(IsPodmanVersion(json::parse(R"({"Platform":{"Name":"Podman Engine"}})")));
  BOOST_TEST(!IsPodmanVersion(json::parse(R"({"Platform":{"Name":"Docker Engine - Community"},
      "Components":[{"Name":"Engine"}]})")));
  for (const char* odd : {"[]", "null", R"({"Components":"Podman"})", R"({"Components":[3]})"}) {
    BOOST_TEST(!IsPodmanVersion(json::parse(odd)), odd);
  }
}

BOOST_AUTO_TEST_CASE(podman_500s_get_the_code_dockerd_gives) {
  BOOST_TEST(PodmanStatus(500, recorded::kNameInUse) == 409);
  BOOST_TEST(PodmanStatus(500, recorded::kNetworkExists) == 409);
  BOOST_TEST(PodmanStatus(500, recorded::kNetworkInUse) == 409);
  BOOST_TEST(PodmanStatus(500, recorded::kInvalidSignal) == 400);
  // A real failure stays a 500; codes Podman already gives stay theirs.
  BOOST_TEST(PodmanStatus(500, recorded::kRlimitRefused) == 500);
  BOOST_TEST(PodmanStatus(500, recorded::kNoFreeSubnet) == 500);
  BOOST_TEST(PodmanStatus(404, recorded::kNoSuchContainer) == 404);
  BOOST_TEST(PodmanStatus(204, "") == 204);
  // The cause alone decides: the same words in a message do not.
  BOOST_TEST(PodmanStatus(500, R"({"message":"network already exists"})") == 500);
  BOOST_TEST(PodmanStatus(500, "not json") == 500);
}

BOOST_AUTO_TEST_CASE(stopping_is_still_running_as_dockerd_says) {
  BOOST_TEST(PodmanContainerState("stopping") == "running");
  for (const char* same : {"running", "exited", "created", "paused", ""}) {
    BOOST_TEST(PodmanContainerState(same) == same);
  }
}

BOOST_AUTO_TEST_CASE(image_names_lose_podmans_registry_prefix) {
  BOOST_TEST(PodmanImageName("docker.io/sandbot/web:0a1b2c3d4e5f") == "sandbot/web:0a1b2c3d4e5f");
  BOOST_TEST(PodmanImageName("localhost/sandbot/busybox:latest") == "sandbot/busybox:latest");
  BOOST_TEST(PodmanImageName("docker.io/library/redis:7") == "redis:7");
  BOOST_TEST(PodmanImageName("registry.example.com/team/app:1") ==
             "registry.example.com/team/app:1");
  BOOST_TEST(PodmanImageName("sha256:2008") == "sha256:2008");
}

BOOST_AUTO_TEST_CASE(no_subnet_left_is_recognised_with_advice_per_engine) {
  BOOST_TEST(NoSubnetLeft(recorded::kNoFreeSubnet));
  BOOST_TEST(NoSubnetLeft(R"({"message":"could not find an available, non-overlapping IPv4 )"
                          R"(address pool among the defaults to assign to the network"})"));
  BOOST_TEST(!NoSubnetLeft(recorded::kNetworkExists));
  BOOST_TEST(NoSubnetAdvice(true).find("default_subnet_pools") != std::string::npos);
  BOOST_TEST(NoSubnetAdvice(false).find("default-address-pools") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rlimit_refusal_is_recognised) {
  BOOST_TEST(PodmanRlimitRefused(recorded::kRlimitRefused));
  BOOST_TEST(!PodmanRlimitRefused(recorded::kNameInUse));
  BOOST_TEST(PodmanRlimitAdvice().find("default_ulimits") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
