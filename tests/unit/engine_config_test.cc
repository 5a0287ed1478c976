#define BOOST_TEST_DYN_LINK
#include "bot/engine_config.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/cli_engine.h"
#include "bot/docker_transport.h"
#include "bot/tls_probe.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

// A folder with the three files (their content is not looked at here).
std::string CertDir(const ScratchDir& dir) {
  for (const char* f : {"ca.pem", "cert.pem", "key.pem"}) {
    std::ofstream(dir.path() + "/" + f) << "x";
  }
  return dir.path();
}

bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_config)

BOOST_AUTO_TEST_CASE(no_engine_flag_is_one_local_engine_at_docker) {
  std::vector<EngineSpec> engines;
  BOOST_TEST(ResolveEngines(EngineFlags(), "unix:///run/x.sock", &engines).ok());
  BOOST_TEST(engines.size() == 1u);
  BOOST_TEST(engines[0].name == "local");
  BOOST_TEST(engines[0].url == "unix:///run/x.sock");
  BOOST_TEST(!engines[0].Tls().enabled());
}

BOOST_AUTO_TEST_CASE(tcp_without_tls_is_refused_unless_named_insecure) {
  EngineFlags flags;
  flags.engines = {"far=tcp://10.0.0.2:2375"};
  std::vector<EngineSpec> engines;
  Status s = ResolveEngines(flags, "", &engines);
  BOOST_TEST(s.IsInvalidArgument());
  BOOST_TEST(Contains(s.message(), "--insecure-engine far"), s.message());
  BOOST_TEST(Contains(s.message(), "--engine-tls far=DIR"), s.message());

  flags.insecure = {"far"};
  engines.clear();
  BOOST_TEST(ResolveEngines(flags, "", &engines).ok());
  BOOST_TEST(engines[0].insecure);
  // http:// is the same plain HTTP.
  flags.engines = {"far=http://10.0.0.2:2375"};
  flags.insecure = {};
  engines.clear();
  BOOST_TEST(ResolveEngines(flags, "", &engines).IsInvalidArgument());
  // Insecure for another name does not count.
  flags.engines = {"far=tcp://10.0.0.2:2375", "near=unix:///run/d.sock"};
  flags.insecure = {"near"};
  engines.clear();
  BOOST_TEST(ResolveEngines(flags, "", &engines).IsInvalidArgument());
}

BOOST_AUTO_TEST_CASE(tls_folder_gives_the_docker_cert_path_files) {
  ScratchDir dir;
  EngineFlags flags;
  flags.engines = {"far=tcp://127.0.0.1:2376"};
  flags.tls = {"far=" + CertDir(dir) + "/"};
  std::vector<EngineSpec> engines;
  BOOST_TEST(ResolveEngines(flags, "", &engines).ok());
  const EngineTls tls = engines[0].Tls();
  BOOST_TEST(tls.ca == dir.path() + "/ca.pem");
  BOOST_TEST(tls.cert == dir.path() + "/cert.pem");
  BOOST_TEST(tls.key == dir.path() + "/key.pem");
}

BOOST_AUTO_TEST_CASE(docker_cert_path_is_the_default_tcp_engines_tls) {
  ScratchDir dir;
  EngineFlags flags;
  flags.docker_tls_dir = CertDir(dir);
  std::vector<EngineSpec> engines;
  BOOST_TEST(ResolveEngines(flags, "tcp://10.0.0.2:2376", &engines).ok());
  BOOST_TEST(engines[0].tls_dir == dir.path());
  // A unix socket ignores it: DOCKER_TLS_VERIFY is about DOCKER_HOST.
  engines.clear();
  BOOST_TEST(ResolveEngines(flags, "unix:///run/d.sock", &engines).ok());
  BOOST_TEST(engines[0].tls_dir.empty());
}

BOOST_AUTO_TEST_CASE(tls_folder_must_hold_all_three_files_and_only_for_tcp) {
  ScratchDir dir;
  std::ofstream(dir.path() + "/ca.pem") << "x";
  std::ofstream(dir.path() + "/cert.pem") << "x";
  EngineFlags flags;
  flags.engines = {"far=tcp://127.0.0.1:2376"};
  flags.tls = {"far=" + dir.path()};
  std::vector<EngineSpec> engines;
  Status s = ResolveEngines(flags, "", &engines);
  BOOST_TEST(s.IsInvalidArgument());
  BOOST_TEST(Contains(s.message(), "cannot read " + dir.path() + "/key.pem"), s.message());

  ScratchDir full;
  flags.engines = {"near=unix:///run/d.sock"};
  flags.tls = {"near=" + CertDir(full)};
  engines.clear();
  s = ResolveEngines(flags, "", &engines);
  BOOST_TEST(Contains(s.message(), "TLS is for tcp:// engines"), s.message());

  flags.engines = {"far=tcp://127.0.0.1:2376"};
  flags.tls = {"far=" + full.path()};
  flags.insecure = {"far"};
  engines.clear();
  BOOST_TEST(ResolveEngines(flags, "", &engines).IsInvalidArgument());
}

BOOST_AUTO_TEST_CASE(flags_name_engines_that_exist_with_valid_names) {
  std::vector<EngineSpec> engines;
  EngineFlags flags;
  for (const char* bad : {"Far=tcp://h:1", "=tcp://h:1", "far=", "far", "1far=unix:///x",
                          "far_1=unix:///x", "a-very-long-engine-name-above-32-chars=unix:///x"}) {
    flags.engines = {bad};
    engines.clear();
    BOOST_TEST(ResolveEngines(flags, "", &engines).IsInvalidArgument(), bad);
  }
  flags.engines = {"far=unix:///x"};
  flags.tls = {"other=/tmp"};
  engines.clear();
  BOOST_TEST(Contains(ResolveEngines(flags, "", &engines).message(), "no engine named 'other'"));
  flags.tls = {};
  flags.insecure = {"other"};
  engines.clear();
  BOOST_TEST(ResolveEngines(flags, "", &engines).IsInvalidArgument());
  flags.insecure = {};
  flags.engines = {"far=ssh://host"};
  engines.clear();
  BOOST_TEST(ResolveEngines(flags, "", &engines).IsInvalidArgument());
}

BOOST_AUTO_TEST_CASE(config_file_engines_and_flags_replace_them_by_name) {
  ScratchDir dir;
  nlohmann::json j = {{"far",
                       {{"url", "tcp://10.0.0.2:2376"},
                        {"tls", CertDir(dir)},
                        {"public_host", "far.example"},
                        {"ports", "9001-9100"}}},
                      {"near", {{"url", "unix:///run/near.sock"}}}};
  std::vector<EngineSpec> engines;
  BOOST_TEST(ParseEnginesJson(j, "config.json", &engines).ok());
  BOOST_TEST(engines.size() == 2u);
  EngineFlags flags;
  flags.engines = {"near=unix:///run/other.sock"};
  BOOST_TEST(ResolveEngines(flags, "unix:///ignored", &engines).ok());
  BOOST_TEST(engines.size() == 2u);
  for (const EngineSpec& e : engines) {
    if (e.name == "far") {
      BOOST_TEST(e.public_host == "far.example");
      BOOST_TEST(e.ports == "9001-9100");
      BOOST_TEST(e.Tls().enabled());
    } else {
      BOOST_TEST(e.url == "unix:///run/other.sock");
    }
  }
  for (const nlohmann::json& bad :
       {nlohmann::json::array(), nlohmann::json{{"far", "tcp://h:1"}},
        nlohmann::json{{"far", {{"url", 5}}}}, nlohmann::json{{"far", {{"tls", "/x"}}}},
        nlohmann::json{{"Far", {{"url", "unix:///x"}}}},
        nlohmann::json{{"far", {{"url", "unix:///x"}, {"insecure", "yes"}}}}}) {
    engines.clear();
    BOOST_TEST(ParseEnginesJson(bad, "config.json", &engines).IsInvalidArgument(), bad.dump());
  }
}

BOOST_AUTO_TEST_CASE(transport_refuses_tls_on_a_unix_socket) {
  EngineTls tls{"/x/ca.pem", "/x/cert.pem", "/x/key.pem"};
  DockerTransport t("unix:///run/d.sock", tls);
  DockerCall call;
  DockerReply reply;
  Status s = t.Send(call, &reply);
  BOOST_TEST(s.IsInvalidArgument());
  BOOST_TEST(Contains(s.message(), "TLS is for tcp://"), s.message());
  BOOST_TEST(DockerTransport("tcp://127.0.0.1:2376", tls).tls());
}

BOOST_AUTO_TEST_CASE(unusable_tls_files_are_named) {
  ScratchDir dir;
  const EngineTls tls{dir.path() + "/ca.pem", dir.path() + "/cert.pem", dir.path() + "/key.pem"};
  BOOST_TEST(Contains(CheckTlsFiles(tls), dir.path() + "/ca.pem is not a PEM CA certificate"));
  // The client refuses files it cannot use before connecting anywhere.
  DockerTransport t("tcp://127.0.0.1:1", tls);
  DockerCall call;
  DockerReply reply;
  Status s = t.Send(call, &reply);
  BOOST_TEST(s.IsInvalidArgument(), s.ToString());
  BOOST_TEST(Contains(s.message(), "cannot use the client certificate"), s.message());
}

BOOST_AUTO_TEST_CASE(engine_list_and_status_text) {
  nlohmann::json engines =
      nlohmann::json::array({{{"name", "local"},
                              {"url", "unix:///var/run/docker.sock"},
                              {"tls", false},
                              {"up", true},
                              {"version", "Docker Engine 20.10"},
                              {"containers", 3}},
                             {{"name", "far"},
                              {"url", "tcp://10.0.0.2:2376"},
                              {"tls", true},
                              {"tls_dir", "/etc/far"},
                              {"up", false},
                              {"error", "the engine refused our client certificate"},
                              {"containers", -1},
                              {"breaker_open", true}}});
  const std::string list = FormatEngineList(engines);
  BOOST_TEST(Contains(list, "NAME   URL                          TLS     STATE  VERSION"), list);
  BOOST_TEST(
      Contains(list, "local  unix:///var/run/docker.sock  -       up     Docker Engine 20.10  3"),
      list);
  BOOST_TEST(Contains(list, "far    tcp://10.0.0.2:2376          mutual  down   -"), list);
  const std::string status = FormatEngineStatus(engines, "far");
  BOOST_TEST(Contains(status, "tls         mutual (/etc/far)"), status);
  BOOST_TEST(Contains(status, "error       the engine refused our client certificate"), status);
  BOOST_TEST(Contains(status, "containers  ? running"), status);
  BOOST_TEST(FormatEngineStatus(engines, "nope").empty());
}

// --swarm marks the engines as Swarm managers; the publish mode is checked.
BOOST_AUTO_TEST_CASE(swarm_flag_and_config) {
  EngineFlags flags;
  flags.engines = {"swarm=unix:///var/run/docker.sock"};
  flags.swarm = true;
  flags.swarm_publish = "host";
  std::vector<EngineSpec> engines;
  BOOST_TEST(ResolveEngines(flags, "unix:///x.sock", &engines).ok());
  BOOST_TEST(engines.size() == 1u);
  BOOST_TEST(engines[0].swarm);
  BOOST_TEST(engines[0].swarm_publish == "host");

  flags.swarm_publish = "mesh";
  engines.clear();
  Status s = ResolveEngines(flags, "unix:///x.sock", &engines);
  BOOST_TEST(s.IsInvalidArgument());
  BOOST_TEST(Contains(s.message(), "ingress"), s.message());
  EngineFlags no_swarm;
  no_swarm.swarm_publish = "host";
  engines.clear();
  BOOST_TEST(ResolveEngines(no_swarm, "unix:///x.sock", &engines).IsInvalidArgument());

  engines.clear();
  nlohmann::json j = nlohmann::json::parse(
      R"({"s": {"url": "unix:///run/s.sock", "swarm": true, "swarm_publish": "ingress"}})");
  BOOST_TEST(ParseEnginesJson(j, "config.json", &engines).ok());
  BOOST_TEST(engines[0].swarm);
  BOOST_TEST(engines[0].swarm_publish == "ingress");
  engines.clear();
  BOOST_TEST(
      ParseEnginesJson(nlohmann::json::parse(R"({"s": {"url": "unix:///a", "swarm": "yes"}})"),
                       "config.json", &engines)
          .IsInvalidArgument());
}

BOOST_AUTO_TEST_SUITE_END()
