// slack_load: a load generator for Slack slash-command endpoints, used by
// bench/chat_bench.sh to measure sandbot and a Bolt app side by side.
//
// Every request is a distinct, correctly signed slash command (v0 HMAC over
// "v0:{ts}:{body}", a unique trigger_id), as Slack would send it.
//
//   slack_load HOST PORT SECRET MODE SECONDS CONNECTIONS [RATE]
//     MODE rate: open loop at RATE requests/s spread over CONNECTIONS;
//                latency is measured from each request's scheduled time, so
//                a stalled server is not hidden (no coordinated omission)
//     MODE max:  closed loop, each connection sends as fast as answers come
// Prints one line: "sent N ok N errors N rps X p50_ms A p99_ms B max_ms C".
#include <httplib.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
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

struct Signed {
  std::string body, timestamp, signature;
};

Signed MakeRequest(const std::string& secret, long id) {
  Signed r;
  r.timestamp = std::to_string(std::time(nullptr));
  // SLACK_LOAD_SSL_CHECK=1 sends Slack's ssl_check form instead: verified
  // and answered without running a command — the HTTP + signature ceiling.
  static const bool ssl_check = std::getenv("SLACK_LOAD_SSL_CHECK") != nullptr;
  r.body =
      std::string(ssl_check ? "ssl_check=1&" : "") +
      "token=x&team_id=T1&team_domain=acme&channel_id=C0BENCH&channel_name=bench&user_id=U0BENCH"
      "&user_name=bench&command=%2Fsandbox&text=list&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fr"
      "&trigger_id=" +
      std::to_string(id) + "." + std::to_string(Clock::now().time_since_epoch().count());
  std::string base = "v0:" + r.timestamp + ":" + r.body;
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(base.data()), base.size(), mac, &len);
  r.signature = "v0=" + Hex(mac, len);
  return r;
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
  if (mode == "rate" && rate <= 0) return 2;

  std::atomic<long> next_id{0}, ok{0}, errors{0};
  std::mutex mu;
  std::vector<double> latencies;
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);

  auto worker = [&](int index) {
    httplib::Client client(host, port);
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);  // headers and body are separate writes
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    std::vector<double> mine;
    // Open loop: this connection's share of the schedule, offset so the
    // connections interleave evenly.
    const double interval = mode == "rate" ? connections / rate : 0;
    auto scheduled = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(interval * index / connections));
    for (;;) {
      if (mode == "rate") {
        if (scheduled >= end) break;
        std::this_thread::sleep_until(scheduled);
      } else if (Clock::now() >= end) {
        break;
      }
      const auto t0 = mode == "rate" ? scheduled : Clock::now();
      Signed r = MakeRequest(secret, next_id++);
      httplib::Headers headers = {{"X-Slack-Request-Timestamp", r.timestamp},
                                  {"X-Slack-Signature", r.signature}};
      auto res =
          client.Post("/slack/commands", headers, r.body, "application/x-www-form-urlencoded");
      const auto t1 = Clock::now();
      if (res && res->status == 200) {
        ++ok;
      } else {
        ++errors;
      }
      mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      if (mode == "rate") {
        scheduled +=
            std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval));
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    latencies.insert(latencies.end(), mine.begin(), mine.end());
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) threads.emplace_back(worker, i);
  for (auto& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) {
    if (latencies.empty()) return 0.0;
    size_t i = static_cast<size_t>(p * (latencies.size() - 1));
    return latencies[i];
  };
  std::printf("sent %zu ok %ld errors %ld rps %.1f p50_ms %.2f p99_ms %.2f max_ms %.2f\n",
              latencies.size(), ok.load(), errors.load(), ok.load() / elapsed, pct(0.50), pct(0.99),
              latencies.empty() ? 0.0 : latencies.back());
  return errors.load() > 0 ? 1 : 0;
}
