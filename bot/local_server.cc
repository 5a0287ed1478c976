#include "bot/local_server.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <thread>

namespace sandbot {

namespace {

using Clock = std::chrono::steady_clock;

// Waits for `fd` to be readable until `deadline`; false on timeout or stop.
bool WaitReadable(int fd, int stop_fd, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    const int n = poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000)));
    if (n < 0 && errno != EINTR) return false;
    if (n > 0 && (fds[1].revents & POLLIN)) return false;
    if (n > 0 && fds[0].revents != 0) return true;
  }
}

bool WriteAll(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

Status ReadPeerCredentials(int fd, PeerCredentials* peer) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof cred) {
    return Status::Unavailable(std::string("no peer credentials: ") + std::strerror(errno));
  }
  // An unconnected or non-unix socket reports pid 0 and uid/gid -1.
  if (cred.pid <= 0 || cred.uid == static_cast<uid_t>(-1)) {
    return Status::Unavailable("no peer credentials on this socket");
  }
  peer->pid = cred.pid;
  peer->uid = cred.uid;
  peer->gid = cred.gid;
  return Status::Ok();
}

LocalServer::LocalServer(Options options) : options_(options) {}

LocalServer::~LocalServer() {
  if (listen_fd_ >= 0) close(listen_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void LocalServer::Get(const std::string& path, Handler handler) {
  routes_.push_back({"GET", path, std::move(handler)});
}

void LocalServer::Post(const std::string& path, Handler handler) {
  routes_.push_back({"POST", path, std::move(handler)});
}

bool LocalServer::Bind(const std::string& path, mode_t mode, std::string* error) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) {
    *error = "the socket path " + path + " is too long";
    return false;
  }
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    *error = std::strerror(errno);
    close(fd);
    return false;
  }
  if (chmod(path.c_str(), mode) != 0) {
    spdlog::warn("cannot give {} mode {:o}: {}", path, mode, std::strerror(errno));
  }
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd_ < 0) {
    *error = std::string("eventfd: ") + std::strerror(errno);
    close(fd);
    return false;
  }
  listen_fd_ = fd;
  return true;
}

void LocalServer::Run() {
  if (listen_fd_ < 0 || stop_fd_ < 0) return;
  while (!stopping_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int n = poll(fds, 2, 1000);
    if (n < 0 && errno != EINTR) {
      spdlog::error("local socket: poll: {}", std::strerror(errno));
      break;
    }
    if (n <= 0 || (fds[1].revents & POLLIN)) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      continue;
    }
    // The kernel's record of who connected: the only source of the caller.
    PeerCredentials peer;
    Status s = ReadPeerCredentials(fd, &peer);
    if (!s.ok()) spdlog::warn("local socket: {}", s.message());
    if (!s.ok() || !Admit()) {
      close(fd);
      continue;
    }
    try {
      std::thread([this, fd, peer] { Serve(fd, peer); }).detach();
    } catch (const std::exception& e) {
      spdlog::warn("local socket: cannot start a thread: {}", e.what());
      close(fd);
      Leave();
    }
  }
  MutexLock lock(&mu_);
  while (connections_ > 0) done_cv_.wait(mu_);
}

bool LocalServer::Admit() {
  MutexLock lock(&mu_);
  if (connections_ >= options_.max_connections) return false;
  ++connections_;
  return true;
}

void LocalServer::Leave() {
  MutexLock lock(&mu_);
  if (--connections_ == 0) done_cv_.notify_all();
}

void LocalServer::Stop() {
  stopping_ = true;
  if (stop_fd_ < 0) return;
  // The eventfd stays readable (never read), so every poll sees it.
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0) spdlog::warn("local socket: cannot stop");
}

void LocalServer::Serve(int fd, const PeerCredentials& peer) {
  std::string in;
  // Appends what arrives by `deadline` to `in`; false when the connection
  // ends (closed, timed out, or the server stops).
  const auto read_more = [&](Clock::time_point deadline) {
    char buffer[16384];
    for (;;) {
      if (!WaitReadable(fd, stop_fd_, deadline)) return false;
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      in.append(buffer, static_cast<size_t>(n));
      return true;
    }
  };
  while (!stopping_) {
    // Idle until a request begins; then it must be complete in time.
    const auto idle_deadline = Clock::now() + std::chrono::seconds(options_.idle_timeout_seconds);
    const auto request_deadline =
        Clock::now() + std::chrono::seconds(options_.request_timeout_seconds);
    HttpRequest request;
    HeadResult head;
    bool open = true;
    while (open) {
      if (!in.empty()) {
        head = ParseRequestHead(in, options_.max_head_bytes, &request);
        if (head.kind != HeadResult::Kind::kNeedMore) break;
      }
      open = read_more(in.empty() ? idle_deadline : request_deadline);
    }
    if (!open) break;
    HttpResponse response;
    if (head.kind == HeadResult::Kind::kBad || head.content_length > options_.max_body_bytes) {
      response.status = head.kind == HeadResult::Kind::kBad ? head.status : 413;
      response.body = head.kind == HeadResult::Kind::kBad ? head.reason + "\n" : "too large\n";
      WriteAll(fd, SerializeResponse(response, /*close=*/true));
      break;
    }
    const size_t total = head.head_bytes + head.content_length;
    while (open && in.size() < total) open = read_more(request_deadline);
    if (!open) break;
    request.body.assign(in, head.head_bytes, head.content_length);
    in.erase(0, total);
    request.remote_addr = "local";
    Dispatch(request, peer, &response);
    const bool close_after = !request.KeepAlive() || stopping_;
    if (!WriteAll(fd, SerializeResponse(response, close_after)) || close_after) break;
  }
  close(fd);
  Leave();
}

void LocalServer::Dispatch(const HttpRequest& request, const PeerCredentials& peer,
                           HttpResponse* response) const {
  bool path_known = false;
  for (const Route& route : routes_) {
    if (route.path != request.path) continue;
    path_known = true;
    if (route.method != request.method) continue;
    try {
      route.handler(request, peer, response);
    } catch (const std::exception& e) {
      spdlog::error("local socket: {} {} failed: {}", request.method, request.path, e.what());
      response->status = 500;
      response->Set("internal error\n", "text/plain");
    }
    return;
  }
  response->status = path_known ? 405 : 404;
  response->Set(path_known ? "method not allowed\n" : "not found\n", "text/plain");
}

}  // namespace sandbot
