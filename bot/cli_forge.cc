#include "bot/cli_forge.h"

#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "bot/cli_util.h"
#include "bot/local_caller.h"
#include "handlers/forge_pr.h"
#include "store/audit.h"
#include "store/forges.h"

namespace sandbot {

namespace {

// --token-env VAR | --token-file PATH → "env:VAR" | "file:/abs/path".
std::string RefOf(const std::string& env, const std::string& file) {
  if (!env.empty()) return "env:" + env;
  if (!file.empty()) return "file:" + Absolute(file);
  return "";
}

void Audit(Db* db, const std::string& action, const std::string& name, const Status& s,
           const std::string& detail) {
  AuditRow row{};
  row.actor = CliCaller(getuid()).Actor();
  row.source = "cli";
  row.action = action;
  row.status = s.ok() ? "succeeded" : "failed";
  row.detail = name + (s.ok() ? detail : ": " + s.message());
  AppendAudit(db, row);
}

}  // namespace

void ForgeCli::Add(CLI::App* app) {
  auto* forge = app->add_subcommand("forge",
                                    "Forges (GitHub, Gitea/Forgejo, GitLab) pull requests "
                                    "come from");
  forge->require_subcommand(1);
  add_ = forge->add_subcommand("add", "Register a forge; its webhook is POST /forges/NAME/webhook");
  add_->add_option("name", name_, "Forge name (a-z0-9-)")->required();
  add_->add_option("--kind", kind_, "github | gitea (Forgejo too) | gitlab")->required();
  add_->add_option("--api-url", api_url_,
                   "https://api.github.com, https://HOST/api/v1 (Gitea), "
                   "https://HOST/api/v4 (GitLab)")
      ->required();
  auto* te = add_->add_option("--token-env", token_env_,
                              "Environment variable of the daemon holding the API token "
                              "(without a token nothing is posted back and only commenters "
                              "granted a role as forge:NAME/LOGIN may give comment commands)");
  auto* tf = add_->add_option("--token-file", token_file_, "File holding the API token");
  te->excludes(tf);
  auto* se = add_->add_option("--secret-env", secret_env_,
                              "Environment variable of the daemon holding the webhook secret");
  auto* sf = add_->add_option("--secret-file", secret_file_, "File holding the webhook secret");
  se->excludes(sf);
  list_ = forge->add_subcommand("list", "List forges and their repos");
  list_->add_flag("--json", json_, "JSON output");
  remove_ = forge->add_subcommand("remove", "Remove a forge that no repo uses");
  remove_->add_option("name", name_)->required();
}

int ForgeCli::Run(const Config& config) const {
  if (!add_->parsed() && !list_->parsed() && !remove_->parsed()) return -1;
  std::unique_ptr<Db> db;
  Status s = OpenStore(config.data_dir, &db);
  if (!s.ok()) return Fail(s);
  if (add_->parsed()) {
    Forge f;
    f.name = name_;
    f.kind = kind_;
    f.api_url = api_url_;
    f.token_ref = RefOf(token_env_, token_file_);
    f.secret_ref = RefOf(secret_env_, secret_file_);
    f.created_by = CliCaller(getuid()).Actor();
    s = ValidateForge(f);
    if (s.ok()) s = AddForge(db.get(), f);
    Audit(db.get(), "forge.add", f.name, s, " (" + f.kind + " " + f.api_url + ")");
    if (!s.ok()) return Fail(s);
    std::cout << "forge " << f.name << " (" << f.kind << ") added; point its webhook at "
              << "http://HOST:PORT/forges/" << f.name << "/webhook (content type JSON, the "
              << "secret in " << f.secret_ref << ")\n";
    return 0;
  }
  if (remove_->parsed()) {
    s = RemoveForge(db.get(), name_);
    Audit(db.get(), "forge.remove", name_, s, "");
    if (!s.ok()) return Fail(s);
    std::cout << "forge " << name_ << " removed\n";
    return 0;
  }
  std::vector<Forge> forges;
  std::vector<ForgeRepo> repos;
  s = ListForges(db.get(), &forges);
  if (s.ok()) s = ListForgeRepos(db.get(), &repos);
  if (!s.ok()) return Fail(s);
  nlohmann::json out = nlohmann::json::array();
  for (const Forge& f : forges) {
    nlohmann::json rs = nlohmann::json::array();
    for (const ForgeRepo& r : repos) {
      if (r.forge != f.name) continue;
      rs.push_back({{"repo", r.repo},
                    {"forge_repo", r.forge_repo},
                    {"clone_url", r.clone_url},
                    {"previews", r.previews},
                    {"template", r.template_name},
                    {"engine", r.engine}});
    }
    // References only: where the token and secret are read from.
    out.push_back({{"name", f.name},
                   {"kind", f.kind},
                   {"api_url", f.api_url},
                   {"token", f.token_ref},
                   {"secret", f.secret_ref},
                   {"webhook", "/forges/" + f.name + "/webhook"},
                   {"repos", rs}});
  }
  if (json_) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  if (forges.empty()) std::cout << "no forges (sandbot forge add NAME --kind github ...)\n";
  for (const auto& f : out) {
    std::cout << f["name"].get<std::string>() << "  " << f["kind"].get<std::string>() << "  "
              << f["api_url"].get<std::string>() << "  webhook " << f["webhook"].get<std::string>()
              << "\n";
    for (const auto& r : f["repos"]) {
      std::cout << "  " << r["forge_repo"].get<std::string>() << " -> repo "
                << r["repo"].get<std::string>() << "  previews " << r["previews"].get<std::string>()
                << (r["engine"].get<std::string>().empty()
                        ? ""
                        : "  engine " + r["engine"].get<std::string>())
                << "\n";
    }
  }
  return 0;
}

}  // namespace sandbot
