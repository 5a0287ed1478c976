// ForwardingRuntime: every interface call reaches the inner runtime, each
// through Around() exactly once, and list outputs start empty.
#define BOOST_TEST_DYN_LINK
#include "bot/forwarding_runtime.h"

#include <boost/test/unit_test.hpp>

#include "tests/unit/fake_runtime.h"

using namespace sandbot;

namespace {

class Counting : public ForwardingRuntime {
 public:
  using ForwardingRuntime::ForwardingRuntime;
  int arounds = 0;

 protected:
  Status Around(const std::function<Status()>& call) override {
    ++arounds;
    return call();
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(forwarding_runtime)

BOOST_AUTO_TEST_CASE(every_call_is_forwarded_once_through_around) {
  FakeRuntime fake;
  Counting r(&fake);
  std::string id, logs = "stale";
  bool exists = false, created = false;
  ContainerState state;
  std::vector<ContainerInfo> containers(3);
  std::vector<NetworkInfo> networks(3);
  std::vector<VolumeInfo> volumes(3);
  ContainerSpec spec;
  spec.name = "sandbox-qa-web";
  spec.image = "img";
  const LineSink quiet = [](const std::string&) {};
  BOOST_CHECK(r.Ping().ok());
  BOOST_CHECK(r.EnsureNetwork("sandbox-qa", {}).ok());
  BOOST_CHECK(r.ListNetworks({}, &networks).ok());
  BOOST_CHECK(r.ImageExists("img", &exists).ok());
  BOOST_CHECK(r.CreateContainer(spec, &id).ok());
  BOOST_CHECK(r.StartContainer(id).ok());
  BOOST_CHECK(r.InspectContainer("sandbox-qa-web", &state).ok());
  BOOST_CHECK(state.running);
  BOOST_CHECK(r.SignalContainer("sandbox-qa-web", "HUP").ok());
  BOOST_CHECK(r.ContainerLogs("sandbox-qa-web", 10, &logs).ok());
  BOOST_CHECK(r.ListContainers({}, &containers).ok());
  BOOST_CHECK(r.StopContainer(id, 1).ok());
  BOOST_CHECK(r.RenameContainer("sandbox-qa-web", "sandbox-qa-old").ok());
  BOOST_CHECK(r.RemoveContainer("sandbox-qa-old").ok());
  BOOST_CHECK(r.EnsureVolume("v", {}, &created).ok());
  BOOST_CHECK(created);
  BOOST_CHECK(r.ListVolumes({}, &volumes).ok());
  BOOST_CHECK(r.RemoveVolume("v").ok());
  BOOST_CHECK(r.RemoveNetwork("sandbox-qa").ok());
  BOOST_CHECK_EQUAL(r.arounds, 17);
  BOOST_CHECK_EQUAL(fake.calls, 17);
  BOOST_CHECK_EQUAL(containers.size(), 1u);  // the fake's one, not 3 stale + 1
  BOOST_CHECK_EQUAL(networks.size(), 1u);
  BOOST_CHECK_EQUAL(volumes.size(), 1u);
  BOOST_CHECK(logs.find("stale") == std::string::npos);
  // Errors come back as the inner runtime gave them.
  fake.down = true;
  BOOST_CHECK(r.Ping().IsUnavailable());
  BOOST_CHECK(r.BuildImage("ctx.tar", "t", quiet).IsUnavailable());
  BOOST_CHECK_EQUAL(r.arounds, 19);
}

BOOST_AUTO_TEST_SUITE_END()
