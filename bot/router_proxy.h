// `sandbot router`: the small HTTP/1.1 forwarder inside each sandbox. It
// listens on the ports its table names (and --listen), picks the upstream by
// the request's Host (handlers/router_table.h), and relays the request and
// the answer as they stream: Content-Length and chunked bodies, keep-alive
// upstream connections, WebSocket (any 101 Upgrade) bytes both ways. It sets
// X-Forwarded-For/-Host/-Proto. An https upstream is reached over TLS
// (OpenSSL): SNI the URL's host, the certificate verified against
// RouterOptions' CA files and that host; a failure is a 502, never a
// fallback to plain HTTP or to an unverified peer.
//
// One thread per client connection, blocking I/O: a sandbox has a handful of
// callers, and the code stays a straight line per request. The table is
// reloaded when routes.json changes (inotify on its folder, which the daemon
// renames a new file into; a stat check every half second as a backstop);
// a bad table is logged and the last good one kept.
//
// GET /_sandbot/table-version answers the version of the table in use
// (handlers/router_table.h RouterTableVersion); ?want=V waits up to 2 s for
// that version and answers 200 when it is in use, 409 otherwise. GET
// /_sandbot/health answers 200 once a table is loaded. Both for any Host.
#ifndef SANDBOT_BOT_ROUTER_PROXY_H_
#define SANDBOT_BOT_ROUTER_PROXY_H_

#include <string>
#include <vector>

namespace sandbot {

struct RouterOptions {
  std::string routes_file = "/etc/sandbot/routes.json";
  std::string bind = "0.0.0.0";
  std::vector<int> ports;  // listened on besides the table's
  // TLS upstreams (https:// routes) are verified against these CA files: the
  // system bundle (the router image carries the build machine's) and the
  // operator's own CAs (serve --router-ca). Nothing else is trusted.
  std::string ca_bundle = "/etc/ssl/certs/ca-certificates.crt";
  std::vector<std::string> extra_ca;
  // When set, the version of each table taken into use is written there
  // (renamed into place): the daemon waits for it after a route change.
  std::string ack_file;
};

// Runs until SIGTERM or SIGINT; returns the exit code.
int RunRouter(const RouterOptions& options);

}  // namespace sandbot

#endif  // SANDBOT_BOT_ROUTER_PROXY_H_
