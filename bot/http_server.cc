#include "bot/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace sandbot {

namespace {

using Clock = std::chrono::steady_clock;

// How long a connection closed after an early answer (413, a bad request)
// keeps reading what the client still sends, so that closing does not reset
// the connection before the client has read the answer.
// It is a deadline from the answer, not a quiet time: a client trickling a
// byte a second must not keep the connection open.
constexpr auto kDrainTime = std::chrono::seconds(2);

// How long a loop stops accepting after running out of descriptors; the
// connections it holds close meanwhile (timeouts, eviction).
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

// Beyond MaxConnections() a new connection is still accepted when it can
// take an idle one's place; past this many more, only by the loop that
// accepted it, which makes the room itself (no descriptor in flight to
// another loop).
constexpr int kEvictionHeadroom = 16;

// Connections a loop accepts before it answers what else is ready.
constexpr int kAcceptBatch = 64;

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string PeerAddress(const sockaddr_storage& addr) {
  char text[INET6_ADDRSTRLEN] = "";
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(addr).sin_addr, text, sizeof text);
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(addr).sin6_addr, text, sizeof text);
  }
  return text;
}

// A handler that throws answers 500; the loop goes on.
void Call(const HttpServer::Handler& handler, const HttpRequest& req, HttpResponse* res) {
  try {
    handler(req, res);
  } catch (const std::exception& e) {
    spdlog::error("http: {} {} failed: {}", req.method, req.path, e.what());
    res->status = 500;
    res->Set("internal error\n", "text/plain");
  }
}

}  // namespace

struct HttpServer::Connection {
  int fd = -1;
  std::string remote;
  std::string in;   // read, not yet answered
  std::string out;  // answers not yet written
  size_t out_offset = 0;
  Clock::time_point last_activity;
  Clock::time_point request_start;  // the first byte of what `in` holds
  // The request whose head is parsed and whose body is still arriving.
  bool have_head = false;
  HttpRequest request;
  size_t head_bytes = 0, content_length = 0;
  bool closing = false;              // close once `out` is written
  bool draining = false;             // answered and shut down; reading until EOF
  Clock::time_point drain_deadline;  // closed then, whatever the client still sends
  bool writing = false;              // waiting for EPOLLOUT
  bool closed = false;               // closed; freed after this round of events
  // A handler deferred its answer (HttpResponse::defer): nothing more is
  // read or answered until it comes (through the loop's mailbox).
  bool awaiting = false;
  uint64_t serial = 0;  // tells a letter's connection from a later one on the same fd
};

// Deferred answers on their way to a loop, from any thread.
struct HttpServer::Mailbox {
  struct Letter {
    int fd;
    uint64_t serial;
    Door door;
    bool close;
    HttpResponse response;
  };
  std::mutex mu;
  bool open = true;  // false once the loop is gone: letters are dropped
  int wake_fd = -1;  // an eventfd the loop watches
  std::vector<Letter> letters;

  void Post(Letter letter) {
    std::lock_guard<std::mutex> lock(mu);
    if (!open) return;
    letters.push_back(std::move(letter));
    if (letters.size() > 1) return;  // the loop is awake already
    const uint64_t one = 1;
    if (write(wake_fd, &one, sizeof one) < 0) {
      spdlog::warn("http: cannot wake a loop: {}", std::strerror(errno));
    }
  }
};

class HttpServer::Loop {
 public:
  explicit Loop(HttpServer* server)
      : server_(server),
        epoll_(epoll_create1(EPOLL_CLOEXEC)),
        wake_fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        mailbox_(std::make_shared<Mailbox>()) {
    mailbox_->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  }

  ~Loop() {
    // Handed over after this loop stopped.
    for (const Accepted& a : inbox_) {
      close(a.fd);
      --server_->open_connections_;
    }
    if (epoll_ >= 0) close(epoll_);
    if (wake_fd_ >= 0) close(wake_fd_);
    std::lock_guard<std::mutex> lock(mailbox_->mu);
    mailbox_->open = false;
    if (mailbox_->wake_fd >= 0) close(mailbox_->wake_fd);
  }

  // Gives this loop a connection another loop accepted. Any thread.
  void Hand(int fd, const sockaddr_storage& addr, bool crowded = false) {
    {
      std::lock_guard<std::mutex> lock(inbox_mu_);
      inbox_.push_back({fd, addr, crowded});
    }
    const uint64_t one = 1;
    if (write(wake_fd_, &one, sizeof one) < 0) {
      spdlog::warn("http: cannot wake a loop: {}", std::strerror(errno));
    }
  }

  void Run() {
    if (epoll_ < 0 || wake_fd_ < 0 || mailbox_->wake_fd < 0) {
      spdlog::error("http: cannot start an event loop: {}", std::strerror(errno));
      server_->LoopStarted();  // and ended: nobody waits for it
      return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.ptr = &listen_marker_;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, server_->listen_fd_, &ev);
    ev.events = EPOLLIN;
    ev.data.ptr = &stop_marker_;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, server_->stop_fd_, &ev);
    ev.data.ptr = &wake_marker_;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_fd_, &ev);
    ev.data.ptr = &mail_marker_;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, mailbox_->wake_fd, &ev);
    // This thread's first allocation: it picks the thread's malloc arena
    // (bot/daemon.cc starts the loops first so that each gets its own).
    connections_.reserve(64);
    server_->LoopStarted();

    epoll_event events[64];
    auto next_sweep = Clock::now() + std::chrono::seconds(1);
    bool stopping = false;
    while (!stopping) {
      if (accept_paused_ && Clock::now() >= accept_resume_) ResumeAccepting();
      const int n = epoll_wait(epoll_, events, 64, accept_paused_ ? 20 : 1000);
      if (n < 0 && errno != EINTR) {
        spdlog::error("http: epoll_wait: {}", std::strerror(errno));
        break;
      }
      for (int i = 0; i < n; ++i) {
        void* tag = events[i].data.ptr;
        if (tag == &stop_marker_) {
          stopping = true;
        } else if (tag == &listen_marker_) {
          AcceptAll();
        } else if (tag == &wake_marker_) {
          TakeInbox();
        } else if (tag == &mail_marker_) {
          TakeLetters();
        } else {
          OnEvent(static_cast<Connection*>(tag), events[i].events);
        }
      }
      closed_.clear();
      const auto now = Clock::now();
      if (now >= next_sweep) {
        Sweep(now);
        next_sweep = now + std::chrono::seconds(1);
      }
    }
    while (!connections_.empty()) Close(connections_.begin()->second.get());
  }

 private:
  struct Accepted {
    int fd;
    sockaddr_storage addr;
    bool crowded;  // accepted past the headroom (see Adopt)
  };

  // Accepts what is waiting and deals the connections to the loops in turn:
  // a burst of connections all accepted by one loop would otherwise leave
  // the other cores idle for as long as those connections live.
  void AcceptAll() {
    // What other loops handed here first: past the headroom, room is made
    // among this loop's own connections.
    TakeInbox();
    // In batches: the listener stays readable, and between batches the
    // loop answers the connections it has (a burst must not starve them).
    for (int batch = 0; batch < kAcceptBatch; ++batch) {
      sockaddr_storage addr{};
      socklen_t len = sizeof addr;
      const int fd = accept4(server_->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE) {
          // The connection stays in the backlog and the listener stays
          // readable: without this, every loop would spin on it.
          server_->ShedOneConnection(errno);
          PauseAccepting();
        }
        return;  // EAGAIN: another loop took it, or none is left
      }
      // Past the headroom (connections handed to another loop and not yet
      // adopted count too) this loop keeps the connection: Adopt() makes room
      // by closing one of its own idle ones, so the count stops growing. It
      // used to be closed here, and in a burst of idle connections half of
      // the new ones, /healthz among them, were turned away while idle ones
      // stayed.
      const bool crowded = server_->open_connections_.fetch_add(1) >=
                           server_->max_connections_.load() + kEvictionHeadroom;
      const auto& loops = server_->loops_;
      Loop* target = crowded ? this : loops[server_->next_loop_.fetch_add(1) % loops.size()].get();
      if (target == this) {
        Adopt(fd, addr, crowded, /*may_pass=*/true);
      } else {
        target->Hand(fd, addr);
      }
    }
  }

  void TakeInbox() {
    uint64_t count;
    if (read(wake_fd_, &count, sizeof count) < 0 && errno != EAGAIN) return;
    std::vector<Accepted> taken;
    {
      std::lock_guard<std::mutex> lock(inbox_mu_);
      taken.swap(inbox_);
    }
    for (const Accepted& a : taken) Adopt(a.fd, a.addr, a.crowded, /*may_pass=*/false);
  }

  // Starts serving a connection (counted in open_connections_ already).
  // Over the limits (all connections, or this address's), it takes the
  // place of this loop's oldest idle keep-alive connection: so a flood of
  // idle connections cannot keep /healthz or a chat platform out. With none
  // idle, the new connection is closed when it is over its address's limit
  // or was accepted past the headroom (`crowded`: passed once to the next
  // loop first, when `may_pass`); one accepted within the headroom and
  // handed here keeps its place (this loop may have had nothing yet while
  // another took a burst).
  void Adopt(int fd, const sockaddr_storage& addr, bool crowded, bool may_pass) {
    std::string remote = PeerAddress(addr);
    const bool over_source =
        server_->CountSource(remote, +1) > server_->options_.max_connections_per_source;
    if (over_source || server_->open_connections_.load() > server_->max_connections_.load()) {
      Connection* victim = OldestIdle(over_source ? &remote : nullptr);
      if (victim == nullptr && !over_source && crowded && may_pass && PassOn(fd, addr)) {
        server_->CountSource(remote, -1);
        return;
      }
      if (victim == nullptr && (over_source || crowded)) {
        server_->CountSource(remote, -1);
        --server_->open_connections_;
        close(fd);
        server_->Count(RejectReason::kConnectionLimit);
        return;
      }
      if (victim != nullptr) Close(victim);
    }
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    auto conn = std::make_unique<Connection>();
    conn->fd = fd;
    conn->serial = ++next_serial_;
    conn->remote = std::move(remote);
    conn->last_activity = Clock::now();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = conn.get();
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      server_->CountSource(conn->remote, -1);
      --server_->open_connections_;
      close(fd);
      return;
    }
    connections_.emplace(fd, std::move(conn));
  }

  // Hands a crowded connection to the next loop, which may have an idle one
  // to give up. False with a single loop.
  bool PassOn(int fd, const sockaddr_storage& addr) {
    const auto& loops = server_->loops_;
    for (size_t i = 0; i < loops.size(); ++i) {
      if (loops[i].get() != this) continue;
      Loop* next = loops[(i + 1) % loops.size()].get();
      if (next == this) return false;
      next->Hand(fd, addr, /*crowded=*/true);
      return true;
    }
    return false;
  }

  // This loop's least recently active connection with nothing under way
  // (from `source` only, when given); null when there is none.
  // A connection whose request has arrived but is not read yet (the loop
  // was busy accepting a burst) is not idle: its bytes waiting in the
  // socket say so, and it counts as active from now.
  Connection* OldestIdle(const std::string* source) {
    for (int tries = 0; tries < 8; ++tries) {
      Connection* oldest = nullptr;
      for (auto& entry : connections_) {
        Connection* c = entry.second.get();
        if (c->have_head || !c->in.empty() || !c->out.empty() || c->draining || c->writing ||
            c->awaiting) {
          continue;
        }
        if (source != nullptr && c->remote != *source) continue;
        if (oldest == nullptr || c->last_activity < oldest->last_activity) oldest = c;
      }
      int pending = 0;
      if (oldest == nullptr || ioctl(oldest->fd, FIONREAD, &pending) != 0 || pending == 0) {
        return oldest;
      }
      oldest->last_activity = Clock::now();
    }
    return nullptr;
  }

  void PauseAccepting() {
    if (accept_paused_) return;
    epoll_ctl(epoll_, EPOLL_CTL_DEL, server_->listen_fd_, nullptr);
    accept_paused_ = true;
    accept_resume_ = Clock::now() + kAcceptPause;
  }

  void ResumeAccepting() {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.ptr = &listen_marker_;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, server_->listen_fd_, &ev) == 0) {
      accept_paused_ = false;
    } else {
      accept_resume_ = Clock::now() + kAcceptPause;  // out of memory too: later
    }
  }

  void OnEvent(Connection* c, uint32_t events) {
    if (c->closed) return;
    if (events & (EPOLLERR | EPOLLHUP)) return Close(c);
    if (events & EPOLLOUT) {
      // Only EPOLLOUT is watched while answers wait to be written.
      if (!Flush(c) || c->writing) return;
      if (!c->draining) Answer(c);  // requests that came in meanwhile
      return;
    }
    if (!Read(c)) return;
    if (!c->draining) Answer(c);
  }

  // Reads what is there. False when the connection was closed.
  // A webhook's 24 KB body arrives in one wake-up: up to 4 reads of 64 KB
  // while the socket fills the buffer (one 16 KB read per wake-up cost an
  // extra epoll_wait and Answer() per request); then the other connections'
  // turn.
  bool Read(Connection* c) {
    static thread_local char buffer[65536];
    for (int round = 0; round < 4; ++round) {
      const ssize_t n = read(c->fd, buffer, sizeof buffer);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return true;
        Close(c);
        return false;
      }
      if (n == 0) {  // the peer is done; anything unanswered has no one to read it
        Close(c);
        return false;
      }
      c->last_activity = Clock::now();
      if (!c->draining) {
        if (c->in.empty()) c->request_start = c->last_activity;
        c->in.append(buffer, static_cast<size_t>(n));
      }
      if (static_cast<size_t>(n) < sizeof buffer) return true;
    }
    return true;
  }

  // Answers every complete request in `in`, then writes the answers.
  void Answer(Connection* c) {
    const Options& options = server_->options_;
    while (!c->closing && !c->awaiting) {
      if (!c->have_head) {
        HeadResult head = ParseRequestHead(c->in, options.max_head_bytes, &c->request);
        if (head.kind == HeadResult::Kind::kNeedMore) break;
        if (head.kind == HeadResult::Kind::kBad) {
          HttpResponse res;
          res.status = head.status;
          res.body = head.reason + "\n";
          server_->Count(RejectReason::kBadRequest);
          server_->CountAnswer(Door::kHttp, res.status);
          Queue(c, res, /*close=*/true);
          break;
        }
        c->have_head = true;
        c->head_bytes = head.head_bytes;
        c->content_length = head.content_length;
        c->request.remote_addr = c->remote;
        c->request.body.clear();  // not the previous request's, if it is too large
        if (c->content_length > options.max_body_bytes) {
          HttpResponse res;
          res.status = 413;
          res.body = "request too large\n";
          server_->TooLarge(c->request, &res);
          server_->CountAnswer(RequestDoor(c->request), res.status);
          Queue(c, res, /*close=*/true);
          break;
        }
        if (c->request.ExpectsContinue() && c->in.size() < c->head_bytes + c->content_length) {
          c->out += "HTTP/1.1 100 Continue\r\n\r\n";
        }
      }
      if (c->in.size() < c->head_bytes + c->content_length) break;
      c->request.body.assign(c->in, c->head_bytes, c->content_length);
      c->in.erase(0, c->head_bytes + c->content_length);
      if (!c->in.empty()) c->request_start = Clock::now();  // the next one has begun
      c->have_head = false;
      HttpResponse res;
      const Door door = RequestDoor(c->request);
      const bool close_after = !c->request.KeepAlive();
      res.defer = [&res, mailbox = mailbox_, fd = c->fd, serial = c->serial, door,
                   close_after]() -> HttpResponse::Reply {
        res.deferred = true;
        return [mailbox, fd, serial, door, close_after](HttpResponse answer) {
          mailbox->Post({fd, serial, door, close_after, std::move(answer)});
        };
      };
      server_->Dispatch(c->request, &res);
      if (res.deferred) {
        c->awaiting = true;
        break;
      }
      server_->CountAnswer(door, res.status);
      if (res.stream) {
        // The connection leaves this loop: what is queued before it is
        // written first (blocking, by the stream's thread).
        std::string head = c->out.substr(c->out_offset) + SerializeResponse(res, true);
        const int fd = dup(c->fd);
        if (fd >= 0 && server_->StartStream(fd, std::move(head), std::move(res.stream))) {
          Close(c);
          return;
        }
        if (fd >= 0) close(fd);
        HttpResponse busy;
        busy.status = 503;
        busy.body = "too many streams; try again later\n";
        Queue(c, busy, /*close=*/true);
        break;
      }
      Queue(c, res, /*close=*/close_after);
    }
    // While an answer is deferred, the socket is not watched for reading:
    // level-triggered, it would wake the loop for bytes it will not read.
    if (Flush(c) && c->awaiting && !c->writing) Watch(c, 0);
  }

  // Writes the deferred answers that came, then answers what the
  // connections read meanwhile (pipelined requests).
  void TakeLetters() {
    uint64_t count;
    if (read(mailbox_->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN) {
      spdlog::warn("http: reading the mailbox's eventfd: {}", std::strerror(errno));
    }
    std::vector<Mailbox::Letter> letters;
    {
      std::lock_guard<std::mutex> lock(mailbox_->mu);
      letters.swap(mailbox_->letters);
    }
    for (Mailbox::Letter& letter : letters) {
      auto it = connections_.find(letter.fd);
      // Closed meanwhile (timed out, the client left): nobody to tell.
      if (it == connections_.end() || it->second->serial != letter.serial) continue;
      Connection* c = it->second.get();
      if (c->closed || !c->awaiting) continue;
      c->awaiting = false;
      server_->CountAnswer(letter.door, letter.response.status);
      Queue(c, letter.response, letter.close);
      if (!c->writing && !Watch(c, EPOLLIN | EPOLLRDHUP)) continue;
      if (!Flush(c) || c->writing) continue;
      if (!c->draining) Answer(c);
    }
  }

  void Queue(Connection* c, const HttpResponse& res, bool close) {
    std::string bytes = SerializeResponse(res, close);
    if (c->out.empty()) {
      c->out.swap(bytes);  // the usual case: no copy of the answer
    } else {
      c->out += bytes;  // pipelined, or after "100 Continue"
    }
    if (close) c->closing = true;
  }

  // Writes what it can of `out`; what the socket does not take waits for
  // EPOLLOUT, and reading stops meanwhile. False when the connection was
  // closed.
  bool Flush(Connection* c) {
    while (c->out_offset < c->out.size()) {
      // MSG_NOSIGNAL: a client gone mid-answer is an error here, not SIGPIPE.
      const ssize_t n =
          send(c->fd, c->out.data() + c->out_offset, c->out.size() - c->out_offset, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return c->writing || Watch(c, EPOLLOUT);
        Close(c);
        return false;
      }
      c->out_offset += static_cast<size_t>(n);
      c->last_activity = Clock::now();
    }
    c->out.clear();
    c->out_offset = 0;
    if (c->writing && !Watch(c, EPOLLIN | EPOLLRDHUP)) return false;
    if (c->closing && !c->draining) {
      // Unread request bytes would make close() reset the connection, and
      // the client might lose the answer: shut down writing, read until EOF.
      shutdown(c->fd, SHUT_WR);
      c->draining = true;
      c->drain_deadline = Clock::now() + kDrainTime;
      c->in.clear();
    }
    return true;
  }

  bool Watch(Connection* c, uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = c;
    if (epoll_ctl(epoll_, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
      Close(c);
      return false;
    }
    c->writing = (events & EPOLLOUT) != 0;
    return true;
  }

  void Sweep(Clock::time_point now) {
    const Options& options = server_->options_;
    std::vector<Connection*> expired;
    for (auto& [fd, conn] : connections_) {
      Connection* c = conn.get();
      const auto quiet = now - c->last_activity;
      const auto request_timeout = std::chrono::seconds(options.request_timeout_seconds);
      bool expire;
      if (c->draining) {
        expire = now >= c->drain_deadline;
      } else if (c->writing || c->awaiting) {  // a slow reader is fine while it reads
        expire = quiet > request_timeout;
      } else if (c->have_head || !c->in.empty()) {
        // From the request's first byte: one trickled in must not hold the
        // connection for as long as each byte comes within the timeout.
        expire = now - c->request_start > request_timeout;
        if (expire) server_->Count(RejectReason::kTimeout);
      } else {
        expire = quiet > std::chrono::seconds(options.idle_timeout_seconds);
      }
      if (expire) expired.push_back(c);
    }
    for (Connection* c : expired) Close(c);
  }

  // Frees the connection only after the current round of events: one
  // evicted while accepting may still have an event in that round.
  void Close(Connection* c) {
    epoll_ctl(epoll_, EPOLL_CTL_DEL, c->fd, nullptr);
    close(c->fd);
    --server_->open_connections_;
    server_->CountSource(c->remote, -1);
    c->closed = true;
    auto it = connections_.find(c->fd);
    closed_.push_back(std::move(it->second));
    connections_.erase(it);
  }

  HttpServer* server_;
  const int epoll_;
  const int wake_fd_;  // an eventfd: Hand() left connections in the inbox
  std::mutex inbox_mu_;
  std::vector<Accepted> inbox_;
  char listen_marker_ = 0, stop_marker_ = 0, wake_marker_ = 0, mail_marker_ = 0;
  std::shared_ptr<Mailbox> mailbox_;  // deferred answers (HttpResponse::defer)
  uint64_t next_serial_ = 0;
  bool accept_paused_ = false;  // the listener is out of this loop's epoll set
  Clock::time_point accept_resume_;
  std::unordered_map<int, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> closed_;  // Close()d in this round of events
};

HttpServer::HttpServer(Options options) : options_(options) {}

HttpServer::~HttpServer() {
  if (listen_fd_ >= 0) close(listen_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
  if (reserve_fd_ >= 0) close(reserve_fd_);
}

long HttpServer::RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? -1 : static_cast<long>(limit.rlim_cur);
}

int HttpServer::CountSource(const std::string& source, int delta) {
  std::lock_guard<std::mutex> lock(sources_mu_);
  auto it = per_source_.try_emplace(source, 0).first;
  it->second += delta;
  const int count = it->second;
  if (count <= 0) per_source_.erase(it);
  return count;
}

void HttpServer::ShedOneConnection(int accept_errno) {
  std::lock_guard<std::mutex> lock(reserve_mu_);
  if (reserve_fd_ >= 0) {
    close(reserve_fd_);
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      close(fd);
      Count(RejectReason::kOutOfDescriptors);
    }
    reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  }
  ++shed_since_warning_;
  const int64_t now = NowMillis();
  if (now - last_shed_warning_ms_ >= 10000) {
    spdlog::warn(
        "http: out of file descriptors ({}); {} connection(s) refused in the last 10 s "
        "(open: {}, limit: {})",
        std::strerror(accept_errno), shed_since_warning_, open_connections_.load(),
        max_connections_.load());
    last_shed_warning_ms_ = now;
    shed_since_warning_ = 0;
  }
}

void HttpServer::Get(const std::string& path, Handler handler) {
  routes_.push_back({"GET", path, std::move(handler)});
}

void HttpServer::Post(const std::string& path, Handler handler) {
  routes_.push_back({"POST", path, std::move(handler)});
}

void HttpServer::OnTooLarge(Handler handler) { too_large_ = std::move(handler); }

void HttpServer::OnTooLarge(const std::string& path, Handler handler) {
  too_large_routes_.push_back({"", path, std::move(handler)});
}

bool HttpServer::Bind(const std::string& host, int port, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc =
      getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    *error = "cannot resolve " + host + ": " + gai_strerror(rc);
    return false;
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(found, freeaddrinfo);
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    // Not SO_REUSEPORT: a second daemon must fail to bind, not share traffic.
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0) {
      listen_fd_ = fd;
      break;
    }
    *error = std::strerror(errno);
    close(fd);
  }
  if (listen_fd_ < 0) return false;
  stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (stop_fd_ < 0) {
    *error = std::string("eventfd: ") + std::strerror(errno);
    return false;
  }
  return true;
}

void HttpServer::LoopStarted() {
  std::lock_guard<std::mutex> lock(started_mu_);
  ++started_loops_;
  started_cv_.notify_all();
}

void HttpServer::WaitUntilRunning(int loops) {
  std::unique_lock<std::mutex> lock(started_mu_);
  started_cv_.wait(lock, [&] { return started_loops_ >= std::max(1, loops); });
}

int HttpServer::port() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return 0;
  }
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6&>(addr).sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in&>(addr).sin_port);
}

void HttpServer::Run(int loops) {
  if (listen_fd_ < 0 || stop_fd_ < 0) return;
  // Leave descriptors for everything else the process opens (the store, the
  // engine, the local socket's threads, job logs): an eighth, at least 64.
  int limit = options_.max_connections;
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    const long soft = static_cast<long>(files.rlim_cur);
    const long usable = soft - std::max(64L, soft / 8) - kEvictionHeadroom;
    limit = static_cast<int>(std::max(1L, std::min<long>(limit, usable)));
  }
  max_connections_ = limit;
  if (reserve_fd_ < 0) reserve_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  for (int i = 0; i < std::max(1, loops); ++i) loops_.push_back(std::make_unique<Loop>(this));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < loops_.size(); ++i) {
    threads.emplace_back([loop = loops_[i].get()] { loop->Run(); });
  }
  loops_[0]->Run();
  for (std::thread& t : threads) t.join();
  loops_.clear();
  stopping_ = true;  // streams see it within their poll period
  JoinStreams(true);
}

bool HttpServer::StartStream(int fd, std::string head, HttpResponse::StreamFn stream) {
  JoinStreams(false);
  if (stopping_ || active_streams_.fetch_add(1) >= options_.max_streams) {
    --active_streams_;
    return false;
  }
  // Blocking from here on, with a send timeout: a reader that stops reading
  // does not hold the thread forever.
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::lock_guard<std::mutex> lock(streams_mu_);
  streams_.push_back(
      {std::thread([this, fd, head = std::move(head), stream = std::move(stream), done] {
         size_t sent = 0;
         while (sent < head.size()) {
           const ssize_t n = send(fd, head.data() + sent, head.size() - sent, MSG_NOSIGNAL);
           if (n <= 0) break;
           sent += static_cast<size_t>(n);
         }
         if (sent == head.size()) {
           try {
             stream(fd, stopping_);
           } catch (const std::exception& e) {
             spdlog::error("http: a stream failed: {}", e.what());
           }
         }
         close(fd);
         --active_streams_;
         *done = true;
       }),
       done});
  return true;
}

void HttpServer::JoinStreams(bool all) {
  std::vector<Stream> ended;
  {
    std::lock_guard<std::mutex> lock(streams_mu_);
    for (auto it = streams_.begin(); it != streams_.end();) {
      if (all || *it->done) {
        ended.push_back(std::move(*it));
        it = streams_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (Stream& s : ended) s.thread.join();
}

void HttpServer::Stop() {
  stopping_ = true;
  if (stop_fd_ < 0) return;
  // The eventfd stays readable (never read), so every loop sees it.
  const uint64_t one = 1;
  if (write(stop_fd_, &one, sizeof one) < 0) spdlog::warn("http: cannot stop the loops");
}

void HttpServer::Count(RejectReason reason) const {
  if (options_.metrics != nullptr) options_.metrics->CountRejection(Door::kHttp, reason);
}

void HttpServer::CountAnswer(Door door, int status) const {
  if (options_.metrics != nullptr) options_.metrics->CountRequest(door, status);
}

namespace {

// "/forges/{name}/webhook" matches "/forges/github/webhook": a "{...}"
// segment stands for one non-empty segment.
bool PathMatches(const std::string& pattern, const std::string& path) {
  if (pattern.find('{') == std::string::npos) return pattern == path;
  size_t p = 0, q = 0;
  while (p < pattern.size() && q < path.size()) {
    if (pattern[p] == '{') {
      const size_t close = pattern.find('}', p);
      const size_t end = path.find('/', q);
      const size_t seg_end = end == std::string::npos ? path.size() : end;
      if (close == std::string::npos || seg_end == q) return false;
      p = close + 1;
      q = seg_end;
      continue;
    }
    if (pattern[p] != path[q]) return false;
    ++p;
    ++q;
  }
  return p == pattern.size() && q == path.size();
}

}  // namespace

void HttpServer::TooLarge(const HttpRequest& request, HttpResponse* response) const {
  for (const Route& route : too_large_routes_) {
    if (PathMatches(route.path, request.path)) return Call(route.handler, request, response);
  }
  if (too_large_) return Call(too_large_, request, response);
  Count(RejectReason::kTooLarge);
}

void HttpServer::Dispatch(const HttpRequest& request, HttpResponse* response) const {
  bool path_known = false;
  for (const Route& route : routes_) {
    if (!PathMatches(route.path, request.path)) continue;
    path_known = true;
    if (route.method != request.method) continue;
    Call(route.handler, request, response);
    return;
  }
  Count(RejectReason::kNotFound);
  response->status = path_known ? 405 : 404;
  response->Set(path_known ? "method not allowed\n" : "not found\n", "text/plain");
}

}  // namespace sandbot
