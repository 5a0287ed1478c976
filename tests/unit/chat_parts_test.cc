#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "bot/chat_server.h"
#include "bot/form.h"
#include "bot/notifier.h"
#include "handlers/routes.h"

using namespace sandbot;

BOOST_AUTO_TEST_SUITE(chat_parts)

BOOST_AUTO_TEST_CASE(form_decoding) {
  auto f = ParseForm("command=%2Fsandbox&text=create+qa%40x+web%40feature%2Fa&empty=&flag&a=1&a=2");
  BOOST_CHECK_EQUAL(f["command"], "/sandbox");
  BOOST_CHECK_EQUAL(f["text"], "create qa@x web@feature/a");
  BOOST_CHECK_EQUAL(f["empty"], "");
  BOOST_CHECK(f.count("flag"));
  BOOST_CHECK_EQUAL(f["a"], "1");
  BOOST_CHECK_EQUAL(UrlDecode("100%"), "100%");
  BOOST_CHECK_EQUAL(UrlDecode("%zz%4"), "%zz%4");
  BOOST_CHECK_EQUAL(UrlDecode("%C3%BC"), "\xC3\xBC");
  std::map<std::string, std::string> in = {{"text", "a b&c=d/é"}, {"k", ""}};
  BOOST_CHECK(ParseForm(FormEncode(in)) == in);
}

BOOST_AUTO_TEST_CASE(teams_text) {
  BOOST_CHECK_EQUAL(CleanTeamsText("<at>sandbot</at> sandbox&nbsp;create qa"), "sandbox create qa");
  BOOST_CHECK_EQUAL(CleanTeamsText("<p><at>Bot</at>&nbsp;route api &lt;x&gt;</p>\n"),
                    "route api <x>");
  BOOST_CHECK_EQUAL(CleanTeamsText("<at>unterminated"), "");
  BOOST_CHECK_EQUAL(CleanTeamsText("&amp;lt;"), "&lt;");  // decoded once, not twice
  auto [family, rest] = SplitFamily("  /deploy web feature/x to qa");
  BOOST_CHECK_EQUAL(family, "deploy");
  BOOST_CHECK_EQUAL(rest, "web feature/x to qa");
  BOOST_CHECK(SplitFamily("   ").first.empty());
  BOOST_CHECK_EQUAL(SplitFamily("help").first, "help");
}

BOOST_AUTO_TEST_CASE(url_splitting) {
  std::string origin, path;
  BOOST_REQUIRE(SplitUrl("https://hooks.slack.com/commands/T1/2/x?y=1", &origin, &path));
  BOOST_CHECK_EQUAL(origin, "https://hooks.slack.com");
  BOOST_CHECK_EQUAL(path, "/commands/T1/2/x?y=1");
  BOOST_REQUIRE(SplitUrl("http://127.0.0.1:18077", &origin, &path));
  BOOST_CHECK_EQUAL(origin, "http://127.0.0.1:18077");
  BOOST_CHECK_EQUAL(path, "/");
  for (const std::string bad : {"ftp://x/y", "hooks.slack.com/x", "https:///x", "file:///etc"}) {
    BOOST_CHECK_MESSAGE(!SplitUrl(bad, &origin, &path), bad);
  }
}

BOOST_AUTO_TEST_CASE(route_resolution) {
  Sandbox sb;
  sb.name = "qa";
  Service web;
  web.name = "web";
  sb.services.push_back(web);
  Repo web_repo, account;
  web_repo.name = "web";
  web_repo.port = 8080;
  account.name = "account";
  account.port = 3000;
  std::map<std::string, std::string> baselines = {{"payment", "https://payment-dev.example.com"},
                                                  {"account", "https://account-dev.example.com"}};
  auto routes = ResolveRoutes(sb, {}, baselines, {web_repo, account});
  std::string canon;
  for (const auto& r : routes) canon += r.service + "=" + r.route + ":" + r.target + " ";
  BOOST_CHECK_EQUAL(canon,
                    "account=baseline:https://account-dev.example.com "
                    "payment=baseline:https://payment-dev.example.com "
                    "web=sandbox:http://web:8080 ");
  routes = ResolveRoutes(sb, {{"web", "baseline"}, {"payment", "http://10.0.0.5:9000"}}, baselines,
                         {web_repo, account});
  canon.clear();
  for (const auto& r : routes) canon += r.service + "=" + r.route + ":" + r.target + " ";
  BOOST_CHECK_EQUAL(canon,
                    "account=baseline:https://account-dev.example.com "
                    "payment=http://10.0.0.5:9000:http://10.0.0.5:9000 web=baseline: ");
  auto env = RouteEnv(routes);
  BOOST_REQUIRE_EQUAL(env.size(), 2u);  // web has nowhere to point
  BOOST_CHECK_EQUAL(env[0], "ACCOUNT_URL=https://account-dev.example.com");
  BOOST_CHECK_EQUAL(RouteEnvName("payment-api"), "PAYMENT_API_URL");
  // The mounted routes.json carries every route, even one with no target.
  auto json = nlohmann::json::parse(RoutesJson(routes));
  BOOST_CHECK_EQUAL(json.size(), 3u);
  BOOST_CHECK_EQUAL(json["payment"]["url"], "http://10.0.0.5:9000");
  BOOST_CHECK_EQUAL(json["web"]["route"], "baseline");
  BOOST_CHECK_EQUAL(json["web"]["url"], "");
}

BOOST_AUTO_TEST_SUITE_END()
