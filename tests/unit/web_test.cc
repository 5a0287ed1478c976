// The dashboard's decisions: sign-in links (signature, expiry, once),
// sessions (cookie, expiry, revocation), CSRF tokens, the session cookie's
// header, HTML escaping and the command an action form stands for.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "bot/web_server.h"
#include "bot/web_session.h"
#include "handlers/dispatch.h"
#include "store/audit.h"
#include "store/secret_box.h"
#include "store/secret_keys.h"
#include "store/web_links.h"
#include "store/web_sessions.h"
#include "templates/escape.h"
#include "templates/qr_svg.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

SecretBox Box(char fill) { return SecretBox::FromKey(std::string(32, fill)); }

constexpr int64_t kNow = 1800000000;

}  // namespace

BOOST_AUTO_TEST_SUITE(web)

BOOST_AUTO_TEST_CASE(a_link_signs_in_its_identity_until_it_expires) {
  std::string token;
  BOOST_REQUIRE(MintWebLink(Box('k'), "slack:T1/U2", "ana", kNow, &token).ok());
  WebLinkClaims c;
  BOOST_REQUIRE(VerifyWebLink(Box('k'), token, kNow + 599, &c).ok());
  BOOST_CHECK_EQUAL(c.identity, "slack:T1/U2");
  BOOST_CHECK_EQUAL(c.name, "ana");
  BOOST_CHECK_EQUAL(c.expires, kNow + 600);
  Status late = VerifyWebLink(Box('k'), token, kNow + 600, &c);
  BOOST_CHECK(late.code() == Status::Code::kForbidden);
  BOOST_CHECK(late.message().find("expired") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_link_of_another_key_or_changed_is_refused) {
  std::string token;
  BOOST_REQUIRE(MintWebLink(Box('k'), "slack:T1/U2", "ana", kNow, &token).ok());
  WebLinkClaims c;
  BOOST_CHECK(!VerifyWebLink(Box('x'), token, kNow, &c).ok());
  // Another identity in the payload, the signature kept.
  std::string forged = token;
  const size_t at = forged.find("736c61636b");  // "slack" in hex
  BOOST_REQUIRE(at != std::string::npos);
  forged.replace(at, 10, "7465616d73");  // "teams"
  Status s = VerifyWebLink(Box('k'), forged, kNow, &c);
  BOOST_CHECK(s.code() == Status::Code::kForbidden);
  BOOST_CHECK(s.message().find("signature") != std::string::npos);
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "zz.zz", token + "0", token.substr(0, token.find('.'))}) {
    BOOST_CHECK_MESSAGE(!VerifyWebLink(Box('k'), bad, kNow, &c).ok(), bad);
  }
  // Only fixed identities get links.
  BOOST_CHECK(!MintWebLink(Box('k'), "alice", "alice", kNow, &token).ok());
}

BOOST_AUTO_TEST_CASE(a_link_works_once) {
  TestStore store;
  std::string token;
  BOOST_REQUIRE(MintWebLink(Box('k'), "cli:1000", "ana", kNow, &token).ok());
  WebLinkClaims c;
  BOOST_CHECK(RedeemWebLink(store.db.get(), Box('k'), token, kNow, &c).ok());
  Status again = RedeemWebLink(store.db.get(), Box('k'), token, kNow + 1, &c);
  BOOST_CHECK(again.code() == Status::Code::kForbidden);
  BOOST_CHECK(again.message().find("used already") != std::string::npos);
  // A forged link leaves nothing behind: the real one still works.
  std::string other;
  BOOST_REQUIRE(MintWebLink(Box('k'), "cli:1000", "ana", kNow, &other).ok());
  BOOST_CHECK(!RedeemWebLink(store.db.get(), Box('x'), other, kNow, &c).ok());
  BOOST_CHECK(RedeemWebLink(store.db.get(), Box('k'), other, kNow, &c).ok());
}

BOOST_AUTO_TEST_CASE(sessions_expire_and_are_revoked) {
  TestStore store;
  Db* db = store.db.get();
  std::string cookie, other_cookie;
  WebSession s, other;
  BOOST_REQUIRE(CreateWebSession(db, "cli:1000", "ana", "deployer", 1000, 5000, &cookie, &s).ok());
  BOOST_REQUIRE(
      CreateWebSession(db, "cli:1001", "bo", "viewer", 1000, 5000, &other_cookie, &other).ok());
  BOOST_CHECK_EQUAL(cookie.size(), 64u);
  BOOST_CHECK_EQUAL(s.id.size(), 16u);
  BOOST_CHECK(cookie.find(s.id) == std::string::npos);  // the id does not give the cookie away
  WebSession found;
  BOOST_REQUIRE(FindWebSession(db, cookie, 5999, &found).ok());
  BOOST_CHECK_EQUAL(found.identity, "cli:1000");
  BOOST_CHECK_EQUAL(found.role, "deployer");
  BOOST_CHECK(FindWebSession(db, cookie, 6000, &found).IsNotFound());
  BOOST_CHECK(FindWebSession(db, std::string(64, '0'), 2000, &found).IsNotFound());
  BOOST_CHECK(FindWebSession(db, "", 2000, &found).IsNotFound());
  std::vector<WebSession> list;
  BOOST_REQUIRE(ListWebSessions(db, "", 2000, &list).ok());
  BOOST_CHECK_EQUAL(list.size(), 2u);
  BOOST_REQUIRE(ListWebSessions(db, "cli:1001", 2000, &list).ok());
  BOOST_REQUIRE_EQUAL(list.size(), 1u);
  // Not another's; then its own.
  BOOST_CHECK(RevokeWebSession(db, s.id, "cli:1001", 2000).IsNotFound());
  BOOST_CHECK(RevokeWebSession(db, s.id, "cli:1000", 2000).ok());
  BOOST_CHECK(FindWebSession(db, cookie, 2001, &found).IsNotFound());
  BOOST_CHECK(RevokeWebSession(db, s.id, "", 2002).IsNotFound());
  BOOST_CHECK(FindWebSession(db, other_cookie, 2001, &found).ok());
}

BOOST_AUTO_TEST_CASE(csrf_tokens_belong_to_one_session) {
  const std::string a(64, 'a'), b(64, 'b');
  BOOST_CHECK(CsrfMatches(a, CsrfTokenFor(a)));
  BOOST_CHECK(!CsrfMatches(a, CsrfTokenFor(b)));
  BOOST_CHECK(!CsrfMatches(a, ""));
  BOOST_CHECK(!CsrfMatches(a, a));
  BOOST_CHECK_NE(CsrfTokenFor(a), a);
}

BOOST_AUTO_TEST_CASE(the_session_cookie_is_read_and_written_strictly) {
  BOOST_CHECK_EQUAL(CookieValue("sandbot_session=abc", "sandbot_session"), "abc");
  BOOST_CHECK_EQUAL(CookieValue("a=1; sandbot_session=abc; b=2", "sandbot_session"), "abc");
  BOOST_CHECK_EQUAL(CookieValue("a=1;sandbot_session=\"abc\"", "sandbot_session"), "abc");
  BOOST_CHECK_EQUAL(CookieValue("xsandbot_session=abc", "sandbot_session"), "");
  BOOST_CHECK_EQUAL(CookieValue("sandbot_session_x=abc", "sandbot_session"), "");
  BOOST_CHECK_EQUAL(CookieValue("", "sandbot_session"), "");
  BOOST_CHECK_EQUAL(CookieValue("sandbot_session", "sandbot_session"), "");
  const std::string plain = SessionCookieHeader("v", 60, false);
  BOOST_CHECK(plain.find("HttpOnly") != std::string::npos);
  BOOST_CHECK(plain.find("SameSite=Strict") != std::string::npos);
  BOOST_CHECK(plain.find("Secure") == std::string::npos);
  BOOST_CHECK(SessionCookieHeader("v", 60, true).find("; Secure") != std::string::npos);
  Config config;
  config.listen = "127.0.0.1:9";
  BOOST_CHECK_EQUAL(DashboardUrl(config), "http://127.0.0.1:9");
  config.public_url = "https://sandbot.example.com/";
  BOOST_CHECK_EQUAL(DashboardUrl(config), "https://sandbot.example.com");
}

BOOST_AUTO_TEST_CASE(html_escape_leaves_no_markup) {
  BOOST_CHECK_EQUAL(HtmlEscape("feature/<script>alert('x')</script>&\""),
                    "feature/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
  BOOST_CHECK_EQUAL(HtmlEscape("plain-branch_1.2"), "plain-branch_1.2");
}

BOOST_AUTO_TEST_CASE(an_action_is_a_command_of_the_grammar) {
  std::string family, text;
  std::map<std::string, std::string> form{
      {"op", "route"}, {"service", "web"}, {"target", "baseline"}};
  BOOST_REQUIRE(ActionCommand("qa", form, "", &family, &text).ok());
  BOOST_CHECK_EQUAL(family, "route");
  BOOST_CHECK_EQUAL(text, "web baseline in qa");
  form = {{"op", "redeploy"}, {"service", "web"}};
  BOOST_REQUIRE(ActionCommand("qa", form, "feature/x", &family, &text).ok());
  BOOST_CHECK_EQUAL(family + " " + text, "deploy web feature/x to qa");
  form = {{"op", "lock"}, {"reason", "testing login"}};
  BOOST_REQUIRE(ActionCommand("qa", form, "", &family, &text).ok());
  BOOST_CHECK_EQUAL(text, "lock qa testing login");
  for (const char* op : {"unlock", "suspend", "resume", "destroy"}) {
    form = {{"op", op}};
    BOOST_REQUIRE(ActionCommand("qa", form, "", &family, &text).ok());
    BOOST_CHECK_EQUAL(family + " " + text, std::string("sandbox ") + op + " qa");
  }
  // A field cannot add words: "baseline in other" would name another sandbox.
  form = {{"op", "route"}, {"service", "web"}, {"target", "baseline in other"}};
  BOOST_CHECK(!ActionCommand("qa", form, "", &family, &text).ok());
  form = {{"op", "create"}};
  BOOST_CHECK(!ActionCommand("qa", form, "", &family, &text).ok());
  form = {{"op", "redeploy"}, {"service", "nope"}};
  BOOST_CHECK(!ActionCommand("qa", form, "", &family, &text).ok());
}

BOOST_AUTO_TEST_CASE(the_qr_code_is_an_svg_path) {
  const std::string svg = QrSvg("http://127.0.0.1:8080/");
  BOOST_CHECK(svg.rfind("<svg", 0) == 0);
  BOOST_CHECK(svg.find("<path") != std::string::npos);
  BOOST_CHECK(svg.find("<script") == std::string::npos);
  BOOST_CHECK_EQUAL(QrSvg(""), "");
}

BOOST_AUTO_TEST_CASE(sandbox_web_answers_the_caller_alone_with_a_link_it_does_not_audit) {
  TestStore store;
  SecretKeys keys(Box('k'));
  HandlerContext ctx{store.db.get(), nullptr, nullptr};
  ctx.secrets = &keys;
  ctx.web_url = "https://sandbot.example.com";
  Request req;
  req.user_id = "slack:T1/U2";
  req.user_name = "ana";
  req.source = "slack";
  req.role = Role::kViewer;
  BOOST_REQUIRE(ParseCommand("sandbox", "web", &req.command).ok());
  Reply reply;
  BOOST_REQUIRE(HandleCommand(ctx, req, &reply).ok());
  const std::string prefix = "https://sandbot.example.com/ui/login?t=";
  const size_t at = reply.view.text.find(prefix);
  BOOST_REQUIRE(at != std::string::npos);
  const std::string token = reply.view.text.substr(at + prefix.size());
  WebLinkClaims c;
  BOOST_REQUIRE(RedeemWebLink(store.db.get(), Box('k'), token, std::time(nullptr), &c).ok());
  BOOST_CHECK_EQUAL(c.identity, "slack:T1/U2");
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(store.db.get(), "", 10, &rows).ok());
  BOOST_REQUIRE_EQUAL(rows.size(), 1u);
  BOOST_CHECK_EQUAL(rows[0].action, "sandbox.web");
  BOOST_CHECK(rows[0].detail.find(token.substr(0, 16)) == std::string::npos);
  // Without a dashboard to link to, no link.
  ctx.web_url.clear();
  BOOST_CHECK(!HandleCommand(ctx, req, &reply).ok());
}

BOOST_AUTO_TEST_CASE(a_commit_links_to_its_forge) {
  const std::string sha = "0123456789abcdef0123456789abcdef01234567";
  BOOST_CHECK_EQUAL(ForgeCommitUrl("github", "https://api.github.com", "acme/web", sha),
                    "https://github.com/acme/web/commit/" + sha);
  BOOST_CHECK_EQUAL(ForgeCommitUrl("github", "https://ghe.example.com/api/v3/", "acme/web", sha),
                    "https://ghe.example.com/acme/web/commit/" + sha);
  BOOST_CHECK_EQUAL(ForgeCommitUrl("gitea", "http://127.0.0.1:3000/api/v1", "acme/web", sha),
                    "http://127.0.0.1:3000/acme/web/commit/" + sha);
  BOOST_CHECK_EQUAL(ForgeCommitUrl("gitlab", "https://gitlab.example.com/api/v4", "g/sub/web", sha),
                    "https://gitlab.example.com/g/sub/web/-/commit/" + sha);
  BOOST_CHECK_EQUAL(ForgeCommitUrl("github", "javascript:alert(1)//", "acme/web", sha), "");
  BOOST_CHECK_EQUAL(ForgeCommitUrl("github", "https://api.github.com", "acme/web", "main"), "");
  BOOST_CHECK_EQUAL(ForgeCommitUrl("github", "https://api.github.com", "a\"b", sha), "");
  BOOST_CHECK_EQUAL(ForgeCommitUrl("svn", "https://x.example.com", "acme/web", sha), "");
}

BOOST_AUTO_TEST_CASE(an_sse_event_has_one_data_line_per_line) {
  BOOST_CHECK_EQUAL(SseEvent(7, "", "web building abc"), "id: 7\ndata: web building abc\n\n");
  BOOST_CHECK_EQUAL(SseEvent(0, "end", "succeeded"), "event: end\ndata: succeeded\n\n");
  // A log tail's lines cannot end the event early or forge a field.
  BOOST_CHECK_EQUAL(SseEvent(8, "", "a\r\n\nid: 99\nb"),
                    "id: 8\ndata: a\ndata: \ndata: id: 99\ndata: b\n\n");
}

BOOST_AUTO_TEST_CASE(a_job_log_splits_into_steps_and_output_with_their_end_offsets) {
  std::vector<JobLogLine> lines;
  const std::string data = "== web building abc\nStep 1/2 : FROM x\r\ntick 1\nhalf a li";
  const size_t used = SplitJobLog(data, 100, &lines);
  BOOST_REQUIRE_EQUAL(lines.size(), 3u);
  BOOST_CHECK(lines[0].step);
  BOOST_CHECK_EQUAL(lines[0].text, "web building abc");
  BOOST_CHECK_EQUAL(lines[0].end, 100 + 20);
  BOOST_CHECK(!lines[1].step);
  BOOST_CHECK_EQUAL(lines[1].text, "Step 1/2 : FROM x");
  BOOST_CHECK_EQUAL(lines[2].text, "tick 1");
  // The line still being written waits for its newline.
  BOOST_CHECK_EQUAL(used, data.size() - std::string("half a li").size());
  BOOST_CHECK_EQUAL(lines[2].end, 100 + static_cast<int64_t>(used));
  lines.clear();
  BOOST_CHECK_EQUAL(SplitJobLog("no newline yet", 0, &lines), 0u);
  BOOST_CHECK(lines.empty());
}

BOOST_AUTO_TEST_SUITE_END()
