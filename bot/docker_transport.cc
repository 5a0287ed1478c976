#include "bot/docker_transport.h"

#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <system_error>
#include <vector>

#include "bot/tls_probe.h"

namespace sandbot {

namespace {

constexpr int kConnectTimeout = 10;
constexpr size_t kMaxErrorBody = 64 * 1024;

// Blocks SIGPIPE on this thread while a request runs, and swallows one that
// a write to a closed socket raised: httplib 0.11.4 sends without
// MSG_NOSIGNAL, and the engine may close early on a large upload it rejects.
// Nothing process-wide changes.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

std::string DescribeError(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "cannot connect";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "read failed or timed out";
    case httplib::Error::Write: return "write failed or timed out";
    case httplib::Error::Canceled: return "request canceled";
    default: return httplib::to_string(e);
  }
}

// Why connecting to a unix socket failed, in the words of the file system.
std::string DescribeSocket(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return errno == ENOENT ? path + " does not exist" : path + ": " + std::strerror(errno);
  }
  if (!S_ISSOCK(st.st_mode)) return path + " is not a socket";
  if (access(path.c_str(), R_OK | W_OK) != 0) {
    return "permission denied on " + path + "; add this user to the docker group";
  }
  return "nobody is listening on " + path;
}

}  // namespace

struct DockerTransport::IdlePool {
  std::mutex mu;
  std::vector<std::unique_ptr<httplib::Client>> clients;  // guarded by mu

  std::unique_ptr<httplib::Client> Take() {
    std::lock_guard<std::mutex> lock(mu);
    if (clients.empty()) return nullptr;
    std::unique_ptr<httplib::Client> c = std::move(clients.back());
    clients.pop_back();
    return c;
  }
  void Give(std::unique_ptr<httplib::Client> c) {
    std::lock_guard<std::mutex> lock(mu);
    if (clients.size() < kIdleTlsConnections) clients.push_back(std::move(c));
  }
};

DockerTransport::DockerTransport(std::string endpoint, EngineTls tls)
    : endpoint_(std::move(endpoint)), tls_(std::move(tls)) {
  const std::string& e = endpoint_.empty() ? std::string(kDefaultDockerEndpoint) : endpoint_;
  if (e.rfind("unix://", 0) == 0 || e.rfind("/", 0) == 0) {
    unix_ = true;
    address_ = e[0] == '/' ? e : e.substr(7);
    if (address_.empty() || address_[0] != '/') {
      endpoint_error_ = "Docker endpoint \"" + e + "\" needs an absolute socket path";
    } else if (tls_.enabled()) {
      endpoint_error_ = "Docker endpoint \"" + e + "\" is a unix socket: TLS is for tcp://";
    }
  } else if (e.rfind("tcp://", 0) == 0 || e.rfind("http://", 0) == 0) {
    std::string hostport = e.substr(e.find("://") + 3);
    while (!hostport.empty() && hostport.back() == '/') hostport.pop_back();
    if (hostport.empty()) {
      endpoint_error_ = "Docker endpoint \"" + e + "\" has no host";
    } else {
      // Without a port Docker's convention is 2376 for TLS, 2375 for plain HTTP.
      const size_t bracket = hostport.rfind(']');
      const size_t colon = hostport.rfind(':');
      const bool has_port =
          colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
      host_ = has_port ? hostport.substr(0, colon) : hostport;
      port_ = has_port ? std::atoi(hostport.c_str() + colon + 1) : (tls_.enabled() ? 2376 : 2375);
      if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']') {
        host_ = host_.substr(1, host_.size() - 2);
      }
      if (host_.empty() || port_ <= 0 || port_ > 65535) {
        endpoint_error_ = "Docker endpoint \"" + e + "\" is not tcp://HOST:PORT";
      }
      address_ = std::string(tls_.enabled() ? "https://" : "http://") +
                 (has_port ? hostport : hostport + ":" + std::to_string(port_));
    }
  } else {
    endpoint_error_ = "unsupported Docker endpoint \"" + e +
                      "\": use unix:///path/to/docker.sock or tcp://host:port";
  }
  if (!unix_ && tls_.enabled() && endpoint_error_.empty()) idle_ = std::make_shared<IdlePool>();
}

Status DockerTransport::Send(const DockerCall& call, DockerReply* reply) const {
  if (!endpoint_error_.empty()) return Status::InvalidArgument(endpoint_error_);
  *reply = DockerReply();
  std::string what = call.method + " " + call.path;
  try {
    SigpipeGuard sigpipe_guard;
    // A kept TLS connection when one is idle (httplib connects again when
    // the engine closed it meanwhile).
    const bool keep = idle_ != nullptr;
    std::unique_ptr<httplib::Client> client = keep ? idle_->Take() : nullptr;
    if (!client) {
      client = tls_.enabled() ? std::make_unique<httplib::Client>(address_, tls_.cert, tls_.key)
                              : std::make_unique<httplib::Client>(address_);
      httplib::Client& fresh = *client;
      if (unix_) fresh.set_address_family(AF_UNIX);
      if (tls_.enabled()) {
        if (!fresh.is_valid()) {
          return Status::InvalidArgument("cannot use the client certificate " + tls_.cert +
                                         " with " + tls_.key + ": " + CheckTlsFiles(tls_));
        }
        fresh.set_ca_cert_path(tls_.ca);
        fresh.enable_server_certificate_verification(true);
      }
      fresh.set_connection_timeout(kConnectTimeout);
      fresh.set_url_encode(false);  // paths are encoded here, once
      // A request goes out in two writes (head, then body): with Nagle on, a
      // tcp:// engine saw the body only after its delayed ACK of the head.
      if (!unix_) fresh.set_tcp_nodelay(true);
    }
    httplib::Client& cli = *client;
    cli.set_read_timeout(call.read_timeout);
    cli.set_write_timeout(call.write_timeout);
    cli.set_keep_alive(keep);

    httplib::Request req;
    req.method = call.method;
    req.path = call.path;
    // httplib would send the socket path as Host, which the engine rejects.
    if (unix_) req.set_header("Host", "docker");
    if (!call.content_type.empty()) req.set_header("Content-Type", call.content_type);

    // Bodies go out through a provider so large tars are never copied.
    std::ifstream file;
    std::vector<char> buf;
    uint64_t file_pos = 0;
    bool file_failed = false;
    if (!call.body_file.empty()) {
      std::error_code ec;
      uintmax_t size = std::filesystem::file_size(call.body_file, ec);
      if (ec) return Status::NotFound("cannot read " + call.body_file + ": " + ec.message());
      file.open(call.body_file, std::ios::binary);
      if (!file) return Status::NotFound("cannot open " + call.body_file);
      buf.resize(256 * 1024);
      req.content_length_ = static_cast<size_t>(size);
      req.content_provider_ = [&](size_t offset, size_t length, httplib::DataSink& sink) {
        if (offset != file_pos) {
          file.clear();
          file.seekg(static_cast<std::streamoff>(offset));
          file_pos = offset;
        }
        file.read(buf.data(), static_cast<std::streamsize>(std::min(length, buf.size())));
        std::streamsize got = file.gcount();
        if (got <= 0) {
          file_failed = true;  // the file shrank or became unreadable
          return false;
        }
        file_pos += static_cast<uint64_t>(got);
        return sink.write(buf.data(), static_cast<size_t>(got));
      };
    } else if (call.body != nullptr && !call.body->empty()) {
      const std::string* body = call.body;
      req.content_length_ = body->size();
      req.content_provider_ = [body](size_t offset, size_t length, httplib::DataSink& sink) {
        return sink.write(body->data() + offset, std::min<size_t>(length, 1 << 20));
      };
    }

    req.response_handler = [reply](const httplib::Response& res) {
      reply->status = res.status;
      reply->content_type = res.get_header_value("Content-Type");
      reply->api_version = res.get_header_value("Api-Version");
      return true;
    };
    req.content_receiver = [&call, reply](const char* data, size_t n, uint64_t, uint64_t) {
      if (call.stream && reply->status / 100 == 2) {
        call.stream(data, n);
      } else if (!call.stream || reply->body.size() < kMaxErrorBody) {
        reply->body.append(data, n);
      }
      return true;
    };

    httplib::Response res;
    httplib::Error err = httplib::Error::Success;
    if (!cli.send(req, res, err)) {
      spdlog::debug("docker: {} failed: {}", what, httplib::to_string(err));
      // A refused certificate is not an engine that is down: say which.
      // Under TLS 1.3 the engine's verdict on our certificate arrives as
      // the first read, so a read that got no answer is looked at too.
      if (tls_.enabled() &&
          (err == httplib::Error::SSLConnection || err == httplib::Error::SSLServerVerification ||
           (err == httplib::Error::Read && reply->status == 0))) {
        std::string why = ProbeTls(host_, port_, tls_, kConnectTimeout);
        if (!why.empty() || err != httplib::Error::Read) {
          return Status::Unavailable(
              "the Docker engine at " + endpoint_ + " refused the TLS exchange: " +
              (why.empty() ? "a new handshake succeeds; " + DescribeError(err) : why));
        }
      }
      if (err == httplib::Error::Connection || err == httplib::Error::ConnectionTimeout) {
        std::string why = DescribeError(err);
        if (unix_ && err == httplib::Error::Connection) why += ": " + DescribeSocket(address_);
        return Status::Unavailable("the Docker engine at " + endpoint_ + " is not answering (" +
                                   why +
                                   "); start it (systemctl start docker, or dockerd) and retry");
      }
      if (file_failed) {
        return Status::Internal("reading " + call.body_file + " failed while sending it");
      }
      if (err == httplib::Error::Write || err == httplib::Error::Canceled) {
        // A failed provider write surfaces as Canceled in httplib 0.11.4.
        return Status::Internal("the Docker engine at " + endpoint_ +
                                " closed the connection while receiving " + what +
                                "; it probably rejected the request");
      }
      return Status::Unavailable("the Docker engine at " + endpoint_ +
                                 " stopped answering during " + what + " (" + DescribeError(err) +
                                 ")");
    }
    if (reply->status <= 0) reply->status = res.status;
    if (reply->api_version.empty()) reply->api_version = res.get_header_value("Api-Version");
    // Kept unless the engine ends it or took the connection over (101).
    if (keep && reply->status != 101 && res.get_header_value("Connection") != "close") {
      idle_->Give(std::move(client));
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    // Nothing here should throw, but no exception may leave this module.
    return Status::Internal("talking to the Docker engine (" + what + "): " + e.what());
  }
}

}  // namespace sandbot
