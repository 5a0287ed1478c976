#include "bot/router_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "bot/http_head.h"
#include "handlers/names.h"
#include "handlers/router_table.h"

namespace sandbot {

namespace {

constexpr size_t kMaxHead = 64 * 1024;
constexpr int kConnectTimeoutMs = 3000;
constexpr int kIdleTimeoutMs = 60 * 1000;  // a quiet client or upstream

std::atomic<bool> g_stop{false};

void OnStop(int) { g_stop = true; }

bool SendAll(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// A socket with a read buffer, and TLS on it for an https upstream: heads
// and chunk lines are read through it, body bytes are copied on as they come.
class Stream {
 public:
  explicit Stream(int fd) : fd_(fd) {}
  ~Stream() {
    if (ssl_ != nullptr) SSL_free(ssl_);  // no close_notify: the socket just closes
    if (fd_ >= 0) close(fd_);
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  int fd() const { return fd_; }
  // Takes `ssl`, connected on fd(): reads and writes go through it.
  void UseTls(SSL* ssl) { ssl_ = ssl; }
  // Decrypted bytes wait in the TLS layer, which poll() cannot see.
  bool Pending() const { return ssl_ != nullptr && SSL_pending(ssl_) > 0; }

  bool Send(const char* data, size_t len) {
    if (ssl_ == nullptr) return SendAll(fd_, data, len);
    while (len > 0) {
      size_t n = 0;
      if (SSL_write_ex(ssl_, data, len, &n) != 1) return false;
      data += n;
      len -= n;
    }
    return true;
  }
  bool Send(const std::string& s) { return Send(s.data(), s.size()); }
  // What comes next, as it comes: 0 on EOF, < 0 on error.
  ssize_t Receive(char* buf, size_t len) {
    if (ssl_ != nullptr) {
      size_t n = 0;
      if (SSL_read_ex(ssl_, buf, len, &n) == 1) return static_cast<ssize_t>(n);
      return SSL_get_error(ssl_, 0) == SSL_ERROR_ZERO_RETURN ? 0 : -1;
    }
    ssize_t n;
    do {
      n = recv(fd_, buf, len, 0);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  // Reads more into the buffer; false on EOF, error or idle timeout.
  bool Fill() {
    if (!Pending()) {
      pollfd p{fd_, POLLIN, 0};
      int r;
      do {
        r = poll(&p, 1, kIdleTimeoutMs);
      } while (r < 0 && errno == EINTR);
      if (r <= 0) return false;
    }
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    }
    char tmp[16384];
    ssize_t n = Receive(tmp, sizeof tmp);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  // Up to and including the empty line that ends a head: "\r\n\r\n", or
  // with `bare_lf` (an upstream's answer) also lines ending in LF alone, as
  // a CGI's headers pass through busybox httpd and as RFC 9112 lets a
  // recipient read them; a client's request stays CRLF only. `*eof_first`
  // when the peer closed before sending a byte.
  bool ReadHead(std::string* head, bool* eof_first = nullptr, bool bare_lf = false) {
    if (eof_first) *eof_first = false;
    for (;;) {
      const size_t end = HeadEnd(buf_, pos_, bare_lf);
      if (end != std::string::npos) {
        *head = buf_.substr(pos_, end - pos_);
        pos_ = end;
        return true;
      }
      if (buf_.size() - pos_ > kMaxHead) return false;
      const bool empty = pos_ == buf_.size();
      if (!Fill()) {
        if (eof_first) *eof_first = empty;
        return false;
      }
    }
  }
  bool ReadLine(std::string* line) {
    for (;;) {
      size_t end = buf_.find("\r\n", pos_);
      if (end != std::string::npos) {
        *line = buf_.substr(pos_, end + 2 - pos_);
        pos_ = end + 2;
        return true;
      }
      if (buf_.size() - pos_ > kMaxHead || !Fill()) return false;
    }
  }
  // Copies `n` bytes to `out` (all of it when n < 0: until EOF).
  bool CopyTo(Stream* out, long long n) {
    for (;;) {
      size_t have = buf_.size() - pos_;
      size_t take = n < 0 ? have : static_cast<size_t>(std::min<long long>(n, have));
      if (take > 0) {
        if (!out->Send(buf_.data() + pos_, take)) return false;
        pos_ += take;
        if (n > 0) n -= static_cast<long long>(take);
      }
      if (n == 0) return true;
      if (!Fill()) return n < 0;
    }
  }
  // Sends what is buffered already (bytes that came with a head).
  bool Flush(Stream* out) {
    bool ok = out->Send(buf_.data() + pos_, buf_.size() - pos_);
    pos_ = buf_.size();
    return ok;
  }
  // Relays one chunked body: sizes, data and trailers, as they come.
  bool CopyChunkedTo(Stream* out) {
    std::string line;
    for (;;) {
      long long size = 0;
      if (!ReadLine(&line) || !ParseChunkSize(line, &size) || !out->Send(line)) return false;
      if (size == 0) {
        for (;;) {  // trailers, up to the empty line
          if (!ReadLine(&line) || !out->Send(line)) return false;
          if (line == "\r\n") return true;
        }
      }
      if (!CopyTo(out, size + 2)) return false;
    }
  }

 private:
  int fd_;
  SSL* ssl_ = nullptr;
  std::string buf_;
  size_t pos_ = 0;
};

bool Relay(Stream* from, Stream* to, const Framing& f) {
  if (f.chunked) return from->CopyChunkedTo(to);
  if (f.length == 0) return true;
  return from->CopyTo(to, f.length);
}

// Splices bytes both ways until either side closes (after a 101).
void Tunnel(Stream* a, Stream* b) {
  // What either side sent after its head is already buffered: pass it on.
  if (!a->Flush(b) || !b->Flush(a)) return;
  Stream* side[2] = {a, b};
  pollfd p[2] = {{a->fd(), POLLIN, 0}, {b->fd(), POLLIN, 0}};
  char buf[16384];
  for (;;) {
    // Bytes a TLS side has decrypted already are not seen by poll.
    const bool pending = a->Pending() || b->Pending();
    int r = pending ? 0 : poll(p, 2, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || (r == 0 && !pending)) return;
    for (int i = 0; i < 2; ++i) {
      const bool ready =
          side[i]->Pending() || (r > 0 && (p[i].revents & (POLLIN | POLLHUP | POLLERR)));
      if (!ready) continue;
      ssize_t n = side[i]->Receive(buf, sizeof buf);
      if (n <= 0 || !side[1 - i]->Send(buf, static_cast<size_t>(n))) return;
    }
  }
}

std::string Answer(int status, const std::string& reason, const std::string& body,
                   bool close_after) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         (close_after ? "\r\nConnection: close" : "") + "\r\n\r\n" + body;
}

int ConnectTo(const std::string& host, int port, std::string* why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    *why = "cannot resolve " + host + ": " + gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r < 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      if (poll(&p, 1, kConnectTimeoutMs) == 1 &&
          getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        r = 0;
      } else {
        errno = err != 0 ? err : ETIMEDOUT;
      }
    }
    if (r < 0) {
      *why = "cannot connect to " + host + ":" + std::to_string(port) + ": " + strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

// Hop-by-hop headers (RFC 9110 7.6.1), never passed on.
bool HopByHop(const std::string& name) {
  const std::string n = Lower(name);
  return n == "connection" || n == "keep-alive" || n == "proxy-connection" || n == "te" ||
         n == "upgrade" || n == "expect" || n == "proxy-authorization";
}

class Router {
 public:
  explicit Router(RouterOptions options) : options_(std::move(options)) {}

  int Run();

 private:
  void Reload();
  void OpenListeners(const std::set<int>& ports);
  void Serve(int fd, std::string client_ip);
  // One request on `client`; false when the connection is done.
  bool ServeOne(Stream* client, const std::string& client_ip);
  bool Admin(Stream* client, const HttpHead& req);
  std::unique_ptr<Stream> TakeUpstream(const std::string& key);
  // The TLS client context, made at the first https upstream: the CA
  // bundle and the operator's CAs; nullptr (and *why) when it cannot be.
  SSL_CTX* TlsContext(std::string* why);
  // The TLS handshake on a new upstream connection, verifying the peer as
  // fwd.tls_name; false (and *why) on any failure.
  bool StartTls(Stream* up, const Forward& fwd, std::string* why);
  void GiveBack(const std::string& key, std::unique_ptr<Stream> s);

  RouterOptions options_;
  std::mutex mu_;
  std::condition_variable changed_;
  RouterTables tables_;                                       // guarded by mu_
  std::multimap<std::string, std::unique_ptr<Stream>> idle_;  // guarded by mu_
  std::map<int, int> listeners_;                              // port → fd, main thread only
  std::once_flag tls_once_;
  SSL_CTX* tls_ = nullptr;  // set once, under tls_once_
  std::string tls_error_;   // why tls_ is null
  struct timespec seen_mtime_ {};
  ino_t seen_inode_ = 0;
};

void Router::Reload() {
  struct stat st {};
  if (stat(options_.routes_file.c_str(), &st) != 0) return;
  seen_mtime_ = st.st_mtim;
  seen_inode_ = st.st_ino;
  std::ifstream in(options_.routes_file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::set<int> ports;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (tables_.loaded() && tables_.current().version == RouterTableVersion(text.str())) return;
    Status s = tables_.Load(text.str());
    if (!s.ok()) {
      spdlog::error("router: bad table in {}: {}", options_.routes_file, s.message());
      return;
    }
    ports = ListenPorts(tables_.current());
    spdlog::info("router: table {} in use ({} services)", tables_.current().version,
                 tables_.current().routes.size());
  }
  changed_.notify_all();
  OpenListeners(ports);
  if (!options_.ack_file.empty()) {
    const std::string tmp = options_.ack_file + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      std::lock_guard<std::mutex> lock(mu_);
      out << tables_.current().version << "\n";
    }
    if (rename(tmp.c_str(), options_.ack_file.c_str()) != 0) {
      spdlog::error("router: cannot write {}: {}", options_.ack_file, strerror(errno));
    }
  }
}

void Router::OpenListeners(const std::set<int>& ports) {
  for (int port : ports) {
    if (listeners_.count(port)) continue;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, options_.bind.c_str(), &addr.sin_addr) != 1 ||
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 128) != 0) {
      spdlog::error("router: cannot listen on {}:{}: {}", options_.bind, port, strerror(errno));
      close(fd);
      continue;
    }
    listeners_[port] = fd;
    spdlog::info("router: listening on {}:{}", options_.bind, port);
  }
}

int Router::Run() {
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  OpenListeners(std::set<int>(options_.ports.begin(), options_.ports.end()));
  // The folder, not the file: a new table is renamed into it.
  std::string dir = options_.routes_file.substr(0, options_.routes_file.rfind('/') + 1);
  int watch = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (watch < 0 || inotify_add_watch(watch, dir.empty() ? "." : dir.c_str(),
                                     IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) < 0) {
    spdlog::warn("router: cannot watch {}: {}; checking it every half second", dir,
                 strerror(errno));
  }
  Reload();
  if (!tables_.loaded()) spdlog::warn("router: no table yet in {}", options_.routes_file);
  while (!g_stop) {
    std::vector<pollfd> fds;
    fds.push_back({watch, POLLIN, 0});
    for (const auto& [port, fd] : listeners_) fds.push_back({fd, POLLIN, 0});
    int r = poll(fds.data(), fds.size(), 500);
    if (r < 0 && errno != EINTR) break;
    if (r > 0 && (fds[0].revents & POLLIN)) {
      char events[4096];
      while (read(watch, events, sizeof events) > 0) {
      }
      Reload();
    } else if (r == 0) {
      struct stat st {};
      if (stat(options_.routes_file.c_str(), &st) == 0 &&
          (st.st_ino != seen_inode_ || st.st_mtim.tv_sec != seen_mtime_.tv_sec ||
           st.st_mtim.tv_nsec != seen_mtime_.tv_nsec)) {
        Reload();
      }
    }
    for (size_t i = 1; r > 0 && i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      sockaddr_storage peer{};
      socklen_t len = sizeof peer;
      int fd = accept4(fds[i].fd, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
      if (fd < 0) continue;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      char ip[INET6_ADDRSTRLEN] = "";
      if (peer.ss_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, ip, sizeof ip);
      } else if (peer.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr, ip, sizeof ip);
      }
      std::thread(&Router::Serve, this, fd, std::string(ip)).detach();
    }
  }
  spdlog::info("router: stopping");
  return 0;
}

void Router::Serve(int fd, std::string client_ip) {
  Stream client(fd);
  while (!g_stop && ServeOne(&client, client_ip)) {
  }
}

SSL_CTX* Router::TlsContext(std::string* why) {
  std::call_once(tls_once_, [this] {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == nullptr) {
      tls_error_ = "cannot make a TLS context";
      return;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    // Trust only what is named here: no OPENSSLDIR default paths. Without
    // any CA every handshake fails verification: closed, never open.
    int anchors = 0;
    std::vector<std::string> files;
    if (!options_.ca_bundle.empty()) files.push_back(options_.ca_bundle);
    files.insert(files.end(), options_.extra_ca.begin(), options_.extra_ca.end());
    for (const std::string& file : files) {
      if (SSL_CTX_load_verify_locations(ctx, file.c_str(), nullptr) == 1) {
        ++anchors;
      } else {
        spdlog::warn("router: cannot load CA certificates from {}", file);
        ERR_clear_error();
      }
    }
    spdlog::info("router: TLS upstreams verified against {} CA file(s)", anchors);
    tls_ = ctx;
  });
  if (tls_ == nullptr) *why = tls_error_;
  return tls_;
}

bool Router::StartTls(Stream* up, const Forward& fwd, std::string* why) {
  const std::string where = fwd.connect_host + ":" + std::to_string(fwd.connect_port);
  SSL_CTX* ctx = TlsContext(why);
  if (ctx == nullptr) return false;
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr || SSL_set_fd(ssl, up->fd()) != 1) {
    if (ssl != nullptr) SSL_free(ssl);
    *why = "cannot start TLS to " + where;
    return false;
  }
  up->UseTls(ssl);  // freed with the stream
  if (!fwd.tls_sni.empty()) SSL_set_tlsext_host_name(ssl, fwd.tls_sni.c_str());
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  const bool name_set = fwd.tls_sni.empty()
                            ? X509_VERIFY_PARAM_set1_ip_asc(param, fwd.tls_name.c_str()) == 1
                            : X509_VERIFY_PARAM_set1_host(param, fwd.tls_name.c_str(), 0) == 1;
  if (!name_set) {
    *why = "cannot check a certificate for \"" + fwd.tls_name + "\"";
    return false;
  }
  // A handshake that stalls ends with the connect timeout; afterwards a
  // quiet upstream with the idle one (reads through TLS may block on a
  // partial record, where poll() alone saw bytes).
  auto timeout = [&](int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    setsockopt(up->fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(up->fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  };
  timeout(kConnectTimeoutMs);
  if (SSL_connect(ssl) != 1) {
    const long verify = SSL_get_verify_result(ssl);
    const unsigned long err = ERR_get_error();
    char text[256] = "handshake failed";
    if (err != 0) ERR_error_string_n(err, text, sizeof text);
    ERR_clear_error();
    *why = "TLS to " + where + " refused: " +
           (verify != X509_V_OK ? std::string("certificate not trusted for \"") + fwd.tls_name +
                                      "\" (" + X509_verify_cert_error_string(verify) + ")"
                                : std::string(text));
    return false;
  }
  timeout(kIdleTimeoutMs);
  return true;
}

std::unique_ptr<Stream> Router::TakeUpstream(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = idle_.find(key); it != idle_.end() && it->first == key;) {
    std::unique_ptr<Stream> s = std::move(it->second);
    it = idle_.erase(it);
    // An idle connection the upstream closed (or wrote to) is readable.
    pollfd p{s->fd(), POLLIN, 0};
    if (!s->Pending() && poll(&p, 1, 0) == 0) return s;
  }
  return nullptr;
}

void Router::GiveBack(const std::string& key, std::unique_ptr<Stream> s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.count(key) < 16) idle_.emplace(key, std::move(s));
}

bool Router::Admin(Stream* client, const HttpHead& req) {
  const std::string& target = req.first[1];
  std::unique_lock<std::mutex> lock(mu_);
  if (target == "/_sandbot/health") {
    const bool ok = tables_.loaded();
    lock.unlock();
    return client->Send(ok ? Answer(200, "OK", "ok\n", false)
                           : Answer(503, "Service Unavailable", "no table\n", false));
  }
  const std::string kVersion = "/_sandbot/table-version";
  if (target.rfind(kVersion, 0) != 0) {
    lock.unlock();
    return client->Send(Answer(404, "Not Found", "no such router page\n", false));
  }
  const std::string want_prefix = kVersion + "?want=";
  if (target.rfind(want_prefix, 0) == 0) {
    const std::string want = target.substr(want_prefix.size());
    bool ok = changed_.wait_for(lock, std::chrono::seconds(2), [&] {
      return tables_.loaded() && tables_.current().version == want;
    });
    std::string have = tables_.current().version;
    lock.unlock();
    return client->Send(
        ok ? Answer(200, "OK", have + "\n", false)
           : Answer(409, "Conflict", "in use: " + have + ", not " + want + "\n", false));
  }
  std::string have = tables_.current().version;
  lock.unlock();
  return client->Send(Answer(200, "OK", have + "\n", false));
}

bool Router::ServeOne(Stream* client, const std::string& client_ip) {
  std::string text;
  if (!client->ReadHead(&text)) return false;
  HttpHead req;
  if (!ParseHead(text, &req, /*bare_lf=*/false) || req.first[2].rfind("HTTP/1.", 0) != 0 ||
      req.first[1].empty() || req.first[1][0] != '/') {
    client->Send(Answer(400, "Bad Request", "the router could not read that\n", true));
    return false;
  }
  if (req.first[1].rfind("/_sandbot/", 0) == 0) return Admin(client, req);
  const bool client_close = req.first[2] == "HTTP/1.0" || req.HasToken("connection", "close");
  const std::string* host = req.Get("host");
  Forward fwd;
  Status s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s = host == nullptr ? Status::NotFound("the request has no Host")
                        : DecideForward(tables_.current(), *host, &fwd);
  }
  Framing req_body;
  if (!BodyFraming(req, false, &req_body)) {
    client->Send(Answer(
        400, "Bad Request",
        "the router cannot tell where the body ends (Content-Length, Transfer-Encoding)\n", true));
    return false;
  }
  if (!s.ok()) {
    // The body was not read: the connection cannot carry another request.
    client->Send(Answer(s.IsNotFound() ? 404 : 503,
                        s.IsNotFound() ? "Not Found" : "Service Unavailable",
                        "sandbot router: " + s.message() + "\n", true));
    return false;
  }
  const bool upgrade = req.Get("upgrade") != nullptr && req.HasToken("connection", "upgrade");
  std::string out = req.first[0] + " " + fwd.path_prefix + req.first[1] + " HTTP/1.1\r\n";
  out += "Host: " + fwd.host_header + "\r\n";
  std::string forwarded_for = client_ip;
  for (const auto& [k, v] : req.headers) {
    const std::string n = Lower(k);
    if (n == "x-forwarded-for") {
      forwarded_for = v + ", " + client_ip;
      continue;
    }
    if (n == "host" || n == "x-forwarded-host" || n == "x-forwarded-proto" || HopByHop(n)) {
      continue;
    }
    out += k + ": " + v + "\r\n";
  }
  out += "X-Forwarded-For: " + forwarded_for + "\r\n";
  out += "X-Forwarded-Host: " + (host ? *host : "") + "\r\nX-Forwarded-Proto: http\r\n";
  if (upgrade) out += "Connection: Upgrade\r\nUpgrade: " + *req.Get("upgrade") + "\r\n";
  out += "\r\n";
  // The router takes the body at once: the upstream's own 100 is dropped.
  if (req.HasToken("expect", "100-continue") && !client->Send("HTTP/1.1 100 Continue\r\n\r\n")) {
    return false;
  }

  const std::string key = fwd.PoolKey();
  std::unique_ptr<Stream> up;
  HttpHead resp;
  std::string why;
  // A pooled connection the upstream has just closed fails before a byte
  // comes back: a request without a body is then sent again on a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    up = attempt == 0 ? TakeUpstream(key) : nullptr;
    const bool reused = up != nullptr;
    if (!up) {
      int fd = ConnectTo(fwd.connect_host, fwd.connect_port, &why);
      if (fd < 0) break;
      up = std::make_unique<Stream>(fd);
      if (fwd.tls && !StartTls(up.get(), fwd, &why)) {
        up.reset();
        break;  // fail closed: nothing of the request went out
      }
    }
    bool eof_first = false;
    if (up->Send(out) && Relay(client, up.get(), req_body) &&
        up->ReadHead(&text, &eof_first, /*bare_lf=*/true)) {
      resp = HttpHead();
      if (ParseHead(text, &resp, /*bare_lf=*/true)) break;
      why = "the upstream answered something that is not HTTP";
    } else if (why.empty()) {
      why = "the upstream closed the connection";
    }
    up.reset();
    const bool retry = reused && eof_first && !req_body.chunked && req_body.length == 0;
    if (!retry) break;
  }
  if (!up) {
    spdlog::warn("router: {} → {} ({}): {}", fwd.service, key, fwd.route, why);
    client->Send(Answer(502, "Bad Gateway", "sandbot router: " + why + "\n", true));
    return false;
  }
  // Interim answers (100 Continue, 103) before the real one.
  while (resp.first[1].size() == 3 && resp.first[1][0] == '1' && resp.first[1] != "101") {
    if (!up->ReadHead(&text, nullptr, /*bare_lf=*/true)) return false;
    resp = HttpHead();
    if (!ParseHead(text, &resp, /*bare_lf=*/true)) return false;
  }
  const int status = std::atoi(resp.first[1].c_str());
  if (status == 101 && upgrade) {
    if (!client->Send(text)) return false;
    Tunnel(up.get(), client);  // also passes on what the upstream sent early
    return false;
  }
  Framing resp_body;
  if (!BodyFraming(resp, true, &resp_body)) return false;
  if (req.first[0] == "HEAD" || status == 204 || status == 304) resp_body = Framing();
  const bool until_close = !resp_body.chunked && resp_body.length < 0;
  const bool up_close =
      until_close || resp.first[0] != "HTTP/1.1" || resp.HasToken("connection", "close");
  const bool close_after = client_close || until_close;
  std::string head = resp.first[0] + " " + resp.first[1] + " " + resp.first[2] + "\r\n";
  for (const auto& [k, v] : resp.headers) {
    // Chunked wins over a Content-Length beside it (RFC 9112 6.3), which
    // the client must not see.
    if (HopByHop(k) || (resp_body.chunked && Lower(k) == "content-length")) continue;
    head += k + ": " + v + "\r\n";
  }
  head += close_after ? "Connection: close\r\n\r\n" : "\r\n";
  if (!client->Send(head)) return false;
  if (!Relay(up.get(), client, resp_body)) return false;
  if (!up_close) GiveBack(key, std::move(up));
  return !close_after;
}

}  // namespace

int RunRouter(const RouterOptions& options) {
  Router router(options);
  return router.Run();
}

}  // namespace sandbot
