#define BOOST_TEST_DYN_LINK
#include "handlers/router_table.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "handlers/routes.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(router_table)

BOOST_AUTO_TEST_CASE(upstream_urls) {
  const struct {
    std::string url;
    bool ok;
    std::string host;
    int port;
    std::string base;
    std::string scheme = "http";
  } cases[] = {
      {"http://payment:8080", true, "payment", 8080, ""},
      {"http://Payment:8080/", true, "payment", 8080, ""},
      {"HTTP://127.0.0.1:9000/base/", true, "127.0.0.1", 9000, "/base"},
      {"http://example.com", true, "example.com", 80, ""},
      {"http://[::1]:81/x", true, "::1", 81, "/x"},
      {"https://example.com", true, "example.com", 443, "", "https"},
      {"HTTPS://Example.com:8443/api/", true, "example.com", 8443, "/api", "https"},
      {"https://user@example.com", false, "", 0, ""},
      {"httpss://example.com", false, "", 0, ""},
      {"ftp://example.com", false, "", 0, ""},
      {"http://user:pw@example.com", false, "", 0, ""},
      {"http://example.com:0", false, "", 0, ""},
      {"http://example.com:70000", false, "", 0, ""},
      {"http://example.com:8x", false, "", 0, ""},
      {"http://", false, "", 0, ""},
      {"http://ex ample.com", false, "", 0, ""},
      {"http://example.com/a?b=c", false, "", 0, ""},
      {"http://example.com/a b", false, "", 0, ""},
      {"http://a:b:c", false, "", 0, ""},
  };
  for (const auto& c : cases) {
    UpstreamUrl u;
    Status s = ParseUpstreamUrl(c.url, &u);
    BOOST_CHECK_MESSAGE(s.ok() == c.ok, c.url + ": " + s.message());
    if (!s.ok() || !c.ok) continue;
    BOOST_CHECK_EQUAL(u.host, c.host);
    BOOST_CHECK_EQUAL(u.port, c.port);
    BOOST_CHECK_EQUAL(u.base_path, c.base);
    BOOST_CHECK_EQUAL(u.scheme, c.scheme);
  }
}

BOOST_AUTO_TEST_CASE(host_without_port) {
  const std::pair<std::string, std::string> cases[] = {
      {"payment", "payment"},
      {"payment:8080", "payment"},
      {"Payment:8080", "payment"},
      {"payment.", "payment"},
      {" payment ", "payment"},
      {"[::1]:80", "::1"},
      {"[::1", ""},
      {"", ""},
      {"payment.local:80", "payment.local"},
  };
  for (const auto& [in, want] : cases) BOOST_CHECK_EQUAL(HostWithoutPort(in), want);
}

BOOST_AUTO_TEST_CASE(parse_tables) {
  const struct {
    std::string json;
    bool ok;
  } cases[] = {
      {R"({})", true},
      {R"({"api": {"route": "sandbox", "url": "http://api:8080"}})", true},
      {R"({"api": {"route": "baseline", "url": ""}})", true},
      {R"({"api": {"route": "baseline"}})", true},
      {R"({"api": {"route": "https://x.example", "url": "https://x.example"}})", true},
      {R"({"api": {"route": "sandbox", "url": "http://api:8080", "port": 9000}})", true},
      {R"(not json)", false},
      {R"([])", false},
      {R"({"api": "sandbox"})", false},
      {R"({"api": {"url": "http://api:8080"}})", false},
      {R"({"api": {"route": 1}})", false},
      {R"({"api": {"route": "sandbox", "url": 5}})", false},
      {R"({"Bad_Name": {"route": "sandbox", "url": "http://x:1"}})", false},
      {R"({"api": {"route": "sandbox", "url": "http://api:8080", "port": 0}})", false},
      {R"({"api": {"route": "sandbox", "url": "http://api:8080", "port": "80"}})", false},
      {R"({"api": {"route": "x", "url": "gopher://x"}})", false},
      {R"({"api": {"route": "baseline", "url": "https://u:p@x.example"}})", false},
      {R"({"api": {"route": "sandbox", "url": "http://api:80", "main": true}})", true},
      {R"({"api": {"route": "sandbox", "url": "http://api:80", "main": 1}})", false},
      {R"({"a": {"route": "sandbox", "main": true}, "b": {"route": "sandbox", "main": true}})",
       false},
      {R"({"api": {"route": "sandbox", "url": "http://api:8080"})", false},
  };
  for (const auto& c : cases) {
    RouterTable t;
    Status s = ParseRouterTable(c.json, &t);
    BOOST_CHECK_MESSAGE(s.ok() == c.ok, c.json + ": " + s.message());
  }
}

BOOST_AUTO_TEST_CASE(forwarding_decisions) {
  RouterTable t;
  BOOST_REQUIRE(ParseRouterTable(R"({
    "payment": {"route": "sandbox", "url": "http://payment:8080"},
    "web": {"route": "baseline", "url": "http://127.0.0.1:9000/base"},
    "api": {"route": "http://api.example.com", "url": "http://api.example.com"},
    "ledger": {"route": "baseline", "url": ""},
    "secure": {"route": "baseline", "url": "https://secure.example"},
    "odd": {"route": "https://10.0.0.7:8443/v2", "url": "https://10.0.0.7:8443/v2"},
    "six": {"route": "https://[fd00::1]", "url": "https://[fd00::1]"}
  })",
                                 &t)
                    .ok());
  const struct {
    std::string host;
    bool ok;
    std::string connect_host;
    int port;
    std::string host_header, prefix, route;
    bool tls = false;
    std::string tls_name = "", sni = "";
  } cases[] = {
      {"payment:8080", true, "payment.local", 8080, "payment:8080", "", "sandbox"},
      {"payment", true, "payment.local", 8080, "payment", "", "sandbox"},
      {"PAYMENT:8080", true, "payment.local", 8080, "PAYMENT:8080", "", "sandbox"},
      {"web:8080", true, "127.0.0.1", 9000, "127.0.0.1:9000", "/base", "baseline"},
      {"api", true, "api.example.com", 80, "api.example.com", "", "http://api.example.com"},
      {"ledger", false, "", 0, "", "", ""},
      // TLS: SNI and the certificate's name are the URL's host; an IP is
      // checked as an IP and sent as no SNI; Host drops the default port.
      {"secure", true, "secure.example", 443, "secure.example", "", "baseline", true,
       "secure.example", "secure.example"},
      {"odd", true, "10.0.0.7", 8443, "10.0.0.7:8443", "/v2", "https://10.0.0.7:8443/v2", true,
       "10.0.0.7", ""},
      {"six", true, "fd00::1", 443, "[fd00::1]", "", "https://[fd00::1]", true, "fd00::1", ""},
      {"unknown:8080", false, "", 0, "", "", ""},
      {"", false, "", 0, "", "", ""},
  };
  for (const auto& c : cases) {
    Forward f;
    Status s = DecideForward(t, c.host, &f);
    BOOST_CHECK_MESSAGE(s.ok() == c.ok, c.host + ": " + s.message());
    if (!s.ok() || !c.ok) continue;
    BOOST_CHECK_EQUAL(f.connect_host, c.connect_host);
    BOOST_CHECK_EQUAL(f.connect_port, c.port);
    BOOST_CHECK_EQUAL(f.host_header, c.host_header);
    BOOST_CHECK_EQUAL(f.path_prefix, c.prefix);
    BOOST_CHECK_EQUAL(f.route, c.route);
    BOOST_CHECK_EQUAL(f.tls, c.tls);
    BOOST_CHECK_EQUAL(f.tls_name, c.tls_name);
    BOOST_CHECK_EQUAL(f.tls_sni, c.sni);
  }
  Forward f;
  // Plain and TLS connections to one host and port never share the pool.
  Forward plain, tls;
  plain.connect_host = tls.connect_host = "x";
  plain.connect_port = tls.connect_port = 443;
  tls.tls = true;
  BOOST_CHECK_NE(plain.PoolKey(), tls.PoolKey());
  BOOST_CHECK(DecideForward(t, "unknown", &f).IsNotFound());
  BOOST_CHECK(DecideForward(t, "ledger", &f).IsUnavailable());
}

// The main URL (the gateway through the router): a Host that names no
// service goes to the "main" service; a named one still goes by its name.
BOOST_AUTO_TEST_CASE(main_service_takes_unnamed_hosts) {
  RouterTable t;
  BOOST_REQUIRE(ParseRouterTable(R"({
    "web": {"route": "sandbox", "url": "http://web:8080", "port": 8080, "main": true},
    "api": {"route": "baseline", "url": "https://api-dev.example.com"}
  })",
                                 &t)
                    .ok());
  BOOST_CHECK_EQUAL(t.main_service, "web");
  Forward f;
  BOOST_REQUIRE(DecideForward(t, "127.0.0.1:8091", &f).ok());
  BOOST_CHECK_EQUAL(f.service, "web");
  BOOST_CHECK_EQUAL(f.connect_host, "web.local");
  BOOST_CHECK_EQUAL(f.host_header, "127.0.0.1:8091");  // the browser's Host, kept
  BOOST_REQUIRE(DecideForward(t, "api", &f).ok());
  BOOST_CHECK_EQUAL(f.service, "api");
  // Routed elsewhere, the main URL follows.
  BOOST_REQUIRE(ParseRouterTable(R"({
    "web": {"route": "baseline", "url": "http://10.0.0.9:81", "port": 8080, "main": true}
  })",
                                 &t)
                    .ok());
  BOOST_REQUIRE(DecideForward(t, "qa.example:8091", &f).ok());
  BOOST_CHECK_EQUAL(f.connect_host, "10.0.0.9");
  BOOST_CHECK_EQUAL(f.host_header, "10.0.0.9:81");
  // Without a main service, an unknown name is still NotFound.
  BOOST_REQUIRE(
      ParseRouterTable(R"({"web": {"route": "sandbox", "url": "http://web:8080"}})", &t).ok());
  BOOST_CHECK(DecideForward(t, "127.0.0.1:8091", &f).IsNotFound());
}

BOOST_AUTO_TEST_CASE(listen_ports) {
  RouterTable t;
  BOOST_REQUIRE(ParseRouterTable(R"({
    "a": {"route": "sandbox", "url": "http://a:8080"},
    "b": {"route": "baseline", "url": "http://10.0.0.1:9000"},
    "c": {"route": "baseline", "url": "http://10.0.0.1:9000", "port": 3000},
    "d": {"route": "sandbox", "url": "http://d:8080"}
  })",
                                 &t)
                    .ok());
  BOOST_CHECK((ListenPorts(t) == std::set<int>{3000, 8080}));
}

BOOST_AUTO_TEST_CASE(bad_table_keeps_last_good) {
  RouterTables tables;
  BOOST_CHECK(!tables.loaded());
  Status first = tables.Load("{");
  BOOST_CHECK(!first.ok());
  BOOST_CHECK(first.message().find("no table yet") != std::string::npos);
  const std::string good = R"({"a": {"route": "sandbox", "url": "http://a:8080"}})";
  BOOST_REQUIRE(tables.Load(good).ok());
  BOOST_CHECK_EQUAL(tables.current().version, RouterTableVersion(good));
  Status bad = tables.Load(R"({"a": {"route": 3}})");
  BOOST_CHECK(!bad.ok());
  BOOST_CHECK(bad.message().find("keeping table " + RouterTableVersion(good)) != std::string::npos);
  BOOST_CHECK_EQUAL(tables.current().version, RouterTableVersion(good));
  BOOST_CHECK_EQUAL(tables.current().routes.count("a"), 1u);
}

BOOST_AUTO_TEST_CASE(versions_follow_bytes) {
  // FNV-1a 64, as a test or a script can compute it too.
  BOOST_CHECK_EQUAL(RouterTableVersion(""), "cbf29ce484222325");
  BOOST_CHECK_EQUAL(RouterTableVersion("a"), "af63dc4c8601ec8c");
  BOOST_CHECK_EQUAL(RouterTableVersion("{}"), RouterTableVersion("{}"));
  BOOST_CHECK_NE(RouterTableVersion("{}"), RouterTableVersion("{} "));
}

// The daemon's table (handlers/routes.h) is the router's: through a router,
// {SERVICE}_URL stays http://{service}:{port} for every HTTP service
// whatever its route, the router listens on that port and forwards by the
// route; a service without a health path (a database) keeps its direct URL.
BOOST_AUTO_TEST_CASE(daemon_table_through_the_router) {
  Sandbox sb;
  sb.name = "qa";
  Service web, db;
  web.name = "web";
  db.name = "db";
  sb.services = {web, db};
  Repo web_repo, db_repo, api_repo;
  web_repo.name = "web";
  web_repo.port = 8080;
  db_repo.name = "db";
  db_repo.port = 5432;
  db_repo.health = "";
  api_repo.name = "api";
  api_repo.port = 3000;
  const std::map<std::string, std::string> baselines = {
      {"api", "http://api-dev.example.com"}, {"payment", "https://payment-dev.example.com"}};
  const struct {
    std::map<std::string, std::string> routes;
    std::string host, connect_host;
    int connect_port;
  } cases[] = {
      {{}, "web:8080", "web.local", 8080},
      {{}, "api:3000", "api-dev.example.com", 80},
      {{{"web", "http://10.0.0.5:9000"}}, "web:8080", "10.0.0.5", 9000},
      {{{"api", "http://10.0.0.6:81/v1"}}, "api", "10.0.0.6", 81},
  };
  for (const auto& c : cases) {
    std::vector<RouteEntry> routes =
        ResolveRoutes(sb, c.routes, baselines, {web_repo, db_repo, api_repo});
    RouteThroughRouter(sb, {web_repo, db_repo, api_repo}, &routes);
    std::vector<std::string> env = RouteEnv(routes);
    std::set<std::string> got(env.begin(), env.end());
    const std::set<std::string> want = {"API_URL=http://api:3000", "DB_URL=http://db:5432",
                                        "PAYMENT_URL=http://payment:8080",
                                        "WEB_URL=http://web:8080"};
    BOOST_CHECK(got == want);
    // web is the gateway whose main URL the router publishes.
    for (RouteEntry& r : routes) r.main = r.service == "web";
    RouterTable t;
    BOOST_REQUIRE(ParseRouterTable(RoutesJson(routes), &t).ok());
    BOOST_CHECK((ListenPorts(t) == std::set<int>{3000, 5432, 8080}));
    BOOST_CHECK_EQUAL(t.main_service, "web");
    Forward f;
    BOOST_REQUIRE_MESSAGE(DecideForward(t, c.host, &f).ok(), c.host);
    BOOST_CHECK_EQUAL(f.connect_host, c.connect_host);
    BOOST_CHECK_EQUAL(f.connect_port, c.connect_port);
    // An https baseline is reached over TLS, verified as its host.
    BOOST_REQUIRE(DecideForward(t, "payment", &f).ok());
    BOOST_CHECK(f.tls);
    BOOST_CHECK_EQUAL(f.connect_host, "payment-dev.example.com");
    BOOST_CHECK_EQUAL(f.connect_port, 443);
    BOOST_CHECK_EQUAL(f.tls_sni, "payment-dev.example.com");
  }
  BOOST_CHECK((ServiceAliases("web", true) == std::vector<std::string>{"web.local"}));
  BOOST_CHECK((ServiceAliases("db", false) == std::vector<std::string>{"db", "db.local"}));
}

// "{service}.local" reaches the service's own container on its port
// whatever its route: how the daemon checks a gateway routed elsewhere.
BOOST_AUTO_TEST_CASE(own_container_by_its_local_name) {
  RouterTable t;
  BOOST_REQUIRE(
      ParseRouterTable(R"({"web": {"route": "baseline", "url": "https://web-dev.example.com",
                                             "port": 8080, "main": true},
                                     "db": {"route": "sandbox", "url": "http://db:5432"}})",
                       &t)
          .ok());
  Forward f;
  BOOST_REQUIRE(DecideForward(t, "web.local:8091", &f).ok());
  BOOST_CHECK_EQUAL(f.connect_host, "web.local");
  BOOST_CHECK_EQUAL(f.connect_port, 8080);
  BOOST_CHECK_EQUAL(f.route, "sandbox");
  BOOST_CHECK(!f.tls);
  BOOST_CHECK_EQUAL(f.host_header, "web.local:8091");
  // By its name, the route; an unknown .local name is the main service's.
  BOOST_REQUIRE(DecideForward(t, "web", &f).ok());
  BOOST_CHECK_EQUAL(f.connect_host, "web-dev.example.com");
  BOOST_REQUIRE(DecideForward(t, "other.local", &f).ok());
  BOOST_CHECK_EQUAL(f.connect_host, "web-dev.example.com");
}

// A compose file's services (repo shop, services db and web) are not held:
// the file says ports, not protocols, and a client of db:5432 must reach
// the database itself, not a router that speaks HTTP only.
BOOST_AUTO_TEST_CASE(compose_services_keep_their_names) {
  Sandbox sb;
  sb.name = "cart";
  Service db, web, api;
  db.name = "db";
  db.repo = "shop";
  web.name = "web";
  web.repo = "shop";
  api.name = "api";
  api.repo = "api";
  sb.services = {db, web, api};
  Repo shop, api_repo;
  shop.name = "shop";
  api_repo.name = "api";
  api_repo.port = 3000;
  std::vector<RouteEntry> routes = ResolveRoutes(sb, {}, {}, {shop, api_repo});
  RouteThroughRouter(sb, {shop, api_repo}, &routes);
  std::map<std::string, int> held;
  for (const RouteEntry& r : routes) held[r.service] = r.router_port;
  BOOST_CHECK_EQUAL(held["db"], 0);
  BOOST_CHECK_EQUAL(held["web"], 0);
  BOOST_CHECK_EQUAL(held["api"], 3000);
  BOOST_CHECK_EQUAL(held["shop"], 8080);  // a repo with a health path, deployed elsewhere
}

BOOST_AUTO_TEST_SUITE_END()
