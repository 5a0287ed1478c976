// Templates: the JSON format (round trip, strict import), the update merge,
// the create-from-template plan, and the /template and /sandbox create
// handlers over a real store and real git repositories.
#define BOOST_TEST_DYN_LINK
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "handlers/dispatch.h"
#include "handlers/template_codec.h"
#include "handlers/template_merge.h"
#include "store/audit.h"
#include "store/engines.h"
#include "store/repos.h"
#include "store/routes.h"
#include "store/templates.h"
#include "templates/render.h"
#include "tests/unit/test_util.h"

using namespace sandbot;

namespace {

Template QaDefault() {
  Template t;
  t.name = "QA-DEFAULT";
  t.gateway = "web";
  t.services["web"] = {"develop", "", {}};
  t.services["payment"] = {"", "baseline", {}};
  t.services["user"] = {"", "http://127.0.0.1:9000", {}};
  return t;
}

std::string Canon(const Template& t) {
  std::string out = t.name + " gw=" + t.gateway;
  for (const auto& [service, e] : t.services) {
    out += " " + service + (e.branch.empty() ? "=" + e.route : "@" + e.branch);
  }
  return out;
}

std::string Canon(const ServicePairs& pairs) {
  std::string out;
  for (const auto& [a, b] : pairs) out += (out.empty() ? "" : " ") + a + ":" + b;
  return out;
}

// A git repository with commits on main and feature/x.
std::string MakeGitRepo(const std::string& dir) {
  const std::string git = "git -c user.name=t -c user.email=t@example.com -C '" + dir + "' ";
  const std::string script = "git init -q -b main '" + dir + "' && " + git +
                             "commit -q --allow-empty -m one && " + git + "branch feature/x && " +
                             git + "rev-parse main";
  FILE* p = popen(script.c_str(), "r");
  BOOST_REQUIRE(p);
  char buf[128] = {0};
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  int rc = pclose(p);
  BOOST_REQUIRE_MESSAGE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "git failed: " << script);
  std::string sha(buf, n);
  while (!sha.empty() && sha.back() == '\n') sha.pop_back();
  return sha;
}

struct Fixture {
  TestStore t;
  std::map<std::string, std::string> baselines = {{"api", "https://api-dev.example.com"}};
  HandlerContext ctx;
  Fixture() {
    ctx.db = t.db.get();
    ctx.baselines = &baselines;
    for (const char* name : {"web", "api"}) {
      Repo r;
      r.name = name;
      r.path = t.dir.path() + "/" + name;
      MakeGitRepo(r.path);
      BOOST_REQUIRE(AddRepo(t.db.get(), r).ok());
    }
  }
  Status Run(const std::string& family, const std::string& text, Reply* reply,
             Role role = Role::kAdmin, const std::string& payload = "") {
    Request req;
    req.user_id = "U1";
    req.user_name = "ana";
    req.source = "slack";
    req.channel = "slack:C1";
    req.role = role;
    Status s = ParseCommand(family, text, &req.command);
    if (!s.ok()) return s;
    if (!payload.empty()) req.command.payload = payload;
    return HandleCommand(ctx, req, reply);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(templates)

BOOST_AUTO_TEST_CASE(json_round_trip_in_a_fixed_order) {
  const Template t = QaDefault();
  const std::string text = TemplateJson(t);
  BOOST_CHECK_EQUAL(text,
                    "{\n"
                    "  \"sandbot_template\": 1,\n"
                    "  \"name\": \"QA-DEFAULT\",\n"
                    "  \"gateway\": \"web\",\n"
                    "  \"services\": {\n"
                    "    \"payment\": {\n"
                    "      \"route\": \"baseline\"\n"
                    "    },\n"
                    "    \"user\": {\n"
                    "      \"route\": \"http://127.0.0.1:9000\"\n"
                    "    },\n"
                    "    \"web\": {\n"
                    "      \"branch\": \"develop\"\n"
                    "    }\n"
                    "  }\n"
                    "}");
  Template back;
  BOOST_REQUIRE(ParseTemplateJson(text, &back).ok());
  BOOST_CHECK_EQUAL(Canon(back), Canon(t));
  BOOST_CHECK_EQUAL(TemplateJson(back), text);
  // No gateway, no entries: still a valid template.
  Template empty;
  empty.name = "E";
  BOOST_REQUIRE(ParseTemplateJson(TemplateJson(empty), &back).ok());
  BOOST_CHECK_EQUAL(Canon(back), "E gw=");
  // Routes are stored in canonical form.
  BOOST_REQUIRE(ParseTemplateJson(R"({"sandbot_template": 1, "name": "T", "services":
      {"api": {"route": "BASELINE"}, "u": {"route": "HTTP://x.example.com"}}})",
                                  &back)
                    .ok());
  BOOST_CHECK_EQUAL(Canon(back), "T gw= api=baseline u=http://x.example.com");
}

BOOST_AUTO_TEST_CASE(import_is_strict_and_names_the_bad_field) {
  const std::string ok_head = R"({"sandbot_template": 1, "name": "T", )";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json", "not valid JSON"},
      {"[1]", "must be an object, not an array"},
      {R"({"sandbot_template": 1, "name": "T", "services": {}, "secrets": {"K": "v"}})",
       "unknown field 'secrets'"},
      {R"({"name": "T", "services": {}})", "sandbot_template: missing"},
      {R"({"sandbot_template": 2, "name": "T", "services": {}})", "reads format 1, not 2"},
      {R"({"sandbot_template": "1", "name": "T", "services": {}})", "reads format 1"},
      {R"({"sandbot_template": 1, "services": {}})", "name: missing"},
      {R"({"sandbot_template": 1, "name": "a b", "services": {}})",
       "name: 'a b' is not a valid template name"},
      {R"({"sandbot_template": 1, "name": 7, "services": {}})",
       "name: must be a string, not a number"},
      {R"({"sandbot_template": 1, "name": "T"})", "services: missing"},
      {ok_head + R"("services": []})", "services: must be an object, not an array"},
      {ok_head + R"("services": {"Web!": {"branch": "main"}}})", "template JSON: services: "},
      {ok_head + R"("services": {"web": "main"}})", "services.web: must be an object"},
      {ok_head + R"("services": {"web": {"branch": "a\u0007b"}}})",
       "services.web.branch: branch name contains a control character"},
      {ok_head + R"("services": {"web": {"branch": 3}}})",
       "services.web.branch: must be a string, not a number"},
      {ok_head + R"("services": {"web": {"branch": "m", "route": "baseline"}}})",
       "services.web: give exactly one of"},
      {ok_head + R"("services": {"web": {}}})", "services.web: give exactly one of"},
      {ok_head + R"("services": {"web": {"branch": "m", "image": "x"}}})",
       "services.web: unknown field 'image'"},
      {ok_head + R"("services": {"api": {"route": "ftp://x"}}})", "services.api.route: "},
      {ok_head + R"("services": {"api": {"route": "sandbox"}}})",
       "services.api.route: 'sandbox' needs a branch"},
      {ok_head + R"("gateway": "api", "services": {"api": {"route": "baseline"}}})",
       "gateway: 'api' must be a service the template deploys: give services.api a \"branch\""},
      {ok_head + R"("gateway": "Bad Name", "services": {}})", "gateway: "},
      {R"({"sandbot_template": 1, "name": "T", "name": "U", "services": {}})",
       "field 'name' is given twice"},
      {std::string(70 * 1024, ' '), "larger than 64 KiB"},
  };
  for (const auto& [text, expected] : cases) {
    Template t;
    Status s = ParseTemplateJson(text, &t);
    BOOST_CHECK_MESSAGE(s.IsInvalidArgument(), text.substr(0, 80) << " was accepted");
    BOOST_CHECK_MESSAGE(s.message().find(expected) != std::string::npos,
                        text.substr(0, 80)
                            << " → " << s.message() << " (expected '" << expected << "')");
  }
}

BOOST_AUTO_TEST_CASE(update_replaces_named_entries_and_keeps_the_rest) {
  Template t = QaDefault();
  MergeTemplateUpdate({{"payment", "feature/pay"}}, {{"web", "baseline"}, {"new", "https://n.io"}},
                      "payment", &t);
  BOOST_CHECK_EQUAL(Canon(t),
                    "QA-DEFAULT gw=payment new=https://n.io payment@feature/pay user=http://"
                    "127.0.0.1:9000 web=baseline");
  BOOST_CHECK(ValidateTemplate(t).ok());
  // Without --gateway the gateway stays; routing it away makes the template invalid.
  Template u = QaDefault();
  MergeTemplateUpdate({}, {{"web", "baseline"}}, "", &u);
  BOOST_CHECK_EQUAL(u.gateway, "web");
  Status s = ValidateTemplate(u);
  BOOST_CHECK(s.IsInvalidArgument());
  BOOST_CHECK(s.message().find("add web@BRANCH") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plan_merges_template_and_command) {
  const Template t = QaDefault();
  // Overrides and extensions: user overridden to a branch loses its route.
  SandboxPlan p = PlanSandbox(&t, {{"user", "feature/u"}, {"extra", "main"}}, "");
  BOOST_CHECK_EQUAL(Canon(p.deploys), "user:feature/u web:develop extra:main");
  BOOST_CHECK_EQUAL(Canon(p.routes), "payment:baseline");
  BOOST_CHECK_EQUAL(p.gateway, "web");
  // A template branch is replaced, and --gateway wins over the template's.
  p = PlanSandbox(&t, {{"web", "feature/login"}}, "user");
  BOOST_CHECK_EQUAL(Canon(p.deploys), "web:feature/login");
  BOOST_CHECK_EQUAL(Canon(p.routes), "payment:baseline user:http://127.0.0.1:9000");
  BOOST_CHECK_EQUAL(p.gateway, "user");
  // No template: the command alone.
  p = PlanSandbox(nullptr, {{"b", "x"}, {"a", "y"}}, "a");
  BOOST_CHECK_EQUAL(Canon(p.deploys), "b:x a:y");
  BOOST_CHECK(p.routes.empty());
  BOOST_CHECK_EQUAL(p.gateway, "a");
}

BOOST_AUTO_TEST_CASE(create_update_show_list_delete) {
  Fixture f;
  Reply r;
  BOOST_REQUIRE(f.Run("template", "create QA web@main api=baseline --gateway web", &r).ok());
  BOOST_CHECK_EQUAL(r.view.title, "Template QA created");
  BOOST_CHECK(r.view.text.find("• web@main (gateway)") != std::string::npos);
  BOOST_CHECK(r.view.text.find("• api → baseline") != std::string::npos);

  Reply again;
  Status s = f.Run("template", "create QA web@main", &again);
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(s.message().find("/template update QA") != std::string::npos);

  Reply typo;
  s = f.Run("template", "create T2 wbe@main", &typo);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("Did you mean 'web'?") != std::string::npos);

  Reply upd;
  BOOST_REQUIRE(f.Run("template", "update QA api=http://127.0.0.1:9000", &upd).ok());
  Template t;
  BOOST_REQUIRE(GetTemplate(f.t.db.get(), "QA", &t).ok());
  BOOST_CHECK_EQUAL(Canon(t), "QA gw=web api=http://127.0.0.1:9000 web@main");
  BOOST_CHECK_EQUAL(t.created_by, "ana (U1)");
  s = f.Run("template", "update QA web=baseline", &upd);  // the gateway would not be deployed
  BOOST_CHECK(s.IsInvalidArgument());
  s = f.Run("template", "update QA", &upd);
  BOOST_CHECK(s.IsInvalidArgument());
  BOOST_CHECK(s.message().find("nothing to change") != std::string::npos);

  Reply show;
  BOOST_REQUIRE(f.Run("template", "show QA", &show, Role::kViewer).ok());
  BOOST_CHECK_EQUAL(show.view.title, "template QA (gateway web)");
  BOOST_CHECK(show.view.text.find("• api → http://127.0.0.1:9000") != std::string::npos);
  Reply list;
  BOOST_REQUIRE(f.Run("template", "list", &list, Role::kViewer).ok());
  BOOST_CHECK_EQUAL(list.view.title, "1 template");
  BOOST_CHECK(list.view.text.find("• QA (gateway web): api → http://127.0.0.1:9000, web@main") !=
              std::string::npos);

  Reply viewer;
  s = f.Run("template", "create V web@main", &viewer, Role::kViewer);
  BOOST_CHECK(s.IsForbidden());
  BOOST_CHECK(s.message().find("needs the admin role") != std::string::npos);

  Reply del;
  s = f.Run("template", "delete qa", &del);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("Did you mean 'QA'?") != std::string::npos);
  BOOST_REQUIRE(f.Run("template", "delete QA", &del).ok());
  BOOST_CHECK(GetTemplate(f.t.db.get(), "QA", &t).IsNotFound());
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.t.db.get(), "", 0, &rows).ok());
  bool audited = false;
  for (const AuditRow& row : rows) audited |= row.action == "template.delete";
  BOOST_CHECK(audited);
}

BOOST_AUTO_TEST_CASE(a_deploy_entry_needs_a_repo) {
  Fixture f;
  f.baselines["pay"] = "https://pay-dev.example.com";
  Reply r;
  Status s = f.Run("template", "create T pay@main", &r);
  BOOST_CHECK(s.IsInvalidArgument());
  BOOST_CHECK(s.message().find("write pay=baseline") != std::string::npos);
  BOOST_CHECK(f.Run("template", "create T pay=baseline", &r).ok());
}

BOOST_AUTO_TEST_CASE(export_is_only_the_json_and_imports_back) {
  Fixture f;
  Reply r;
  BOOST_REQUIRE(f.Run("template", "create QA web@main api=baseline --gateway web", &r).ok());
  Reply exp;
  BOOST_REQUIRE(f.Run("template", "export QA", &exp, Role::kViewer).ok());
  Template t;
  BOOST_REQUIRE(GetTemplate(f.t.db.get(), "QA", &t).ok());
  BOOST_CHECK_EQUAL(RenderText(exp.view), TemplateJson(t) + "\n");

  Reply del, imp;
  BOOST_REQUIRE(f.Run("template", "delete QA", &del).ok());
  BOOST_REQUIRE(f.Run("template", "import", &imp, Role::kAdmin, RenderText(exp.view)).ok());
  BOOST_CHECK_EQUAL(imp.view.title, "Template QA created by import");
  Template back;
  BOOST_REQUIRE(GetTemplate(f.t.db.get(), "QA", &back).ok());
  BOOST_CHECK_EQUAL(TemplateJson(back), TemplateJson(t));
  BOOST_REQUIRE(f.Run("template", "import", &imp, Role::kAdmin, TemplateJson(t)).ok());
  BOOST_CHECK_EQUAL(imp.view.title, "Template QA replaced by import");

  Status s = f.Run("template", "import", &imp, Role::kAdmin,
                   R"({"sandbot_template": 1, "name": "X", "services": {"wbe": {"branch": "m"}}})");
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("Did you mean 'web'?") != std::string::npos);
  s = f.Run("template", "import", &imp, Role::kAdmin,
            R"({"sandbot_template": 1, "name": "X", "services": {}, "env": {"K": "secret"}})");
  BOOST_CHECK(s.message().find("unknown field 'env'") != std::string::npos);
  s = f.Run("template", "import", &imp);
  BOOST_CHECK(s.message().find("nothing to import") != std::string::npos);
  BOOST_CHECK(GetTemplate(f.t.db.get(), "X", &back).IsNotFound());
  // From chat, the JSON typed after the verb.
  BOOST_REQUIRE(
      f.Run("template", R"(import {"sandbot_template": 1, "name": "Y", "services": {}})", &imp)
          .ok());
  BOOST_CHECK(GetTemplate(f.t.db.get(), "Y", &back).ok());
}

BOOST_AUTO_TEST_CASE(sandbox_from_template_with_overrides) {
  Fixture f;
  Reply r;
  BOOST_REQUIRE(f.Run("template", "create tplqa web@main api=baseline --gateway web", &r).ok());

  Reply a;
  BOOST_REQUIRE(
      f.Run("sandbox", "create tpl-a from tplqa api@feature/x", &a, Role::kDeployer).ok());
  BOOST_CHECK_EQUAL(a.jobs.size(), 2u);
  BOOST_CHECK(a.view.text.find("creating sandbox tpl-a from template tplqa:") != std::string::npos);
  BOOST_CHECK(a.view.text.find("• api@feature/x ") != std::string::npos);
  BOOST_CHECK(a.view.text.find("• web@main ") != std::string::npos);
  BOOST_CHECK(a.view.text.find(" (gateway, job ") != std::string::npos);
  BOOST_CHECK(a.view.text.find("routes: api → sandbox, web → sandbox") != std::string::npos);
  Sandbox sa;
  BOOST_REQUIRE(GetSandbox(f.t.db.get(), "tpl-a", &sa).ok());
  BOOST_CHECK_EQUAL(sa.template_name, "tplqa");
  BOOST_CHECK_EQUAL(sa.gateway, "web");
  BOOST_REQUIRE_EQUAL(sa.services.size(), 2u);
  BOOST_CHECK_EQUAL(sa.services[0].name + "@" + sa.services[0].branch, "api@feature/x");
  std::map<std::string, std::string> routes;
  BOOST_REQUIRE(GetRoutes(f.t.db.get(), sa.id, &routes).ok());
  BOOST_CHECK(routes.empty());  // api was overridden to a branch

  Reply b;
  BOOST_REQUIRE(f.Run("sandbox", "create tpl-b from tplqa", &b, Role::kDeployer).ok());
  BOOST_CHECK_EQUAL(b.jobs.size(), 1u);
  BOOST_CHECK(b.view.text.find("routes: api → baseline, web → sandbox") != std::string::npos);
  Sandbox sb;
  BOOST_REQUIRE(GetSandbox(f.t.db.get(), "tpl-b", &sb).ok());
  BOOST_REQUIRE(GetRoutes(f.t.db.get(), sb.id, &routes).ok());
  BOOST_CHECK_EQUAL(routes["api"], "baseline");

  // Everything is checked before anything is created.
  Reply c;
  BOOST_REQUIRE(f.Run("template", "update tplqa web@nope", &r).ok());
  Status s = f.Run("sandbox", "create tpl-c from tplqa", &c, Role::kDeployer);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("branch 'nope' does not exist") != std::string::npos);
  BOOST_CHECK(s.message().find("web comes from template tplqa") != std::string::npos);
  BOOST_CHECK(!SandboxExists(f.t.db.get(), "tpl-c"));
  BOOST_REQUIRE(f.Run("sandbox", "create tpl-c from tplqa web@main", &c, Role::kDeployer).ok());

  s = f.Run("sandbox", "create tpl-d from tplqaa", &c, Role::kDeployer);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("Did you mean 'tplqa'?") != std::string::npos);
  s = f.Run("sandbox", "create tpl-d web@main --gateway api", &c, Role::kDeployer);
  BOOST_CHECK(s.IsInvalidArgument());
  BOOST_CHECK(s.message().find("the gateway api is not deployed") != std::string::npos);
  BOOST_CHECK(!SandboxExists(f.t.db.get(), "tpl-d"));
}

// A template names the engine its sandboxes go to: kept in the JSON, checked
// against the daemon's engines, used by `sandbox create … from` unless the
// command's --engine says otherwise.
BOOST_AUTO_TEST_CASE(a_template_names_its_engine) {
  Fixture f;
  f.ctx.engines = {"local", "big"};
  Reply r;
  Status s = f.Run("template", "create tplbig web@main --engine nowhere", &r);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("no engine named 'nowhere'") != std::string::npos);
  BOOST_REQUIRE(f.Run("template", "create tplbig web@main --engine big", &r).ok());
  BOOST_CHECK(r.view.text.find("engine: big") != std::string::npos);
  Template t;
  BOOST_REQUIRE(GetTemplate(f.t.db.get(), "tplbig", &t).ok());
  BOOST_CHECK_EQUAL(t.engine, "big");
  // Export and import keep it; the strict reader checks its name.
  const std::string text = TemplateJson(t);
  BOOST_CHECK(text.find("\"engine\": \"big\"") != std::string::npos);
  Template back;
  BOOST_REQUIRE(ParseTemplateJson(text, &back).ok());
  BOOST_CHECK_EQUAL(back.engine, "big");
  s = ParseTemplateJson(R"({"sandbot_template": 1, "name": "T", "engine": "Big!", "services": {}})",
                        &back);
  BOOST_CHECK(s.IsInvalidArgument());
  BOOST_CHECK(s.message().find("engine") != std::string::npos);
  s = ParseTemplateJson(R"({"sandbot_template": 1, "name": "T", "engine": 3, "services": {}})",
                        &back);
  BOOST_CHECK(s.IsInvalidArgument());
  // Update changes it and keeps the entries.
  BOOST_REQUIRE(f.Run("template", "update tplbig --engine local", &r).ok());
  BOOST_REQUIRE(GetTemplate(f.t.db.get(), "tplbig", &t).ok());
  BOOST_CHECK_EQUAL(t.engine, "local");
  BOOST_CHECK_EQUAL(t.services.count("web"), 1u);
  BOOST_REQUIRE(f.Run("template", "update tplbig --engine big", &r).ok());

  // Sandboxes from it go to its engine; --engine wins over it.
  Reply a;
  BOOST_REQUIRE(f.Run("sandbox", "create eng-a from tplbig", &a, Role::kDeployer).ok());
  Sandbox sa;
  BOOST_REQUIRE(GetSandbox(f.t.db.get(), "eng-a", &sa).ok());
  BOOST_CHECK_EQUAL(sa.engine, "big");
  BOOST_REQUIRE(
      f.Run("sandbox", "create eng-b from tplbig --engine local", &a, Role::kDeployer).ok());
  BOOST_REQUIRE(GetSandbox(f.t.db.get(), "eng-b", &sa).ok());
  BOOST_CHECK_EQUAL(sa.engine, "local");
  // Without one, placement decides at the first job.
  BOOST_REQUIRE(f.Run("template", "create tplany web@main", &r).ok());
  BOOST_REQUIRE(f.Run("sandbox", "create eng-c from tplany", &a, Role::kDeployer).ok());
  BOOST_REQUIRE(GetSandbox(f.t.db.get(), "eng-c", &sa).ok());
  BOOST_CHECK_EQUAL(sa.engine, "");
  // Its engine drained: refused, saying whose engine it is.
  BOOST_REQUIRE(SetEngineDrained(f.t.db.get(), "big", true, "ana").ok());
  s = f.Run("sandbox", "create eng-d from tplbig", &a, Role::kDeployer);
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(s.message().find("the engine of template tplbig") != std::string::npos);
  BOOST_CHECK(!SandboxExists(f.t.db.get(), "eng-d"));
  BOOST_REQUIRE(
      f.Run("sandbox", "create eng-d from tplbig --engine local", &a, Role::kDeployer).ok());
}

BOOST_AUTO_TEST_SUITE_END()
