#include "handlers/router_table.h"

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "handlers/names.h"

namespace sandbot {

namespace {

bool ParsePort(const std::string& text, int* port) {
  if (text.empty() || text.size() > 5) return false;
  int p = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + (c - '0');
  }
  if (p < 1 || p > 65535) return false;
  *port = p;
  return true;
}

bool ValidHostChars(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                    c == ':';  // ':' only inside [v6]
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status ParseUpstreamUrl(const std::string& url, UpstreamUrl* out) {
  const std::string http = "http://", https = "https://";
  UpstreamUrl u;
  std::string rest;
  if (Lower(url.substr(0, http.size())) == http) {
    u.scheme = "http";
    u.port = 80;
    rest = url.substr(http.size());
  } else if (Lower(url.substr(0, https.size())) == https) {
    u.scheme = "https";
    u.port = 443;
    rest = url.substr(https.size());
  } else {
    return Status::InvalidArgument("\"" + url + "\" is not an http:// or https:// URL");
  }
  const size_t slash = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, slash);
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  if (path.find_first_of("?#") != std::string::npos) {
    return Status::InvalidArgument("\"" + url + "\" has a query or fragment");
  }
  if (authority.find('@') != std::string::npos) {
    return Status::InvalidArgument("\"" + url + "\" carries credentials");
  }
  std::string host = authority;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("\"" + url + "\": bad host");
    host = authority.substr(1, close - 1);
    std::string after = authority.substr(close + 1);
    if (!after.empty() && (after[0] != ':' || !ParsePort(after.substr(1), &u.port))) {
      return Status::InvalidArgument("\"" + url + "\": bad port");
    }
  } else {
    const size_t colon = authority.find(':');
    if (colon != std::string::npos) {
      host = authority.substr(0, colon);
      if (!ParsePort(authority.substr(colon + 1), &u.port)) {
        return Status::InvalidArgument("\"" + url + "\": bad port");
      }
    }
    if (host.find(':') != std::string::npos) {
      return Status::InvalidArgument("\"" + url + "\": bad host");
    }
  }
  u.host = Lower(host);
  if (!ValidHostChars(u.host)) return Status::InvalidArgument("\"" + url + "\": bad host");
  while (!path.empty() && path.back() == '/') path.pop_back();
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      return Status::InvalidArgument("\"" + url + "\": bad path");
    }
  }
  u.base_path = path;
  *out = std::move(u);
  return Status::Ok();
}

Status ParseRouterTable(const std::string& json_text, RouterTable* out) {
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("routes.json is not JSON");
  if (!j.is_object()) return Status::InvalidArgument("routes.json is not an object");
  RouterTable t;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& service = it.key();
    if (!ValidateServiceName(service).ok()) {
      return Status::InvalidArgument("routes.json: \"" + service + "\" is not a service name");
    }
    const nlohmann::json& e = it.value();
    if (!e.is_object() || !e.contains("route") || !e["route"].is_string()) {
      return Status::InvalidArgument("routes.json: " + service + " has no \"route\"");
    }
    RouterRoute r;
    r.route = e["route"].get<std::string>();
    if (e.contains("url")) {
      if (!e["url"].is_string()) {
        return Status::InvalidArgument("routes.json: " + service + ": \"url\" is not a string");
      }
      r.url = e["url"].get<std::string>();
    }
    UpstreamUrl u;
    if (!r.url.empty()) {
      Status s = ParseUpstreamUrl(r.url, &u);
      if (!s.ok()) return Status::InvalidArgument("routes.json: " + service + ": " + s.message());
    }
    if (e.contains("port")) {
      if (!e["port"].is_number_integer() || e["port"].get<int64_t>() < 1 ||
          e["port"].get<int64_t>() > 65535) {
        return Status::InvalidArgument("routes.json: " + service + ": bad \"port\"");
      }
      r.listen_port = e["port"].get<int>();
    } else if (r.route == "sandbox" && u.port > 0) {
      r.listen_port = u.port;
    }
    if (e.contains("main")) {
      if (!e["main"].is_boolean()) {
        return Status::InvalidArgument("routes.json: " + service + ": \"main\" is not true/false");
      }
      r.main = e["main"].get<bool>();
      if (r.main && !t.main_service.empty()) {
        return Status::InvalidArgument("routes.json: " + t.main_service + " and " + service +
                                       " are both \"main\"");
      }
      if (r.main) t.main_service = service;
    }
    t.routes[service] = std::move(r);
  }
  t.version = RouterTableVersion(json_text);
  *out = std::move(t);
  return Status::Ok();
}

std::string RouterTableVersion(const std::string& bytes) {
  uint64_t h = 14695981039346656037ULL;  // FNV-1a
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

std::string HostWithoutPort(const std::string& host_header) {
  std::string h = Lower(host_header);
  while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.pop_back();
  size_t start = h.find_first_not_of(" \t");
  h = start == std::string::npos ? "" : h.substr(start);
  if (!h.empty() && h[0] == '[') {
    const size_t close = h.find(']');
    return close == std::string::npos ? "" : h.substr(1, close - 1);
  }
  const size_t colon = h.find(':');
  if (colon != std::string::npos) h = h.substr(0, colon);
  if (!h.empty() && h.back() == '.') h.pop_back();
  return h;
}

Status DecideForward(const RouterTable& table, const std::string& host_header, Forward* out) {
  std::string host = HostWithoutPort(host_header);
  // "{service}.local": that service's own container whatever its route (the
  // daemon checks a gateway's health so through the main URL).
  constexpr char kOwn[] = ".local";
  constexpr size_t kOwnSize = sizeof kOwn - 1;
  if (host.size() > kOwnSize && host.compare(host.size() - kOwnSize, kOwnSize, kOwn) == 0) {
    auto own = table.routes.find(host.substr(0, host.size() - kOwnSize));
    if (own != table.routes.end() && own->second.listen_port > 0) {
      Forward f;
      f.service = own->first;
      f.route = "sandbox";
      f.connect_host = host;
      f.connect_port = own->second.listen_port;
      f.host_header = host_header;
      *out = std::move(f);
      return Status::Ok();
    }
  }
  auto it = table.routes.find(host);
  if (it == table.routes.end() && !table.main_service.empty()) {
    host = table.main_service;  // the main URL: a browser's Host names no service
    it = table.routes.find(host);
  }
  if (it == table.routes.end()) {
    return Status::NotFound("no service named \"" + host + "\" in the routes");
  }
  const RouterRoute& r = it->second;
  if (r.url.empty()) {
    return Status::Unavailable(host + " is routed to " + r.route + ", which has no URL");
  }
  UpstreamUrl u;
  Status s = ParseUpstreamUrl(r.url, &u);
  if (!s.ok()) return Status::Unavailable(host + ": the router cannot reach " + r.url);
  Forward f;
  f.service = host;
  f.route = r.route;
  f.connect_port = u.port;
  f.path_prefix = u.base_path;
  f.tls = u.scheme == "https";
  if (f.tls) {
    f.tls_name = u.host;
    // RFC 6066: no IP literal in SNI (a v6 host holds ':', a v4 one only
    // digits and dots).
    const bool ip = u.host.find(':') != std::string::npos ||
                    u.host.find_first_not_of("0123456789.") == std::string::npos;
    if (!ip) f.tls_sni = u.host;
  }
  if (r.route == "sandbox") {
    // The sandbox's own container: its second alias (the first is the
    // router's), and the app sees the Host it was called by.
    f.connect_host = host + ".local";
    f.host_header = host_header;
  } else {
    f.connect_host = u.host;
    const bool v6 = u.host.find(':') != std::string::npos;
    const int default_port = f.tls ? 443 : 80;
    f.host_header = (v6 ? "[" + u.host + "]" : u.host) +
                    (u.port == default_port ? "" : ":" + std::to_string(u.port));
  }
  *out = std::move(f);
  return Status::Ok();
}

std::string Forward::PoolKey() const {
  return std::string(tls ? "https://" : "http://") + connect_host + ":" +
         std::to_string(connect_port);
}

std::set<int> ListenPorts(const RouterTable& table) {
  std::set<int> ports;
  for (const auto& [service, r] : table.routes) {
    if (r.listen_port > 0) ports.insert(r.listen_port);
  }
  return ports;
}

Status RouterTables::Load(const std::string& bytes) {
  RouterTable t;
  Status s = ParseRouterTable(bytes, &t);
  if (!s.ok()) {
    return Status::InvalidArgument(
        s.message() + (loaded_ ? "; keeping table " + current_.version : "; no table yet"));
  }
  current_ = std::move(t);
  loaded_ = true;
  return Status::Ok();
}

}  // namespace sandbot
