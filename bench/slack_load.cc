// slack_load: a load generator for Slack slash-command endpoints, used by
// bench/chat_bench.sh to measure sandbot and a Bolt app side by side.
//
// Every request is a distinct, correctly signed slash command (v0 HMAC over
// "v0:{ts}:{body}", a unique trigger_id), as Slack would send it, on
// keep-alive HTTP/1.1 connections.
//
//   slack_load HOST PORT SECRET MODE SECONDS CONNECTIONS [RATE]
//     MODE rate: open loop at RATE requests/s spread over CONNECTIONS;
//                latency is measured from each request's scheduled time, so
//                a stalled server is not hidden (no coordinated omission)
//     MODE max:  closed loop, each connection sends as fast as answers come
// Prints one line: "sent N ok N errors N rps X p50_ms A p99_ms B max_ms C".
//
// With LOAD_WEBHOOK=FILE it sends GitHub webhooks instead (bench/forge_bench.sh):
// FILE's bytes as the JSON body, POSTed to LOAD_PATH (default
// /forges/github/webhook) with X-GitHub-Event LOAD_EVENT (default
// pull_request), a distinct X-GitHub-Delivery per request and
// X-Hub-Signature-256 (HMAC-SHA256 of the body with SECRET, computed once:
// the body does not change).
//
// Refused requests, for the flood figures of bench/run.sh (issue 16):
//   SLACK_LOAD_EXPECT=401   the status that counts as ok (default 200); with
//                           a wrong SECRET every request is a forgery
//   SLACK_LOAD_OVERSIZE=N   each request declares a body over any limit and
//                           carries an N-byte query string (expect 413; the
//                           server closes, a new connection follows)
//
// One thread drives every connection with epoll, so the generator spends a
// few microseconds of CPU per request and leaves the machine's cores to the
// server being measured (a thread per connection cost ~45 us per request,
// most of a core at 20k requests/s).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

std::string Hex(const unsigned char* p, size_t n) {
  static const char k[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    s += k[p[i] >> 4];
    s += k[p[i] & 15];
  }
  return s;
}

std::string WebhookRequest(const std::string& host, const std::string& secret, long id,
                           const char* file);

const char* EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : fallback;
}

// The whole HTTP request for slash command number `id`.
std::string SignedRequest(const std::string& host, const std::string& secret, long id) {
  static const char* webhook = std::getenv("LOAD_WEBHOOK");
  if (webhook != nullptr) return WebhookRequest(host, secret, id, webhook);
  const std::string timestamp = std::to_string(std::time(nullptr));
  // SLACK_LOAD_SSL_CHECK=1 sends Slack's ssl_check form instead: verified
  // and answered without running a command — the HTTP + signature ceiling.
  static const bool ssl_check = std::getenv("SLACK_LOAD_SSL_CHECK") != nullptr;
  const std::string body =
      std::string(ssl_check ? "ssl_check=1&" : "") +
      "token=x&team_id=T1&team_domain=acme&channel_id=C0BENCH&channel_name=bench&user_id=U0BENCH"
      "&user_name=bench&command=%2Fsandbox&text=list&response_url=https%3A%2F%2Fhooks.slack.com%"
      "2Fcommands%2FT1%2F1%2Fbench"
      "&trigger_id=" +
      std::to_string(id) + "." + std::to_string(Clock::now().time_since_epoch().count());
  const std::string base = "v0:" + timestamp + ":" + body;
  // One keyed context for the run: OpenSSL 3's one-shot HMAC() fetches the
  // algorithms and hashes the key each time, CPU taken from the servers.
  static EVP_MAC_CTX* ctx = [&] {
    EVP_MAC_CTX* c = EVP_MAC_CTX_new(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                                 OSSL_PARAM_construct_end()};
    EVP_MAC_init(c, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), params);
    return c;
  }();
  static const long oversize = std::atol(EnvOr("SLACK_LOAD_OVERSIZE", "0"));
  unsigned char mac[32];
  size_t len = 0;
  EVP_MAC_init(ctx, nullptr, 0, nullptr);
  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(base.data()), base.size());
  EVP_MAC_final(ctx, mac, &len, sizeof mac);
  if (oversize > 0) {
    return "POST /slack/commands?q=" + std::string(static_cast<size_t>(oversize), 'a') +
           " HTTP/1.1\r\nHost: " + host + "\r\nX-Slack-Request-Timestamp: " + timestamp +
           "\r\nX-Slack-Signature: v0=" + Hex(mac, len) + "\r\nContent-Length: 1000000000\r\n\r\n";
  }
  return "POST /slack/commands HTTP/1.1\r\nHost: " + host +
         "\r\nContent-Type: application/x-www-form-urlencoded\r\nX-Slack-Request-Timestamp: " +
         timestamp + "\r\nX-Slack-Signature: v0=" + Hex(mac, len) +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The whole HTTP request for webhook delivery number `id` (LOAD_WEBHOOK).
std::string WebhookRequest(const std::string& host, const std::string& secret, long id,
                           const char* file) {
  struct Fixed {
    std::string head, tail;  // the request before and after the delivery id
  };
  static const Fixed fixed = [&] {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in || body.str().empty()) {
      std::fprintf(stderr, "slack_load: cannot read LOAD_WEBHOOK=%s\n", file);
      std::exit(2);
    }
    const std::string b = body.str();
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t len = 0;
    EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
              reinterpret_cast<const unsigned char*>(b.data()), b.size(), mac, sizeof mac, &len);
    const char* path = std::getenv("LOAD_PATH");
    const char* event = std::getenv("LOAD_EVENT");
    Fixed f;
    f.head = std::string("POST ") + (path ? path : "/forges/github/webhook") +
             " HTTP/1.1\r\nHost: " + host +
             "\r\nUser-Agent: GitHub-Hookshot/bench\r\nContent-Type: application/json"
             "\r\nX-GitHub-Event: " +
             (event ? event : "pull_request") +
             "\r\nX-GitHub-Hook-ID: 1\r\nX-Hub-Signature-256: sha256=" + Hex(mac, len) +
             "\r\nContent-Length: " + std::to_string(b.size()) + "\r\nX-GitHub-Delivery: ";
    f.tail = "\r\n\r\n" + b;
    return f;
  }();
  char delivery[64];
  std::snprintf(delivery, sizeof delivery, "bench-%ld-%lld", id,
                static_cast<long long>(Clock::now().time_since_epoch().count()));
  return fixed.head + delivery + fixed.tail;
}

bool IEquals(const std::string& a, const char* b) {
  return a.size() == std::strlen(b) && strncasecmp(a.data(), b, a.size()) == 0;
}

// How far one HTTP response in `in` has arrived.
enum class Parse { kIncomplete, kDone, kBad };

// Parses the response at the start of `in`: on kDone, `*status` is its code
// and `*used` its length in bytes (Content-Length or chunked bodies).
Parse ParseResponse(const std::string& in, int* status, size_t* used, bool* close) {
  const size_t head_end = in.find("\r\n\r\n");
  if (head_end == std::string::npos) return Parse::kIncomplete;
  if (in.compare(0, 9, "HTTP/1.1 ") != 0 && in.compare(0, 9, "HTTP/1.0 ") != 0) return Parse::kBad;
  *status = std::atoi(in.c_str() + 9);
  *close = in.compare(0, 9, "HTTP/1.0 ") == 0;
  long length = -1;
  bool chunked = false;
  for (size_t at = in.find("\r\n") + 2; at < head_end;) {
    const size_t eol = in.find("\r\n", at);
    const size_t colon = in.find(':', at);
    if (colon != std::string::npos && colon < eol) {
      const std::string name = in.substr(at, colon - at);
      std::string value = in.substr(colon + 1, eol - colon - 1);
      value.erase(0, value.find_first_not_of(' '));
      if (IEquals(name, "Content-Length")) length = std::atol(value.c_str());
      if (IEquals(name, "Transfer-Encoding") && IEquals(value, "chunked")) chunked = true;
      if (IEquals(name, "Connection")) *close = IEquals(value, "close");
    }
    at = eol + 2;
  }
  size_t at = head_end + 4;
  if (!chunked) {
    if (length < 0) return Parse::kBad;  // servers under test always send one
    if (in.size() < at + static_cast<size_t>(length)) return Parse::kIncomplete;
    *used = at + static_cast<size_t>(length);
    return Parse::kDone;
  }
  for (;;) {
    const size_t eol = in.find("\r\n", at);
    if (eol == std::string::npos) return Parse::kIncomplete;
    const size_t size = std::strtoul(in.c_str() + at, nullptr, 16);
    at = eol + 2;
    if (size == 0) {
      const size_t end = in.find("\r\n", at);  // no trailers expected
      if (end == std::string::npos) return Parse::kIncomplete;
      *used = end + 2;
      return Parse::kDone;
    }
    if (in.size() < at + size + 2) return Parse::kIncomplete;
    at += size + 2;
  }
}

struct Connection {
  int fd = -1;
  bool busy = false;       // a request is out, its answer not yet read
  std::string out;         // the request being written
  size_t out_at = 0;       // how much of it is written
  std::string in;          // what has arrived
  Clock::time_point t0;    // when the request counts from
  Clock::time_point next;  // rate mode: this connection's next slot
};

int Connect(const sockaddr_in& addr) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr,
                 "usage: slack_load HOST PORT SECRET rate|max SECONDS CONNECTIONS [RATE]\n");
    return 2;
  }
  const std::string host = argv[1], secret = argv[3], mode = argv[4];
  const int port = std::atoi(argv[2]), seconds = std::atoi(argv[5]);
  const int connections = std::max(1, std::atoi(argv[6]));
  const double rate = argc > 7 ? std::atof(argv[7]) : 0;
  const int expect = std::atoi(EnvOr("SLACK_LOAD_EXPECT", "200"));
  if (mode != "rate" && mode != "max") return 2;
  if (mode == "rate" && rate <= 0) return 2;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "slack_load: HOST must be an IPv4 address\n");
    return 2;
  }

  const int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<Connection> conns(connections);
  auto open_connection = [&](int i) {
    Connection& c = conns[i];
    if (c.fd >= 0) close(c.fd);
    c.fd = Connect(addr);
    c.in.clear();
    if (c.fd < 0) return false;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
    ev.data.u32 = static_cast<uint32_t>(i);
    return epoll_ctl(ep, EPOLL_CTL_ADD, c.fd, &ev) == 0;
  };
  for (int i = 0; i < connections; ++i) {
    if (!open_connection(i)) {
      std::perror("slack_load: connect");
      return 1;
    }
  }

  long next_id = 0, ok = 0, errors = 0;
  std::vector<double> latencies;
  latencies.reserve(1 << 20);
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  // Open loop: connection i's slots are every `interval`, offset so the
  // connections interleave evenly.
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(mode == "rate" ? connections / rate : 0));
  for (int i = 0; i < connections; ++i) conns[i].next = start + interval * i / connections;

  // Writes what is pending; false when the connection broke.
  auto flush = [&](Connection& c) {
    // An offset, not erase(): a 24 KB webhook written in pieces would be
    // moved down after each piece.
    while (c.out_at < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN || errno == EINTR;
      c.out_at += static_cast<size_t>(n);
    }
    c.out.clear();
    c.out_at = 0;
    return true;
  };
  auto send_next = [&](int i, Clock::time_point t0) {
    Connection& c = conns[i];
    c.busy = true;
    c.t0 = t0;
    c.out = SignedRequest(host, secret, next_id++);
    if (!flush(c)) {
      ++errors;
      c.busy = false;
      open_connection(i);
    }
  };
  // A request that failed counts as an error with its latency so far.
  auto fail = [&](int i) {
    Connection& c = conns[i];
    if (c.busy) {
      ++errors;
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - c.t0).count());
    }
    c.busy = false;
    c.out.clear();
    c.out_at = 0;
    // Closed loop: the connection goes on; errors are counted, not hidden.
    if (open_connection(i) && mode == "max" && Clock::now() < end) {
      c.busy = true;
      c.t0 = Clock::now();
      c.out = SignedRequest(host, secret, next_id++);
    }
  };

  if (mode == "max") {
    for (int i = 0; i < connections; ++i) send_next(i, Clock::now());
  }
  std::vector<epoll_event> events(connections);
  char buf[16384];
  for (;;) {
    const auto now = Clock::now();
    int in_flight = 0;
    for (const Connection& c : conns) in_flight += c.busy ? 1 : 0;
    if (now >= end && in_flight == 0) break;
    if (now >= end + std::chrono::seconds(10)) {  // answers that never came
      errors += in_flight;
      break;
    }
    int timeout_ms = 100;
    if (mode == "rate" && now < end) {
      for (int i = 0; i < connections; ++i) {
        Connection& c = conns[i];
        if (c.busy) continue;
        if (c.next <= now) {
          if (c.next < end) send_next(i, c.next);
          c.next += interval;
        }
        if (c.next < end) {
          auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(c.next - now).count();
          timeout_ms = std::min<int>(timeout_ms, static_cast<int>(std::max<long>(0, wait)));
        }
      }
    }
    const int n = epoll_wait(ep, events.data(), connections, timeout_ms);
    for (int e = 0; e < n; ++e) {
      const int i = static_cast<int>(events[e].data.u32);
      Connection& c = conns[i];
      if (events[e].events & (EPOLLERR | EPOLLHUP)) {
        fail(i);
        continue;
      }
      if ((events[e].events & EPOLLOUT) && !flush(c)) {
        fail(i);
        continue;
      }
      if (!(events[e].events & EPOLLIN)) continue;
      bool broken = false;
      for (;;) {
        ssize_t got = recv(c.fd, buf, sizeof buf, 0);
        if (got > 0) {
          c.in.append(buf, static_cast<size_t>(got));
          continue;
        }
        broken = got == 0 || (errno != EAGAIN && errno != EINTR);
        break;
      }
      int status = 0;
      size_t used = 0;
      bool close_after = false;
      const Parse p = c.busy ? ParseResponse(c.in, &status, &used, &close_after) : Parse::kBad;
      if (p == Parse::kDone) {
        const auto t1 = Clock::now();
        latencies.push_back(std::chrono::duration<double, std::milli>(t1 - c.t0).count());
        (status == expect ? ok : errors)++;
        c.busy = false;
        c.in.erase(0, used);
        if (close_after || broken) open_connection(i);
        if (mode == "max" && t1 < end) send_next(i, t1);
      } else if (p == Parse::kBad || broken) {
        fail(i);
      }
    }
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  for (Connection& c : conns) {
    if (c.fd >= 0) close(c.fd);
  }

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    size_t i = static_cast<size_t>(p * (latencies.size() - 1));
    return latencies[i];
  };
  std::printf("sent %zu ok %ld errors %ld rps %.1f p50_ms %.2f p99_ms %.2f max_ms %.2f\n",
              latencies.size(), ok, errors, ok / elapsed, pct(0.50), pct(0.99),
              latencies.empty() ? 0.0 : latencies.back());
  return errors > 0 ? 1 : 0;
}
