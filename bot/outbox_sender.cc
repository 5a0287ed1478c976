#include "bot/outbox_sender.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

#include "bot/forge_poster.h"
#include "store/outbox.h"

namespace sandbot {

namespace {

constexpr int kMaxAttempts = 6;

}  // namespace

bool SplitUrl(const std::string& url, std::string* origin, std::string* path) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  std::string s = url.substr(0, scheme);
  if (s != "http" && s != "https") return false;
  size_t slash = url.find('/', scheme + 3);
  *origin = url.substr(0, slash);
  *path = slash == std::string::npos ? "/" : url.substr(slash);
  return origin->size() > scheme + 3;
}

void OutboxSender::Start() {
  sender_ = std::thread([this] { SendLoop(); });
}

void OutboxSender::Stop() {
  stopping_ = true;
  hub_->Notify();
  if (sender_.joinable()) sender_.join();
}

int64_t RetryAfterMillis(const std::string& header) {
  constexpr int64_t kMaxSeconds = 3600;
  size_t i = 0;
  while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) ++i;
  if (i == header.size()) return 0;
  int64_t seconds = 0;
  for (; i < header.size() && header[i] != ' ' && header[i] != '\t'; ++i) {
    if (header[i] < '0' || header[i] > '9') return 0;
    seconds = seconds * 10 + (header[i] - '0');
    if (seconds > kMaxSeconds) seconds = kMaxSeconds + 1;  // no overflow, however long
  }
  return std::min(seconds, kMaxSeconds) * 1000;
}

void OutboxSender::SendLoop() {
  // A message whose state cannot be recorded is sent again or retried: the
  // store is the record, and a chat service may see a message twice.
  auto record = [](const Status& s, const OutboxMessage& m) {
    if (!s.ok()) spdlog::error("{}: cannot record the attempt: {}", m.purpose, s.ToString());
  };
  while (!stopping_) {
    uint64_t seen = hub_->version();
    OutboxMessage m;
    bool found = false;
    Status s = NextOutbox(db_, NowMillis(), &m, &found);
    if (!s.ok()) spdlog::warn("cannot read the outbox: {}", s.ToString());
    if (!s.ok() || !found) {
      hub_->WaitChange(seen, std::chrono::milliseconds(500));
      continue;
    }
    if (m.url.rfind("forge:", 0) == 0) {
      // A forge API call: to the forge's own API URL with its token
      // (bot/forge_poster.h), retried like the rest.
      const ForgeSendResult r = SendForgeMessage(db_, m);
      if (r.ok) {
        record(MarkOutboxSent(db_, m.id), m);
        continue;
      }
      if (r.deferred) {
        // Rate limited: later, without spending an attempt.
        record(DeferOutbox(db_, m.id, r.error, NowMillis() + r.retry_after_ms), m);
        spdlog::info("{}: {} (deferred)", m.purpose, r.error);
        if (metrics_ != nullptr) metrics_->CountOutboxRetry(OutboxKind::kForge);
        continue;
      }
      const bool give_up = !r.retry || m.attempts + 1 >= kMaxAttempts;
      const int64_t delay_ms =
          std::max<int64_t>(1000LL << std::min(m.attempts, 6), r.retry_after_ms);
      record(MarkOutboxAttempt(db_, m.id, r.error, NowMillis() + delay_ms, give_up), m);
      if (!give_up && metrics_ != nullptr) metrics_->CountOutboxRetry(OutboxKind::kForge);
      spdlog::warn("{}: {}{}", m.purpose, r.error, give_up ? " (given up)" : " (will retry)");
      continue;
    }
    bool configured = false;
    const std::string url = ResolveDestination(*chat_, m.url, &configured);
    std::string origin, path, pinned;
    if (url.empty() || !SplitUrl(url, &origin, &path)) {
      record(MarkOutboxAttempt(
                 db_, m.id, url.empty() ? m.url + " is no longer configured" : "not an http(s) URL",
                 NowMillis(), true),
             m);
      continue;
    }
    s = policy_.PinForSend(url, configured, &pinned);
    if (!s.ok()) {
      record(MarkOutboxAttempt(db_, m.id, s.message(), NowMillis(), true), m);
      spdlog::warn("{}: {} (given up)", m.purpose, s.message());
      continue;
    }
    httplib::Client client(origin);
    if (!pinned.empty()) {
      HttpUrl parsed;
      if (ParseHttpUrl(url, &parsed).ok()) client.set_hostname_addr_map({{parsed.host, pinned}});
    }
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    auto res = client.Post(path.c_str(), m.body, m.content_type.c_str());
    if (res && res->status >= 200 && res->status < 300) {
      record(MarkOutboxSent(db_, m.id), m);
      spdlog::debug("sent {}", m.purpose);
      continue;
    }
    std::string error = res ? "HTTP " + std::to_string(res->status) + " " + res->body.substr(0, 200)
                            : "cannot reach " + origin + ": " + httplib::to_string(res.error());
    bool retry = !res || res->status == 429 || res->status >= 500;
    bool give_up = !retry || m.attempts + 1 >= kMaxAttempts;
    int64_t delay_ms = 1000LL << std::min(m.attempts, 6);
    if (res && res->status == 429 && res->has_header("Retry-After")) {
      delay_ms = std::max(delay_ms, RetryAfterMillis(res->get_header_value("Retry-After")));
    }
    record(MarkOutboxAttempt(db_, m.id, error, NowMillis() + delay_ms, give_up), m);
    if (!give_up && metrics_ != nullptr) metrics_->CountOutboxRetry(OutboxKind::kChat);
    spdlog::warn("{}: {}{}", m.purpose, error, give_up ? " (given up)" : " (will retry)");
  }
}

}  // namespace sandbot
