// DockerRuntime: ContainerRuntime over the Docker Engine API (plain HTTP/1.1
// on a unix socket or a loopback TCP port), with cpp-httplib and
// nlohmann/json. The API version is negotiated on first use (PROTOCOLS §6.1)
// and every path is prefixed with it. Also works against Podman's
// Docker-compatible service.
//
// Thread-safety: every method may be called from several threads at once.
// Each call opens its own connection; the negotiated version is guarded by a
// mutex.
//
// The pure helpers below (stream splitting, demultiplexing, request bodies,
// URL encoding) are exposed for unit tests.
#ifndef SANDBOT_BOT_DOCKER_RUNTIME_H_
#define SANDBOT_BOT_DOCKER_RUNTIME_H_

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "handlers/runtime.h"
#include "util/status.h"

namespace sandbot {

inline constexpr char kDefaultDockerEndpoint[] = "unix:///var/run/docker.sock";

// Splits the engine's newline-delimited JSON progress stream (build, load,
// import) into objects however the bytes are chunked. `stream` text goes to
// the sink one line at a time; `status` messages (without progress bars) as
// "id: status"; an in-band `error` is remembered and not forwarded.
class EngineStreamParser {
 public:
  explicit EngineStreamParser(LineSink sink) : sink_(std::move(sink)) {}

  void Feed(const char* data, size_t size);
  // Flushes a final object or partial text line not ended by a newline.
  void Finish();

  bool failed() const { return failed_; }
  // The first in-band error message (errorDetail.message, else error).
  const std::string& error() const { return error_; }
  // The image id from an {"aux":{"ID":…}} object, when the engine sent one.
  const std::string& aux_id() const { return aux_id_; }

 private:
  void HandleObject(const std::string& line);
  void EmitText(const std::string& text);
  void Emit(std::string line);

  LineSink sink_;
  std::string pending_;       // bytes after the last '\n'
  std::string pending_text_;  // "stream" text after its last '\n'
  bool failed_ = false;
  std::string error_;
  std::string aux_id_;
};

// Decodes a multiplexed stdout/stderr stream (8-byte headers
// [stream,0,0,0,size BE32] + payload) into plain text. Anything that is not a
// well-formed sequence of frames (a TTY container's raw stream) comes back
// unchanged.
std::string DemuxDockerStream(const std::string& raw);

// The body of POST /containers/create for `spec`.
nlohmann::json BuildCreateBody(const ContainerSpec& spec);

// Percent-encodes everything but RFC 3986 unreserved characters (for query
// values).
std::string UrlEncode(const std::string& s);
// Like UrlEncode but keeps '/', ':' and '@' so image references such as
// "sandbot/busybox:latest" stay routable as path segments.
std::string PathEscape(const std::string& s);
// {"label":["k=v",…]} URL-encoded, or "" when `labels` is empty.
std::string LabelFilter(const Labels& labels);
// Splits "name:tag" on the last ':' after the last '/' ("localhost:5000/a"
// has no tag); the tag defaults to "latest".
void SplitRepoTag(const std::string& ref, std::string* repo, std::string* tag);
// Whether `ref` is a well-formed "name[:tag]" in Docker's reference grammar
// (lowercase path components, an optional registry host, no digest).
bool IsValidImageTag(const std::string& ref);
// min(client maximum, `server`) as "1.NN"; the fallback when the engine did
// not send a usable Api-Version header.
std::string NegotiateApiVersion(const std::string& server);
// "1.41" → 41; -1 when it is not "1.<number>".
int ApiMinor(const std::string& version);
// The engine's `message` from an error body, else the trimmed body itself.
std::string EngineErrorMessage(const std::string& body);

class DockerRuntime : public ContainerRuntime {
 public:
  // `endpoint`: "unix:///path/to.sock" (or a bare absolute socket path) or
  // "tcp://host:port" (plain HTTP). An unsupported endpoint makes every call
  // fail with InvalidArgument.
  explicit DockerRuntime(std::string endpoint = kDefaultDockerEndpoint);
  ~DockerRuntime() override = default;
  DockerRuntime(const DockerRuntime&) = delete;
  DockerRuntime& operator=(const DockerRuntime&) = delete;

  Status Ping() override;

  Status EnsureNetwork(const std::string& name, const Labels& labels) override;
  Status RemoveNetwork(const std::string& name) override;
  Status ListNetworks(const Labels& labels, std::vector<std::string>* names) override;

  Status BuildImage(const std::string& context_tar, const std::string& tag,
                    const LineSink& log) override;
  Status ImageExists(const std::string& ref, bool* exists) override;
  Status LoadImage(const std::string& tar_path, const LineSink& log) override;
  Status ImportImage(const std::string& rootfs_tar_path, const std::string& repo_tag,
                     const LineSink& log) override;

  Status CreateContainer(const ContainerSpec& spec, std::string* id) override;
  Status StartContainer(const std::string& id) override;
  Status StopContainer(const std::string& id, int timeout_seconds) override;
  Status SignalContainer(const std::string& name_or_id, const std::string& signal) override;
  Status RemoveContainer(const std::string& name_or_id) override;
  Status InspectContainer(const std::string& name_or_id, ContainerState* state) override;
  Status ContainerLogs(const std::string& name_or_id, int tail, std::string* out) override;
  Status ListContainers(const Labels& labels, std::vector<ContainerInfo>* out) override;

  // The negotiated API version ("1.41"), negotiating first if needed.
  Status ApiVersion(std::string* version);

 private:
  struct Call;
  struct Reply {
    int status = 0;
    std::string body;
    std::string content_type;
    std::string api_version;  // the Api-Version response header
  };

  // Sends one request and waits for the whole answer. Fails only when no
  // HTTP answer came back; the caller judges the status code.
  Status Send(const Call& call, Reply* reply);
  // Sends `call` under the negotiated version prefix.
  Status SendVersioned(Call call, Reply* reply);
  // GET /_ping; records the version on the first success.
  Status PingAndNegotiate();
  // Ids of the networks whose name is exactly `name` (there may be several).
  Status NetworkIdsNamed(const std::string& name, std::vector<std::string>* ids);
  // Runs a build/load/import request whose answer is a JSON progress stream.
  Status StreamingPost(Call call, const std::string& what, const LineSink& log);

  const std::string endpoint_;
  bool unix_ = false;
  std::string address_;  // socket path, or "http://host:port"
  std::string endpoint_error_;

  std::mutex mu_;
  std::string api_version_;  // guarded by mu_; empty until negotiated
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_DOCKER_RUNTIME_H_
