// DockerTransport: one HTTP/1.1 exchange with the Docker engine, over a unix
// socket (cpp-httplib over AF_UNIX, with an explicit Host header) or TCP,
// with mutual TLS (cpp-httplib's SSLClient over OpenSSL: our client
// certificate, the engine's checked against the CA and its name against
// the URL's host) or, when the operator allowed it, plain. It knows nothing of API versions or of
// what the answers mean: Send fails only when no HTTP answer came back, with a message that says
// why (the socket is missing, not ours, nobody listens).
//
// Connections: over a unix socket or plain TCP each call opens its own. Over
// TLS a finished call's connection is kept alive for the next one (up to
// kIdleTlsConnections idle, shared by copies of the transport): a handshake,
// with the certificate files read for it, cost more than the call itself and
// made a deploy through a TLS engine ~15 % slower than through the socket.
// Streamed calls (build output, logs) and uploads from a file take a kept
// connection too, and give it back when their answer was read to its end:
// a fresh one costs a handshake (~6.5 ms here against 0.17 ms for a call on
// a kept one). A call that failed midway, an answer ending with
// "Connection: close" and a 101 (the engine took the socket over) end
// theirs.
//
// Thread-safety: Send may be called from several threads at once; a kept
// connection serves one call at a time.
#ifndef SANDBOT_BOT_DOCKER_TRANSPORT_H_
#define SANDBOT_BOT_DOCKER_TRANSPORT_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "bot/engine_config.h"
#include "util/status.h"

namespace sandbot {

inline constexpr char kDefaultDockerEndpoint[] = "unix:///var/run/docker.sock";
// Idle TLS connections kept per engine (the workers' calls, a few at once).
inline constexpr size_t kIdleTlsConnections = 8;
// Seconds of silence allowed in an ordinary call.
inline constexpr int kDockerShortTimeout = 60;

struct DockerCall {
  std::string method = "GET";
  std::string path;  // query already encoded
  const std::string* body = nullptr;
  std::string body_file;  // streamed from disk instead of `body`
  std::string content_type;
  int read_timeout = kDockerShortTimeout;
  int write_timeout = kDockerShortTimeout;
  // When set, takes a 2xx body as it arrives instead of DockerReply::body.
  std::function<void(const char* data, size_t size)> stream;
};

struct DockerReply {
  int status = 0;
  std::string body;  // with `stream`, only a non-2xx body (truncated)
  std::string content_type;
  std::string api_version;  // the Api-Version response header
};

class DockerTransport {
 public:
  // `endpoint`: "unix:///path/to.sock" (or a bare absolute socket path) or
  // "tcp://host:port": TLS with `tls`'s files when given, else plain HTTP
  // (callers refuse that unless allowed: bot/engine_config.h). An
  // unsupported endpoint makes every call fail with InvalidArgument.
  explicit DockerTransport(std::string endpoint, EngineTls tls = EngineTls());

  // The endpoint as given, for messages.
  const std::string& endpoint() const { return endpoint_; }
  bool tls() const { return tls_.enabled(); }

  // Sends one request and waits for the whole answer. Fails only when no
  // HTTP answer came back; the caller judges the status code.
  Status Send(const DockerCall& call, DockerReply* reply) const;

 private:
  struct IdlePool;

  const std::string endpoint_;
  const EngineTls tls_;
  bool unix_ = false;
  std::string address_;  // socket path, or "http://host:port"
  std::string host_;     // tcp: host (brackets removed) and port
  int port_ = 0;
  std::string endpoint_error_;
  std::shared_ptr<IdlePool> idle_;  // TLS only
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_DOCKER_TRANSPORT_H_
