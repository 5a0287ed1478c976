// Environments: secrets sealed at rest, the resolution rule, key rotation
// (and its crash recovery), the /env commands' answers and audit rows, and
// what a container receives (bot/secret_files.h).
#define BOOST_TEST_DYN_LINK
#include "store/environments.h"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bot/secret_files.h"
#include "handlers/dispatch.h"
#include "store/audit.h"
#include "store/jobs.h"
#include "store/repos.h"
#include "store/sandboxes.h"
#include "tests/unit/test_util.h"

using namespace sandbot;
namespace fs = std::filesystem;

namespace {

const char kToken[] = "tok-8c1f0e6b9a77d2";

std::string RawValue(Db* db, const std::string& env, const std::string& key) {
  Stmt st(db,
          "SELECT n.value FROM env_entries n JOIN environments e ON e.id = n.env_id "
          "WHERE e.name = ? AND n.key = ?");
  st.Bind(1, env).Bind(2, key);
  return st.Step() ? st.Text(0) : "<none>";
}

// Everything the store holds, as text: no secret may appear in it.
std::string DumpStore(Db* db) {
  std::string all;
  // Every table the env code writes, as text.
  const char* queries[] = {
      "SELECT group_concat(name || created_by, '|') FROM environments",
      "SELECT group_concat(key || kind || value, '|') FROM env_entries",
      ("SELECT group_concat(actor || action || sandbox || repo || branch || status || detail, '|') "
       "FROM audit"),
      "SELECT group_concat(kind || sandbox || service || detail, '|') FROM jobs",
  };
  for (const char* q : queries) {
    Stmt st(db, q);
    if (st.Step()) all += st.Text(0) + "\n";
  }
  return all;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int Mode(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 0777) : -1;
}

struct EnvFixture {
  TestStore t;
  std::unique_ptr<SecretKeys> keys;
  std::map<std::string, std::string> baselines = {{"payment", "https://payment-dev.example.com"}};
  HandlerContext ctx;
  Sandbox qa;
  EnvFixture() {
    bool created = false;
    std::vector<std::string> warnings;
    BOOST_REQUIRE(SecretKeys::Load(t.dir.path(), t.db.get(), &keys, &created, &warnings).ok());
    BOOST_REQUIRE(created);
    ctx.db = t.db.get();
    ctx.baselines = &baselines;
    ctx.secrets = keys.get();
    for (const char* name : {"web", "api"}) {
      Repo r;
      r.name = name;
      r.path = std::string("/nonexistent/") + name + ".git";
      BOOST_REQUIRE(AddRepo(t.db.get(), r).ok());
    }
    qa.name = "secqa";
    qa.created_by = "ana";
    BOOST_REQUIRE(CreateSandbox(t.db.get(), &qa).ok());
  }
  Db* db() { return t.db.get(); }
  Status Run(const std::string& family, const std::string& text, Reply* reply,
             const std::string& payload = "", Role role = Role::kAdmin) {
    Request req;
    req.user_id = "U1";
    req.user_name = "ana";
    req.source = payload.empty() ? "slack" : "cli";
    req.channel = "slack:C1";
    req.role = role;
    Status s = ParseCommand(family, text, &req.command);
    if (!s.ok()) return s;
    req.command.payload = payload;
    return HandleCommand(ctx, req, reply);
  }
  // A service row that looks deployed (image and commit set).
  void Deployed(const std::string& service) {
    Service svc;
    svc.name = service;
    svc.repo = service;
    svc.branch = "main";
    BOOST_REQUIRE(UpsertService(db(), qa.id, &svc).ok());
    BOOST_REQUIRE(SetServiceDeployed(db(), svc.id, std::string(40, 'a'), "sandbot/" + service,
                                     "cid", "http://127.0.0.1:9001")
                      .ok());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(environments)

BOOST_AUTO_TEST_CASE(secrets_are_sealed_at_rest_and_bound_to_their_row) {
  EnvFixture f;
  BOOST_REQUIRE(CreateEnvironment(f.db(), "secqa", "ana").ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "secqa", "GREETING", "var", "hello", false).ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "secqa", "API_TOKEN", "secret", kToken, false).ok());
  BOOST_REQUIRE(
      SetEnvEntry(f.db(), *f.keys, "secqa", "/etc/app/key.pem", "secret_file", kToken, false).ok());
  BOOST_CHECK_EQUAL(RawValue(f.db(), "secqa", "GREETING"), "hello");
  for (const char* key : {"API_TOKEN", "/etc/app/key.pem"}) {
    const std::string raw = RawValue(f.db(), "secqa", key);
    BOOST_CHECK_EQUAL(raw.rfind("v1:", 0), 0u);
    BOOST_CHECK(raw.find(kToken) == std::string::npos);
  }
  BOOST_CHECK(DumpStore(f.db()).find(kToken) == std::string::npos);
  // A ciphertext copied to another key does not open there.
  {
    Stmt st(f.db(), "UPDATE env_entries SET value = ? WHERE key = 'GREETING'");
    st.Bind(1, RawValue(f.db(), "secqa", "API_TOKEN"));
    BOOST_REQUIRE(st.Run().ok());
    Stmt kind(f.db(), "UPDATE env_entries SET kind = 'secret' WHERE key = 'GREETING'");
    BOOST_REQUIRE(kind.Run().ok());
  }
  bool already = false;
  BOOST_REQUIRE(AttachEnvironment(f.db(), "secqa", f.qa.id, "", "ana", &already).ok());
  ResolvedEnv env;
  Status s = ResolveEnvironment(f.db(), *f.keys, "secqa", "web", &env);
  BOOST_CHECK(s.code() == Status::Code::kInternal);
  BOOST_CHECK(s.message().find("GREETING") != std::string::npos);
  BOOST_CHECK(s.message().find(kToken) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(limits_and_names) {
  EnvFixture f;
  BOOST_REQUIRE(CreateEnvironment(f.db(), "secqa", "ana").ok());
  BOOST_CHECK(CreateEnvironment(f.db(), "secqa", "ana").IsConflict());
  Status s = SetEnvEntry(f.db(), *f.keys, "secqa", "BIG", "secret",
                         std::string(kMaxEnvValueBytes + 1, 'x'), false);
  BOOST_CHECK(s.IsInvalidArgument());
  BOOST_CHECK(s.message().find("64 KB") != std::string::npos);
  BOOST_CHECK(
      SetEnvEntry(f.db(), *f.keys, "secqa", "OK", "var", std::string(kMaxEnvValueBytes, 'x'), false)
          .ok());
  s = SetEnvEntry(f.db(), *f.keys, "secqa", "/etc/big", "file",
                  std::string(kMaxEnvFileBytes + 1, 'x'), false);
  BOOST_CHECK(s.message().find("1024 KB") != std::string::npos);
  BOOST_CHECK(SetEnvEntry(f.db(), *f.keys, "nope", "A", "var", "x", false).IsNotFound());
  BOOST_CHECK(UnsetEnvEntry(f.db(), "secqa", "MISSING").IsNotFound());
}

BOOST_AUTO_TEST_CASE(service_attachments_beat_sandbox_ones_and_later_beats_earlier) {
  EnvFixture f;
  for (const char* env : {"sec-base", "sec-more", "sec-web"}) {
    BOOST_REQUIRE(CreateEnvironment(f.db(), env, "ana").ok());
  }
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-base", "LEVEL", "var", "base", false).ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-base", "ONLY_BASE", "var", "1", false).ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-more", "LEVEL", "var", "more", false).ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-web", "LEVEL", "secret", "web-s", true).ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-web", "PLAIN", "secret", "p", false).ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-web", "/etc/a.conf", "file", "a=1", false).ok());
  bool already = false;
  BOOST_REQUIRE(AttachEnvironment(f.db(), "sec-base", f.qa.id, "", "ana", &already).ok());
  {  // attached later than sec-base, same level
    Stmt st(f.db(), "UPDATE env_attachments SET attached_at = attached_at - 1000");
    BOOST_REQUIRE(st.Run().ok());
  }
  BOOST_REQUIRE(AttachEnvironment(f.db(), "sec-more", f.qa.id, "", "ana", &already).ok());
  BOOST_REQUIRE(AttachEnvironment(f.db(), "sec-web", f.qa.id, "web", "ana", &already).ok());
  BOOST_REQUIRE(AttachEnvironment(f.db(), "sec-web", f.qa.id, "web", "ana", &already).ok());
  BOOST_CHECK(already);

  ResolvedEnv api;
  BOOST_REQUIRE(ResolveEnvironment(f.db(), *f.keys, "secqa", "api", &api).ok());
  BOOST_CHECK((api.env == std::vector<std::string>{"LEVEL=more", "ONLY_BASE=1"}));
  BOOST_CHECK(api.secrets.empty() && api.files.empty());
  BOOST_CHECK((api.sources == std::vector<std::string>{"sec-base", "sec-more"}));

  ResolvedEnv web;
  BOOST_REQUIRE(ResolveEnvironment(f.db(), *f.keys, "secqa", "web", &web).ok());
  // The service's secret (with --env) replaces the sandbox-wide variable.
  BOOST_CHECK((web.env == std::vector<std::string>{"LEVEL=web-s", "ONLY_BASE=1"}));
  BOOST_REQUIRE_EQUAL(web.secrets.size(), 2u);
  BOOST_CHECK_EQUAL(web.secrets[0].first, "LEVEL");
  BOOST_CHECK_EQUAL(web.secrets[1].first, "PLAIN");
  BOOST_CHECK_EQUAL(web.secrets[1].second, "p");
  BOOST_REQUIRE_EQUAL(web.files.size(), 1u);
  BOOST_CHECK_EQUAL(web.files[0].path, "/etc/a.conf");
  BOOST_CHECK(!web.files[0].secret);

  BOOST_CHECK(DetachEnvironment(f.db(), "sec-web", f.qa.id, "").IsNotFound());
  BOOST_REQUIRE(DetachEnvironment(f.db(), "sec-web", f.qa.id, "web").ok());
  BOOST_REQUIRE(ResolveEnvironment(f.db(), *f.keys, "secqa", "web", &web).ok());
  BOOST_CHECK(web.secrets.empty());
  // Deleting is refused while attached, and says how to detach.
  Status s = DeleteEnvironment(f.db(), "sec-base");
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(s.message().find("/env detach sec-base secqa") != std::string::npos);
  BOOST_REQUIRE(DetachEnvironment(f.db(), "sec-base", f.qa.id, "").ok());
  BOOST_REQUIRE(DeleteEnvironment(f.db(), "sec-base").ok());
  Stmt left(f.db(), "SELECT count(*) FROM env_entries WHERE key = 'ONLY_BASE'");
  BOOST_REQUIRE(left.Step());
  BOOST_CHECK_EQUAL(left.Int(0), 0);
}

BOOST_AUTO_TEST_CASE(rotation_reencrypts_everything_and_the_old_key_stops_opening) {
  EnvFixture f;
  const std::string path = SecretKeys::KeyPath(f.t.dir.path());
  BOOST_CHECK_EQUAL(Mode(path), 0600);
  const std::string old_key = ReadFile(path);
  SecretBox old_box = SecretBox::FromKey(old_key);
  BOOST_REQUIRE(CreateEnvironment(f.db(), "sec-a", "ana").ok());
  BOOST_REQUIRE(CreateEnvironment(f.db(), "sec-b", "ana").ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-a", "T1", "secret", "one", false).ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-b", "T2", "secret", "two", true).ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-b", "/etc/f", "secret_file", "three", 0).ok());
  BOOST_REQUIRE(SetEnvEntry(f.db(), *f.keys, "sec-b", "V", "var", "plain", false).ok());
  const std::string before = RawValue(f.db(), "sec-a", "T1");

  Reply reply;
  BOOST_REQUIRE(f.Run("env", "rotate-key", &reply).ok());
  BOOST_CHECK(reply.view.text.find("3 secrets re-encrypted") != std::string::npos);
  BOOST_CHECK(!fs::exists(path + ".new"));
  BOOST_CHECK_EQUAL(Mode(path), 0600);
  const std::string new_key = ReadFile(path);
  BOOST_CHECK_EQUAL(new_key.size(), 32u);
  BOOST_CHECK(new_key != old_key);
  BOOST_CHECK(RawValue(f.db(), "sec-a", "T1") != before);
  BOOST_CHECK_EQUAL(RawValue(f.db(), "sec-b", "V"), "plain");

  bool any = false, opens = false;
  BOOST_REQUIRE(ProbeSealed(f.db(), old_box, &any, &opens).ok());
  BOOST_CHECK(any);
  BOOST_CHECK(!opens);
  BOOST_REQUIRE(ProbeSealed(f.db(), SecretBox::FromKey(new_key), &any, &opens).ok());
  BOOST_CHECK(opens);
  // The running daemon's keys switched: it seals and opens with the new one.
  std::string plain;
  BOOST_REQUIRE(f.keys->current()
                    ->Open(RawValue(f.db(), "sec-b", "/etc/f"), "env/sec-b//etc/f", &plain)
                    .ok());
  BOOST_CHECK_EQUAL(plain, "three");
  // The audit row says what happened, once.
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.db(), "", 0, &rows).ok());
  BOOST_REQUIRE(!rows.empty());
  BOOST_CHECK_EQUAL(rows[0].action, "env.rotate-key");
  BOOST_CHECK_EQUAL(rows[0].detail, "3 secrets re-encrypted");
  // A deployer-only (non-admin) caller is refused.
  Reply refused;
  BOOST_CHECK(f.Run("env", "rotate-key", &refused, "", Role::kDeployer).code() ==
              Status::Code::kForbidden);
}

BOOST_AUTO_TEST_CASE(a_crash_between_commit_and_rename_is_finished_at_start) {
  TestStore t;
  const std::string path = SecretKeys::KeyPath(t.dir.path());
  std::unique_ptr<SecretKeys> keys;
  bool created = false;
  std::vector<std::string> warnings;
  BOOST_REQUIRE(SecretKeys::Load(t.dir.path(), t.db.get(), &keys, &created, &warnings).ok());
  BOOST_REQUIRE(CreateEnvironment(t.db.get(), "sec-a", "ana").ok());
  BOOST_REQUIRE(SetEnvEntry(t.db.get(), *keys, "sec-a", "T", "secret", kToken, false).ok());
  const std::string old_key = ReadFile(path);

  // Steps 1 and 2 of a rotation, then the "crash": no rename.
  std::string raw;
  BOOST_REQUIRE(SecretBox::GenerateKey(&raw).ok());
  BOOST_REQUIRE(SecretBox::WriteKeyFile(path + ".new", raw).ok());
  {
    Transaction tx(t.db.get());
    int n = 0;
    BOOST_REQUIRE(ResealAll(t.db.get(), *keys->current(), SecretBox::FromKey(raw), &n).ok());
    BOOST_CHECK_EQUAL(n, 1);
    BOOST_REQUIRE(tx.Commit().ok());
  }
  warnings.clear();
  BOOST_REQUIRE(SecretKeys::Load(t.dir.path(), t.db.get(), &keys, &created, &warnings).ok());
  BOOST_CHECK(!created);
  BOOST_REQUIRE_EQUAL(warnings.size(), 1u);
  BOOST_CHECK(warnings[0].find("finished an interrupted key rotation") != std::string::npos);
  BOOST_CHECK(!fs::exists(path + ".new"));
  BOOST_CHECK(ReadFile(path) == raw);
  BOOST_CHECK_EQUAL(Mode(path), 0600);
  std::string plain;
  BOOST_REQUIRE(keys->Open(RawValue(t.db.get(), "sec-a", "T"), "env/sec-a/T", &plain).ok());
  BOOST_CHECK_EQUAL(plain, kToken);

  // A crash after step 1 only: the new key is discarded.
  std::string other;
  BOOST_REQUIRE(SecretBox::GenerateKey(&other).ok());
  BOOST_REQUIRE(SecretBox::WriteKeyFile(path + ".new", other).ok());
  warnings.clear();
  BOOST_REQUIRE(SecretKeys::Load(t.dir.path(), t.db.get(), &keys, &created, &warnings).ok());
  BOOST_REQUIRE_EQUAL(warnings.size(), 1u);
  BOOST_CHECK(warnings[0].find("discarded") != std::string::npos);
  BOOST_CHECK(!fs::exists(path + ".new"));
  BOOST_CHECK(ReadFile(path) == raw);
  BOOST_REQUIRE(keys->Open(RawValue(t.db.get(), "sec-a", "T"), "env/sec-a/T", &plain).ok());

  // A key file that does not open the store is reported, not fatal.
  BOOST_REQUIRE(SecretBox::WriteKeyFile(path, old_key).ok());
  warnings.clear();
  BOOST_REQUIRE(SecretKeys::Load(t.dir.path(), t.db.get(), &keys, &created, &warnings).ok());
  BOOST_REQUIRE_EQUAL(warnings.size(), 1u);
  BOOST_CHECK(warnings[0].find("does not open the secrets") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(commands_never_show_or_audit_a_secret) {
  EnvFixture f;
  Reply r;
  BOOST_REQUIRE(f.Run("env", "create secqa", &r).ok());
  Reply set;
  BOOST_REQUIRE(
      f.Run("env", std::string("set secqa API_TOKEN=") + kToken + " --secret", &set).ok());
  BOOST_CHECK(set.view.title.find("API_TOKEN") != std::string::npos);
  BOOST_CHECK(set.view.text.find("/env attach secqa") != std::string::npos);
  Reply var;
  BOOST_REQUIRE(f.Run("env", "set secqa GREETING=hello world", &var).ok());
  // A forgotten --secret does not turn a secret into plain text.
  Reply plain;
  Status kept = f.Run("env", "set secqa API_TOKEN=oops", &plain);
  BOOST_CHECK(kept.IsInvalidArgument());
  BOOST_CHECK(kept.message().find("API_TOKEN is a secret") != std::string::npos);
  BOOST_CHECK(kept.message().find("oops") == std::string::npos);
  Reply file;
  BOOST_REQUIRE(f.Run("env", "set-file secqa /etc/app/app.conf --secret", &file, kToken).ok());
  Reply chat_file;
  Status s = f.Run("env", "set-file secqa /etc/app/other.conf", &chat_file);
  BOOST_CHECK(s.IsInvalidArgument());
  BOOST_CHECK(s.message().find("sandbot env set-file secqa /etc/app/other.conf < FILE") !=
              std::string::npos);

  Reply show;
  BOOST_REQUIRE(f.Run("env", "show secqa", &show).ok());
  BOOST_CHECK(show.view.text.find("API_TOKEN=•••• (secret: /run/secrets/API_TOKEN)") !=
              std::string::npos);
  BOOST_CHECK(show.view.text.find("GREETING=hello world") != std::string::npos);
  const std::string size = std::to_string(sizeof(kToken) - 1);
  BOOST_CHECK(show.view.text.find("/etc/app/app.conf (secret file, " + size + " bytes) ••••") !=
              std::string::npos);
  BOOST_CHECK(show.view.text.find("attached to: nothing yet") != std::string::npos);

  // Errors of `env set` never repeat the words (they may be the secret).
  Command cmd;
  s = ParseCommand("env", std::string("set secqa ") + kToken + " --secret", &cmd);
  BOOST_CHECK(s.IsInvalidArgument());
  BOOST_CHECK(s.message().find(kToken) == std::string::npos);
  s = ParseCommand("env", std::string("set secqa 9") + kToken + "=x", &cmd);
  BOOST_CHECK(s.message().find(kToken) == std::string::npos);

  // Audit rows name keys, never values.
  std::vector<AuditRow> rows;
  BOOST_REQUIRE(ListAudit(f.db(), "", 0, &rows).ok());
  bool found = false;
  for (const AuditRow& row : rows) {
    if (row.action == "env.set" && row.detail == "secqa: API_TOKEN (secret)") found = true;
  }
  BOOST_CHECK(found);
  const std::string store = DumpStore(f.db());
  BOOST_CHECK(store.find(kToken) == std::string::npos);
  BOOST_CHECK(store.find("secqa: /etc/app/app.conf (secret file") != std::string::npos);

  // Text for a log or an audit row of a command that did not parse.
  BOOST_CHECK_EQUAL(RedactCommandText("/env", std::string("set secqa A=") + kToken + " x --secret"),
                    "set ••••");
  BOOST_CHECK_EQUAL(RedactCommandText("env", std::string("sett secqa ") + kToken), "•••• ••••");
  BOOST_CHECK_EQUAL(RedactCommandText("env", "SET"), "set");
  BOOST_CHECK_EQUAL(RedactCommandText("env", "attach secqa qa web"), "attach secqa qa web");
  BOOST_CHECK_EQUAL(RedactCommandText("sandbox", "create a=b"), "create a=b");
}

// Issue 16 item 10: whatever separates the words (each separator the parser
// accepts, and the ones it might), whatever is forgotten or mistyped, an
// `env set` value never reaches the audit, the answer or the log.
BOOST_AUTO_TEST_CASE(env_set_values_never_reach_the_audit_the_answer_or_the_log) {
  EnvFixture f;
  Reply created;
  BOOST_REQUIRE(f.Run("env", "create secqa", &created).ok());
  f.Deployed("web");
  Reply attached;
  BOOST_REQUIRE(f.Run("env", "attach secqa secqa", &attached).ok());
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  spdlog::set_level(spdlog::level::trace);
  // Separators the parser accepts, then ones it does not (zero-width
  // space, word joiner, BOM, a lone continuation byte).
  const std::vector<std::string> accepted = {" ",
                                             "\t",
                                             "\v",
                                             "\f",
                                             "\r",
                                             "\n",
                                             "  \t ",
                                             "\xc2\xa0",
                                             "\xc2\x85",
                                             "\xe1\x9a\x80",
                                             "\xe2\x80\x80",
                                             "\xe2\x80\x82",
                                             "\xe2\x80\x87",
                                             "\xe2\x80\x8a",
                                             "\xe2\x80\xa8",
                                             "\xe2\x80\xa9",
                                             "\xe2\x80\xaf",
                                             "\xe2\x81\x9f",
                                             "\xe3\x80\x80",
                                             " \xc2\xa0\v"};
  std::vector<std::string> others = {"\xe2\x80\x8b", "\xe2\x81\xa0", "\xef\xbb\xbf",
                                     "\x80",         "\x1c",         "\x1f"};
  others.push_back(std::string(1, '\0'));
  std::vector<std::string> values;
  std::string answers;
  int n = 0;
  auto try_all = [&](const std::string& sep, bool parses) {
    const std::string value = "Vq" + std::to_string(n++) + "xSECRETx";
    values.push_back(value);
    const std::vector<std::string> texts = {
        "set" + sep + "secqa" + sep + "API_KEY=" + value + sep + "--secret",  // well formed
        "set" + sep + "secqa" + sep + "PLAIN=" + value,                       // a variable
        "set" + sep + "API_KEY=" + value + sep + "--secret",                  // NAME forgotten
        "set" + sep + "API_KEY=" + value,
        "set" + sep + value,
        "set" + sep + "secqa" + sep + "9KEY=" + value,                         // a bad key
        "set" + sep + "secqa" + sep + value,                                   // no '='
        "set" + sep + "secqa" + sep + "A=x" + sep + value + sep + "--secret",  // a second word
        "set" + sep + "nosuch" + sep + "API_KEY=" + value,  // an unknown environment
        "set" + sep + "secqa" + sep + "GREETING=" + value + sep + "--env",  // --env, no --secret
        "sett" + sep + "secqa" + sep + "API_KEY=" + value,                  // a mistyped verb
        "set" + value,                                                      // no separator at all
        sep + "set" + sep + "secqa" + sep + "API_KEY=" + value + sep,
    };
    for (const std::string& text : texts) {
      Command cmd;
      Status s = ParseCommand("/env", text, &cmd);
      std::string answer = s.message();
      if (s.ok()) {
        Reply reply;
        s = f.Run("env", text, &reply);
        answer = s.ok() ? reply.view.title + "\n" + reply.view.text : s.message();
      }
      answers += answer + "\n";
      // As a chat door records a command that did not parse.
      const std::string audited = "/env " + RedactCommandText("/env", text) + ": " + s.message();
      BOOST_CHECK_MESSAGE(audited.find(value) == std::string::npos, audited);
      BOOST_CHECK_MESSAGE(answer.find(value) == std::string::npos, answer);
    }
    // The well-formed command means what it says under every separator the
    // parser accepts: redaction and parsing split the same words.
    Command cmd;
    Status s = ParseCommand(
        "env", "set" + sep + "secqa" + sep + "API_KEY=" + value + sep + "--secret", &cmd);
    BOOST_CHECK_EQUAL(s.ok(), parses);
    if (parses) {
      BOOST_CHECK_EQUAL(cmd.key, "API_KEY");
      BOOST_CHECK_EQUAL(cmd.value, value);
      BOOST_CHECK(cmd.secret);
    }
  };
  for (const std::string& sep : accepted) try_all(sep, true);
  for (const std::string& sep : others) try_all(sep, false);
  spdlog::set_default_logger(previous);
  Stmt st(f.db(), "SELECT group_concat(action || ' ' || status || ' ' || detail, '\n') FROM audit");
  const std::string audit = st.Step() ? st.Text(0) : "";
  const std::string logged = log.str();
  for (const std::string& value : values) {
    BOOST_CHECK_MESSAGE(audit.find(value) == std::string::npos, value + " in the audit");
    BOOST_CHECK_MESSAGE(logged.find(value) == std::string::npos, value + " in the log");
    BOOST_CHECK_MESSAGE(answers.find(value) == std::string::npos, value + " in an answer");
  }
  // The refusals were recorded, and the secret is set (sealed).
  BOOST_CHECK(audit.find("env.set failed") != std::string::npos);
  BOOST_CHECK(RawValue(f.db(), "secqa", "API_KEY").rfind("v1:", 0) == 0);
}

BOOST_AUTO_TEST_CASE(attach_and_changes_apply_at_once_where_something_runs) {
  EnvFixture f;
  Reply r;
  BOOST_REQUIRE(f.Run("env", "create secqa", &r).ok());
  Reply missing;
  Status s = f.Run("env", "attach secqa secqb", &missing);
  BOOST_CHECK(s.IsNotFound());
  BOOST_CHECK(s.message().find("Did you mean 'secqa'?") != std::string::npos);
  s = f.Run("env", "attach secqa secqa wbe", &missing);
  BOOST_CHECK(s.message().find("Did you mean 'web'?") != std::string::npos);
  s = f.Run("env", "attach secqx secqa", &missing);
  BOOST_CHECK(s.message().find("Did you mean 'secqa'?") != std::string::npos);

  // Nothing deployed yet: no job, applies at the next deploy.
  Reply attach;
  BOOST_REQUIRE(f.Run("env", "attach secqa secqa", &attach).ok());
  BOOST_CHECK(attach.jobs.empty());
  BOOST_CHECK(attach.view.text.find("applies at the next deploy of secqa") != std::string::npos);

  f.Deployed("web");
  Reply set;
  BOOST_REQUIRE(f.Run("env", "set secqa A=1", &set).ok());
  BOOST_REQUIRE_EQUAL(set.jobs.size(), 1u);
  Job job;
  BOOST_REQUIRE(GetJob(f.db(), set.jobs[0], &job).ok());
  BOOST_CHECK_EQUAL(JobKindName(job.kind), "reroute");
  BOOST_CHECK_EQUAL(job.sandbox, "secqa");
  BOOST_CHECK(set.view.text.find("applying now to secqa (job " + std::to_string(job.id) + ")") !=
              std::string::npos);

  Reply list;
  BOOST_REQUIRE(f.Run("env", "list", &list).ok());
  BOOST_CHECK(list.view.text.find("secqa: 1 variables, 0 secrets, 0 files; attached to secqa "
                                  "(every service)") != std::string::npos);

  Reply del;
  s = f.Run("env", "delete secqa", &del);
  BOOST_CHECK(s.IsConflict());
  BOOST_CHECK(s.message().find("`/env detach secqa secqa`") != std::string::npos);
  Reply detach;
  BOOST_REQUIRE(f.Run("env", "detach secqa secqa", &detach).ok());
  BOOST_CHECK_EQUAL(detach.jobs.size(), 1u);
  s = f.Run("env", "detach secqa secqa web", &detach);
  BOOST_CHECK(s.IsNotFound());
  BOOST_REQUIRE(f.Run("env", "delete secqa", &del).ok());
}

BOOST_AUTO_TEST_CASE(containers_get_files_not_variables_for_secrets) {
  ScratchDir data;
  ResolvedEnv env;
  env.env = {"GREETING=hello", "ALSO=as-env", "PORT=1"};
  env.secrets = {{"API_TOKEN", kToken}, {"ALSO", "as-env"}};
  env.files = {{"/etc/app/app.conf", "cfg\n", false}, {"/etc/app/key.pem", "pem", true}};
  env.sources = {"secqa"};
  ContainerSpec spec;
  spec.env = {"SANDBOT_SANDBOX=qa", "PORT=8080"};
  std::string summary;
  BOOST_REQUIRE(InjectEnvironment(data.path(), "qa", "web", env, &spec, &summary).ok());
  BOOST_CHECK((spec.env == std::vector<std::string>{"SANDBOT_SANDBOX=qa", "PORT=8080",
                                                    "GREETING=hello", "ALSO=as-env"}));
  for (const std::string& kv : spec.env) BOOST_CHECK(kv.find(kToken) == std::string::npos);
  BOOST_CHECK(summary.find(kToken) == std::string::npos);
  BOOST_CHECK(summary.find("ignored PORT (set by sandbot)") != std::string::npos);
  const std::string dir = SecretsDir(data.path(), "qa", "web");
  BOOST_REQUIRE_EQUAL(spec.binds.size(), 4u);
  BOOST_CHECK_EQUAL(spec.binds[0], dir + "/run/API_TOKEN:/run/secrets/API_TOKEN:ro");
  BOOST_CHECK_EQUAL(spec.binds[2], dir + "/files/0-app.conf:/etc/app/app.conf:ro");
  BOOST_CHECK_EQUAL(ReadFile(dir + "/run/API_TOKEN"), kToken);
  BOOST_CHECK_EQUAL(ReadFile(dir + "/files/1-key.pem"), "pem");
  BOOST_CHECK_EQUAL(Mode(dir + "/run/API_TOKEN"), 0444);
  BOOST_CHECK_EQUAL(Mode(data.path() + "/secrets"), 0700);
  BOOST_CHECK_EQUAL(Mode(data.path() + "/secrets/qa"), 0700);
  BOOST_CHECK_EQUAL(Mode(dir), 0700);

  // A redeploy without the secret leaves no file behind; destroy removes all.
  env.secrets.pop_back();
  env.secrets.pop_back();
  ContainerSpec again;
  BOOST_REQUIRE(InjectEnvironment(data.path(), "qa", "web", env, &again, &summary).ok());
  BOOST_CHECK(!fs::exists(dir + "/run/API_TOKEN"));
  RemoveSandboxFiles(data.path(), "qa");
  BOOST_CHECK(!fs::exists(data.path() + "/secrets/qa"));
  BOOST_CHECK(fs::exists(data.path() + "/secrets"));
}

BOOST_AUTO_TEST_SUITE_END()
