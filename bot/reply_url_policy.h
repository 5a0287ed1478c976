// ReplyUrlPolicy: where sandbot may send a reply that a request told it to
// send. A chat request carries its own `response_url`; believed blindly, it
// would let anyone who can sign one request make the daemon POST to any
// host, including the Engine API on a loopback TCP port (SSRF).
//
//   - At intake (CheckReplyUrl): a reply URL must be https on a chat
//     platform's host (Slack's `hooks.slack.com`, or the configured
//     Mattermost server's origin), or on an origin the operator listed.
//   - At sending (PinForSend): a platform host is resolved and every
//     address must be public: loopback, private, link-local, carrier-grade
//     NAT, multicast and unspecified addresses (v4, v6 and v4-mapped) are
//     refused. The checked address is the one connected to, so a second
//     resolution cannot point elsewhere (DNS rebinding).
//   - Origins the operator listed (config `reply_origins`, the Mattermost
//     `url`) are trusted as written, even on a private address: the operator
//     chose them.
#ifndef SANDBOT_BOT_REPLY_URL_POLICY_H_
#define SANDBOT_BOT_REPLY_URL_POLICY_H_

#include <sys/socket.h>

#include <string>
#include <vector>

#include "util/status.h"

namespace sandbot {

// The parts of an absolute http(s) URL that a connection needs.
struct HttpUrl {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // lower case; an IPv6 literal without its brackets
  int port = 0;        // explicit, or the scheme's default
  std::string path;    // "/…" with the query; "/" when empty
  // "https://host:port" as configured origins are compared (default port
  // left out, IPv6 in brackets).
  std::string Origin() const;
};

// InvalidArgument unless `url` is an absolute http(s) URL with a host and no
// user info, spaces or control characters.
Status ParseHttpUrl(const std::string& url, HttpUrl* out);

// True for an address on the public internet: false for loopback, private
// (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10),
// carrier-grade NAT (100.64/10), multicast, unspecified, broadcast, the
// documentation and benchmark ranges, 0/8, and IPv4-mapped forms of those.
bool IsPublicAddress(const sockaddr* address);

class ReplyUrlPolicy {
 public:
  // `operator_origins`: origins the operator trusts ("https://chat.example.com",
  // "http://127.0.0.1:8065"); a path after the origin is ignored.
  // `platform_hosts`: the chat platforms' reply hosts (tests name others).
  explicit ReplyUrlPolicy(const std::vector<std::string>& operator_origins,
                          std::vector<std::string> platform_hosts = DefaultPlatformHosts());

  // Slack's reply hosts: hooks.slack.com, hooks.slack-gov.com.
  static std::vector<std::string> DefaultPlatformHosts();

  // Whether a request may name `url` as where its replies go. The message
  // says which hosts are allowed and how to add one.
  Status CheckReplyUrl(const std::string& url) const;

  // Just before a POST to `url` (a reply or a configured webhook): Ok with
  // *pinned_address set to the numeric address to connect to, or "" to
  // connect as usual (an origin the operator listed). Refuses what
  // CheckReplyUrl refuses (unless `configured`: a webhook URL from the
  // operator's configuration) and a platform host that resolves to a
  // non-public address.
  Status PinForSend(const std::string& url, bool configured, std::string* pinned_address) const;

 private:
  bool IsOperatorOrigin(const HttpUrl& url) const;

  std::vector<std::string> operator_origins_;  // normalised with HttpUrl::Origin()
  std::vector<std::string> platform_hosts_;
};

}  // namespace sandbot

#endif  // SANDBOT_BOT_REPLY_URL_POLICY_H_
