#define BOOST_TEST_DYN_LINK
#include "bot/docker_runtime.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <vector>

using namespace sandbot;
using nlohmann::json;

namespace {

// Feeds `data` to a parser in pieces of `chunk` bytes and collects the lines.
struct Parsed {
  std::vector<std::string> lines;
  bool failed = false;
  std::string error, aux_id;
};

Parsed ParseInChunks(const std::string& data, size_t chunk) {
  Parsed p;
  EngineStreamParser parser([&p](const std::string& line) { p.lines.push_back(line); });
  for (size_t i = 0; i < data.size(); i += chunk) {
    parser.Feed(data.data() + i, std::min(chunk, data.size() - i));
  }
  parser.Finish();
  p.failed = parser.failed();
  p.error = parser.error();
  p.aux_id = parser.aux_id();
  return p;
}

std::string Frame(int stream, const std::string& payload) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  h[4] = static_cast<char>(n >> 24);
  h[5] = static_cast<char>(n >> 16);
  h[6] = static_cast<char>(n >> 8);
  h[7] = static_cast<char>(n);
  return h + payload;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(docker_runtime)

BOOST_AUTO_TEST_CASE(stream_parser_build_output_any_chunking) {
  const std::string data =
      "{\"stream\":\"Step 1/2 : FROM sandbot/busybox\\n\"}\r\n"
      "{\"stream\":\" ---\\u003e d0bc0705a683\\n\"}\n"
      "\n"
      "{\"stream\":\"partial \"}\n"
      "{\"stream\":\"line\\nsecond\\n\\n\"}\n"
      "{\"stream\":\"\\u001b[91mto-stderr\\n\\u001b[0m\"}\n"
      "{\"aux\":{\"ID\":\"sha256:abc\"}}\n"
      "{\"stream\":\"Successfully built ee1448486051\\n\"}\n";
  const std::vector<std::string> want = {"Step 1/2 : FROM sandbot/busybox",
                                         " ---> d0bc0705a683",
                                         "partial line",
                                         "second",
                                         "to-stderr",
                                         "Successfully built ee1448486051"};
  for (size_t chunk : {1, 2, 3, 7, 64, 100000}) {
    Parsed p = ParseInChunks(data, chunk);
    BOOST_TEST_CONTEXT("chunk " << chunk) {
      BOOST_TEST(p.lines == want, boost::test_tools::per_element());
      BOOST_TEST(!p.failed);
      BOOST_TEST(p.aux_id == "sha256:abc");
    }
  }
}

BOOST_AUTO_TEST_CASE(stream_parser_in_band_error) {
  Parsed p = ParseInChunks(
      "{\"stream\":\"Step 2/2 : RUN false\\n\"}\n"
      "{\"errorDetail\":{\"code\":1,\"message\":\"The command '/bin/sh -c false' returned a "
      "non-zero code: 1\"},\"error\":\"The command '/bin/sh -c false' returned a non-zero code: "
      "1\"}\n"
      "{\"error\":\"a second error\"}\n",
      5);
  BOOST_TEST(p.failed);
  BOOST_TEST(p.error == "The command '/bin/sh -c false' returned a non-zero code: 1");
  BOOST_TEST(p.lines == std::vector<std::string>{"Step 2/2 : RUN false"},
             boost::test_tools::per_element());

  p = ParseInChunks("{\"error\":\"only error\\n\"}", 3);  // no final newline
  BOOST_TEST(p.failed);
  BOOST_TEST(p.error == "only error");

  p = ParseInChunks("{\"errorDetail\":{}}\n", 100);
  BOOST_TEST(p.failed);
  BOOST_TEST(!p.error.empty());
}

BOOST_AUTO_TEST_CASE(stream_parser_status_and_noise) {
  Parsed p = ParseInChunks(
      "{\"status\":\"Loading layer\",\"progressDetail\":{\"current\":1,\"total\":9},"
      "\"id\":\"abc\"}\n"
      "{\"status\":\"Loaded\",\"progressDetail\":{},\"id\":\"abc\"}\n"
      "{\"status\":\"sha256:999c\"}\n"
      "not json at all\n"
      "[1,2]\n"
      "{\"stream\":\"tail without newline\"}",
      4);
  BOOST_TEST(!p.failed);
  BOOST_TEST(p.lines == (std::vector<std::string>{"abc: Loaded", "sha256:999c", "not json at all",
                                                  "[1,2]", "tail without newline"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(stream_parser_without_sink) {
  EngineStreamParser parser(nullptr);
  std::string data = "{\"stream\":\"x\\n\"}\n";
  parser.Feed(data.data(), data.size());
  parser.Finish();
  BOOST_TEST(!parser.failed());
}

BOOST_AUTO_TEST_CASE(demux_frames) {
  BOOST_TEST(DemuxDockerStream("") == "");
  std::string big(300, 'x');
  std::string raw = Frame(1, "out1\n") + Frame(2, "err1\n") + Frame(1, "") + Frame(1, big);
  BOOST_TEST(DemuxDockerStream(raw) == "out1\nerr1\n" + big);
  // A truncated last frame keeps what arrived.
  BOOST_TEST(DemuxDockerStream(Frame(1, "abc\n") + Frame(2, "defgh").substr(0, 10)) == "abc\nde");
  BOOST_TEST(DemuxDockerStream(Frame(1, "abc\n") + std::string("\x01\0\0", 3)) == "abc\n");
}

BOOST_AUTO_TEST_CASE(demux_raw_tty_stream_unchanged) {
  BOOST_TEST(DemuxDockerStream("hello\nworld\n") == "hello\nworld\n");
  BOOST_TEST(DemuxDockerStream("hi") == "hi");
  // Starts like a header but byte 1 is not zero.
  std::string odd("\x01\x02\0\0\0\0\0\x01z", 9);
  BOOST_TEST(DemuxDockerStream(odd) == odd);
  // A good frame followed by text that is not a header.
  std::string mixed = Frame(1, "ok\n") + "plain text here";
  BOOST_TEST(DemuxDockerStream(mixed) == mixed);
}

BOOST_AUTO_TEST_CASE(create_body_full) {
  ContainerSpec spec;
  spec.name = "sandbox-qa-web";
  spec.image = "sandbot/qa-web:abc";
  spec.cmd = {"httpd", "-f"};
  spec.env = {"A=1", "B=two words"};
  spec.labels = {{"sandbot.sandbox", "qa"}, {"sandbot.service", "web"}};
  spec.network = "sandbot-qa";
  spec.aliases = {"web", "www"};
  spec.container_port = 8080;
  spec.host_port = 19555;
  spec.binds = {"/srv/data:/data:ro"};
  spec.working_dir = "/app";
  spec.memory_bytes = 64 << 20;
  spec.nano_cpus = 500000000;

  json want = json::parse(R"({
    "Image": "sandbot/qa-web:abc",
    "Cmd": ["httpd", "-f"],
    "Env": ["A=1", "B=two words"],
    "Labels": {"sandbot.sandbox": "qa", "sandbot.service": "web"},
    "WorkingDir": "/app",
    "Tty": false,
    "ExposedPorts": {"8080/tcp": {}},
    "HostConfig": {
      "PortBindings": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "19555"}]},
      "Binds": ["/srv/data:/data:ro"],
      "Memory": 67108864,
      "NanoCpus": 500000000,
      "RestartPolicy": {"Name": "no"},
      "NetworkMode": "sandbot-qa"
    },
    "NetworkingConfig": {"EndpointsConfig": {"sandbot-qa": {"Aliases": ["web", "www"]}}}
  })");
  json got = BuildCreateBody(spec);
  BOOST_TEST(got == want, got.dump(2));
  BOOST_TEST(got["HostConfig"]["PortBindings"]["8080/tcp"][0]["HostPort"].is_string());
}

BOOST_AUTO_TEST_CASE(create_body_minimal) {
  ContainerSpec spec;
  spec.image = "busybox";
  spec.container_port = 8080;  // not published: host_port is 0
  json got = BuildCreateBody(spec);
  BOOST_TEST(got["Image"] == "busybox");
  BOOST_TEST(!got.contains("Cmd"));
  BOOST_TEST(!got.contains("WorkingDir"));
  BOOST_TEST(!got.contains("ExposedPorts"));
  BOOST_TEST(!got.contains("NetworkingConfig"));
  BOOST_TEST(got["Env"].is_array());
  BOOST_TEST(got["Labels"].is_object());
  const json& host = got["HostConfig"];
  BOOST_TEST(!host.contains("PortBindings"));
  BOOST_TEST(!host.contains("NetworkMode"));
  BOOST_TEST(!host.contains("Memory"));
  BOOST_TEST(!host.contains("NanoCpus"));
  BOOST_TEST(host["RestartPolicy"]["Name"] == "no");
}

BOOST_AUTO_TEST_CASE(create_body_survives_invalid_utf8) {
  ContainerSpec spec;
  spec.image = "busybox";
  spec.env = {std::string("X=\xff\xfe")};
  json got = BuildCreateBody(spec);
  // Must not throw when serialised the way DockerRuntime does.
  BOOST_CHECK_NO_THROW(got.dump(-1, ' ', false, json::error_handler_t::replace));
}

BOOST_AUTO_TEST_CASE(url_encoding) {
  BOOST_TEST(UrlEncode("abc-._~XYZ09") == "abc-._~XYZ09");
  BOOST_TEST(UrlEncode("a b&c=d/e:f?g#h+%") == "a%20b%26c%3Dd%2Fe%3Af%3Fg%23h%2B%25");
  BOOST_TEST(UrlEncode("\xc3\xa9") == "%C3%A9");
  BOOST_TEST(PathEscape("sandbot/busybox:latest") == "sandbot/busybox:latest");
  BOOST_TEST(PathEscape("img@sha256:ab") == "img@sha256:ab");
  BOOST_TEST(PathEscape("a b?c") == "a%20b%3Fc");
}

BOOST_AUTO_TEST_CASE(label_filter) {
  BOOST_TEST(LabelFilter({}) == "");
  BOOST_TEST(LabelFilter({{"sandbot.sandbox", "qa"}, {"k", "v w"}}) ==
             UrlEncode(R"({"label":["k=v w","sandbot.sandbox=qa"]})"));
}

BOOST_AUTO_TEST_CASE(split_repo_tag) {
  const struct {
    std::string ref, repo, tag;
  } cases[] = {
      {"sandbot/busybox:latest", "sandbot/busybox", "latest"},
      {"sandbot/busybox", "sandbot/busybox", "latest"},
      {"busybox:1.36", "busybox", "1.36"},
      {"localhost:5000/app", "localhost:5000/app", "latest"},
      {"localhost:5000/app:v2", "localhost:5000/app", "v2"},
      {"app:", "app", "latest"},
  };
  for (const auto& c : cases) {
    std::string repo, tag;
    SplitRepoTag(c.ref, &repo, &tag);
    BOOST_TEST(repo == c.repo, c.ref);
    BOOST_TEST(tag == c.tag, c.ref);
  }
}

BOOST_AUTO_TEST_CASE(image_tag_validation) {
  for (const char* good :
       {"busybox", "sandbot/busybox:latest", "sandbot/qa-web:abc123", "a__b/c.d/e--f:V1.2_x-y",
        "localhost:5000/app:v2", "reg.example.com/a/b", "app:_x"}) {
    BOOST_TEST(IsValidImageTag(good), good);
  }
  for (const char* bad : {"", "Bad Name", "UPPER/app", "app:", "app:-x", "app:.x", "-app", "app-",
                          "a//b", "/app", "app/", "a...b", "app@sha256:abc", "reg:99999999/app"}) {
    BOOST_TEST(!IsValidImageTag(bad), bad);
  }
  BOOST_TEST(!IsValidImageTag("app:" + std::string(129, 'x')));
}

BOOST_AUTO_TEST_CASE(api_version_negotiation) {
  BOOST_TEST(ApiMinor("1.41") == 41);
  BOOST_TEST(ApiMinor("1.5") == 5);
  BOOST_TEST(ApiMinor("2.0") == -1);
  BOOST_TEST(ApiMinor("1.") == -1);
  BOOST_TEST(ApiMinor("1.4x") == -1);
  BOOST_TEST(ApiMinor("") == -1);
  BOOST_TEST(NegotiateApiVersion("1.41") == "1.41");
  BOOST_TEST(NegotiateApiVersion("1.45") == "1.45");
  BOOST_TEST(NegotiateApiVersion("1.56") == "1.45");
  BOOST_TEST(NegotiateApiVersion("") == "1.41");
  BOOST_TEST(NegotiateApiVersion("garbage") == "1.41");
}

BOOST_AUTO_TEST_CASE(engine_error_message) {
  BOOST_TEST(EngineErrorMessage("{\"message\":\"No such container: x\"}\n") ==
             "No such container: x");
  BOOST_TEST(EngineErrorMessage("plain text\n") == "plain text");
  BOOST_TEST(EngineErrorMessage("{\"message\":42}") == "{\"message\":42}");
  BOOST_TEST(EngineErrorMessage("") == "(no message)");
}

// No engine involved: a socket that does not exist, and endpoints that are
// not supported.
BOOST_AUTO_TEST_CASE(unreachable_engine_is_unavailable) {
  DockerRuntime runtime("unix:///nonexistent/sandbot-test/docker.sock");
  Status s = runtime.Ping();
  BOOST_TEST(s.IsUnavailable());
  BOOST_TEST(s.message().find("unix:///nonexistent/sandbot-test/docker.sock") != std::string::npos);
  BOOST_TEST(s.message().find("does not exist") != std::string::npos);
  BOOST_TEST(s.message().find("systemctl start docker") != std::string::npos);
  std::string id;
  BOOST_TEST(runtime.CreateContainer(ContainerSpec(), &id).IsUnavailable());
}

BOOST_AUTO_TEST_CASE(bad_endpoints_are_invalid) {
  for (const char* e : {"ssh://host", "unix://relative.sock", "npipe:////./pipe/docker"}) {
    DockerRuntime runtime(e);
    Status s = runtime.Ping();
    BOOST_TEST((s.code() == Status::Code::kInvalidArgument), e << ": " << s.ToString());
  }
}

BOOST_AUTO_TEST_CASE(invalid_tags_rejected_before_any_request) {
  DockerRuntime runtime("unix:///nonexistent/sandbot-test/docker.sock");
  Status s = runtime.BuildImage("", "Not Valid", nullptr);
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
  s = runtime.ImportImage("/nonexistent.tar", "bad name:x", nullptr);
  BOOST_TEST((s.code() == Status::Code::kInvalidArgument), s.ToString());
}

BOOST_AUTO_TEST_SUITE_END()
