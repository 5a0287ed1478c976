#include "bot/reply_url_policy.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

namespace sandbot {

namespace {

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool IsPublicV4(uint32_t a) {  // host byte order
  auto in = [a](uint32_t net, int bits) {
    const uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
    return (a & mask) == (net & mask);
  };
  return !(in(0x00000000, 8) ||   // "this network", 0.0.0.0
           in(0x0A000000, 8) ||   // 10/8
           in(0x64400000, 10) ||  // 100.64/10 carrier-grade NAT
           in(0x7F000000, 8) ||   // loopback
           in(0xA9FE0000, 16) ||  // 169.254/16 link-local (cloud metadata)
           in(0xAC100000, 12) ||  // 172.16/12
           in(0xC0000000, 24) ||  // 192.0.0/24 protocol assignments
           in(0xC0000200, 24) ||  // 192.0.2/24 documentation
           in(0xC0A80000, 16) ||  // 192.168/16
           in(0xC6120000, 15) ||  // 198.18/15 benchmarking
           in(0xC6336400, 24) ||  // 198.51.100/24 documentation
           in(0xCB007100, 24) ||  // 203.0.113/24 documentation
           in(0xE0000000, 4) ||   // multicast
           in(0xF0000000, 4));    // reserved, broadcast
}

}  // namespace

std::string HttpUrl::Origin() const {
  const bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + (default_port ? "" : ":" + std::to_string(port));
}

Status ParseHttpUrl(const std::string& url, HttpUrl* out) {
  for (unsigned char c : url) {
    if (c <= 0x20 || c == 0x7F) {
      return Status::InvalidArgument("a URL may not hold spaces or control characters");
    }
  }
  const size_t colon = url.find("://");
  if (colon == std::string::npos) return Status::InvalidArgument("not an absolute URL");
  HttpUrl u;
  u.scheme = Lower(url.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https") {
    return Status::InvalidArgument("not an http(s) URL");
  }
  const size_t start = colon + 3;
  const size_t end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (authority.find('@') != std::string::npos) {
    return Status::InvalidArgument("a URL with user info is not accepted");
  }
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("unclosed IPv6 literal");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return Status::InvalidArgument("bad host");
      port_text = authority.substr(close + 2);
    }
  } else {
    const size_t p = authority.rfind(':');
    u.host = authority.substr(0, p);
    if (p != std::string::npos) port_text = authority.substr(p + 1);
  }
  u.host = Lower(u.host);
  if (u.host.empty()) return Status::InvalidArgument("a URL needs a host");
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port_text.empty()) {
    if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) {
      return Status::InvalidArgument("bad port");
    }
    u.port = std::stoi(port_text);
    if (u.port < 1 || u.port > 65535) return Status::InvalidArgument("bad port");
  }
  u.path = end == std::string::npos ? "/" : url.substr(end);
  if (u.path[0] != '/') u.path = "/" + u.path;
  const size_t hash = u.path.find('#');
  if (hash != std::string::npos) u.path.erase(hash);
  *out = std::move(u);
  return Status::Ok();
}

bool IsPublicAddress(const sockaddr* address) {
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return IsPublicV4(ntohl(v4->sin_addr.s_addr));
  }
  if (address->sa_family != AF_INET6) return false;
  const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
  const uint8_t* b = a.s6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
    const uint32_t v4 = (uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) | (uint32_t{b[14]} << 8) |
                        uint32_t{b[15]};
    return IsPublicV4(v4);
  }
  if (IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_MULTICAST(&a) ||
      IN6_IS_ADDR_LINKLOCAL(&a) || IN6_IS_ADDR_SITELOCAL(&a)) {
    return false;
  }
  if ((b[0] & 0xFE) == 0xFC) return false;  // fc00::/7 unique local
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) return false;  // 2001:db8::/32
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B) return false;  // NAT64
  return true;
}

std::vector<std::string> ReplyUrlPolicy::DefaultPlatformHosts() {
  // Where Slack's response_url points (commercial and GovSlack).
  return {"hooks.slack.com", "hooks.slack-gov.com"};
}

ReplyUrlPolicy::ReplyUrlPolicy(const std::vector<std::string>& operator_origins,
                               std::vector<std::string> platform_hosts)
    : platform_hosts_(std::move(platform_hosts)) {
  for (const std::string& o : operator_origins) {
    HttpUrl u;
    if (ParseHttpUrl(o, &u).ok()) operator_origins_.push_back(u.Origin());
  }
}

bool ReplyUrlPolicy::IsOperatorOrigin(const HttpUrl& url) const {
  const std::string origin = url.Origin();
  for (const std::string& o : operator_origins_) {
    if (o == origin) return true;
  }
  return false;
}

Status ReplyUrlPolicy::CheckReplyUrl(const std::string& url) const {
  HttpUrl u;
  Status s = ParseHttpUrl(url, &u);
  if (!s.ok()) return Status::InvalidArgument("reply URL refused: " + s.message());
  if (IsOperatorOrigin(u)) return Status::Ok();
  for (const std::string& h : platform_hosts_) {
    if (u.scheme == "https" && u.port == 443 && u.host == h) return Status::Ok();
  }
  return Status::Forbidden("reply URL refused: " + u.Origin() +
                           " is neither a chat platform's host (https://hooks.slack.com) nor an "
                           "origin listed in the configuration (\"reply_origins\", or "
                           "\"mattermost\": {\"url\": …})");
}

Status ReplyUrlPolicy::PinForSend(const std::string& url, bool configured,
                                  std::string* pinned_address) const {
  pinned_address->clear();
  HttpUrl u;
  Status s = ParseHttpUrl(url, &u);
  if (!s.ok()) return s;
  if (configured || IsOperatorOrigin(u)) return Status::Ok();
  s = CheckReplyUrl(url);
  if (!s.ok()) return s;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(u.host.c_str(), nullptr, &hints, &found);
  if (rc != 0) return Status::Unavailable("cannot resolve " + u.host + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(found, freeaddrinfo);
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = "";
    const void* raw =
        a->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr)
            : static_cast<const void*>(
                  &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr);
    inet_ntop(a->ai_family, raw, text, sizeof text);
    // Every address must be public: one private answer among public ones is
    // how a rebinding attack hides.
    if (!IsPublicAddress(a->ai_addr)) {
      return Status::Forbidden("reply URL refused: " + u.host + " resolves to " + text +
                               ", which is not a public address");
    }
    if (pinned_address->empty()) *pinned_address = text;
  }
  if (pinned_address->empty()) return Status::Unavailable("no address for " + u.host);
  return Status::Ok();
}

}  // namespace sandbot
