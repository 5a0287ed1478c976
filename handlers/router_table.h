// The sandbox router's table and its forwarding decisions. Pure: the proxy
// (bot/router_proxy.cc) reads /etc/sandbot/routes.json, parses it here, and
// asks where each request goes by its Host header.
//
// routes.json (handlers/routes.h RoutesJson) maps a service to its route:
//   {"payment": {"route": "sandbox", "url": "http://payment:8080", "port": 8080}, …}
//   sandbox   the sandbox's own container, reached by its second network
//             alias "{service}.local" on the URL's port; the Host is kept
//   baseline  the "url" (the baseline's URL); Host becomes the URL's host
//   any URL   the same, for an explicit URL
// An https:// URL is reached over TLS: SNI is the URL's host (none for an IP
// literal, RFC 6066), and the certificate must chain to a trusted CA (the
// system bundle, or one the operator gave: serve --router-ca) and name that
// host (or carry that IP); anything else is refused, never forwarded.
// "port" (optional) is where the router listens for the service's name; by
// default the URL's port for a sandbox route, else none. "main": true (one
// service at most: the sandbox's gateway) takes every request whose Host
// names no service: the router publishes the sandbox's main URL, so a
// browser on it follows the gateway's route changes.
#ifndef SANDBOT_HANDLERS_ROUTER_TABLE_H_
#define SANDBOT_HANDLERS_ROUTER_TABLE_H_

#include <map>
#include <set>
#include <string>

#include "util/status.h"

namespace sandbot {

struct UpstreamUrl {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;
  std::string base_path;  // "" or "/prefix" without a trailing '/'
};

// http(s)://host[:port][/path]; the port defaults to 80 or 443. Anything
// else (a query, credentials, another scheme) is refused.
Status ParseUpstreamUrl(const std::string& url, UpstreamUrl* out);

struct RouterRoute {
  std::string route;  // sandbox, baseline, or the URL as given
  std::string url;    // "" when the route has nowhere to go
  int listen_port = 0;
  bool main = false;
};

struct RouterTable {
  std::map<std::string, RouterRoute> routes;  // by service
  std::string version;                        // RouterTableVersion of the bytes
  std::string main_service;                   // the entry with "main": true, or ""
};

// Parses routes.json. Any malformed entry refuses the whole table.
Status ParseRouterTable(const std::string& json_text, RouterTable* out);

// The version the router reports once it uses a table: a hash of the exact
// bytes of routes.json, so the daemon knows which table it acknowledges.
std::string RouterTableVersion(const std::string& bytes);

// "Payment:8080", "payment.", "[::1]:80" → "payment", "payment", "::1".
std::string HostWithoutPort(const std::string& host_header);

struct Forward {
  std::string service;
  std::string route;
  std::string connect_host;  // where the router connects
  int connect_port = 0;
  std::string host_header;  // the Host sent upstream
  std::string path_prefix;  // prepended to the request target
  bool tls = false;         // an https URL: TLS to connect_host
  std::string tls_name;     // the name (or IP) the certificate must carry
  std::string tls_sni;      // SNI sent: tls_name, "" when it is an IP literal
  // The upstream connection pool's key: scheme, host and port.
  std::string PoolKey() const;
};

// Where a request with this Host goes: the service it names, else the main
// service (the Host kept for its own container, as for a named one).
// "{service}.local" names that service's own container on its "port",
// whatever its route.
// NotFound when neither; Unavailable when the service has no target (a
// baseline with no URL).
Status DecideForward(const RouterTable& table, const std::string& host_header, Forward* out);

// The ports the router listens on for `table`.
std::set<int> ListenPorts(const RouterTable& table);

// The table in use: a bad table keeps the last good one.
class RouterTables {
 public:
  // Parses `bytes`; on success it becomes current. On failure the current
  // table stays and the error says why.
  Status Load(const std::string& bytes);
  const RouterTable& current() const { return current_; }
  bool loaded() const { return loaded_; }

 private:
  RouterTable current_;
  bool loaded_ = false;
};

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_ROUTER_TABLE_H_
