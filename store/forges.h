// Forges (GitHub, Gitea/Forgejo, GitLab), the repos whose code comes from one,
// the webhook deliveries they sent, and their pull requests (GitLab's merge
// requests are pull requests here too).
//
// A forge row holds where its token and webhook secret are read from
// ("env:VAR" or "file:/path"), never the values: the store, its backups and
// `forge list` cannot leak them.
#ifndef SANDBOT_STORE_FORGES_H_
#define SANDBOT_STORE_FORGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

struct Forge {
  std::string name;  // a DNS label: the webhook is POST /forges/{name}/webhook
  std::string kind;  // github | gitea | gitlab
  std::string api_url;
  std::string token_ref;   // "env:VAR" | "file:/path" | ""
  std::string secret_ref;  // same; a forge without one has every delivery refused
  std::string created_by;
};

struct ForgeRepo {
  std::string repo;               // the sandbot repo (and service) name
  std::string forge;              // Forge::name
  std::string forge_repo;         // "acme/web" (GitLab: the project's path with namespace)
  std::string clone_url;          // what the mirror fetches from
  std::string previews = "auto";  // auto | comment | label:NAME
  std::string template_name;      // the shape of a preview sandbox; "" = the service alone
  std::string engine;             // where previews go; "": the template's, else by room
};

struct Delivery {
  std::string forge;
  std::string delivery;  // the forge's delivery id
  std::string event;     // "pull_request.opened", "push", …
  std::string forge_repo;
  int64_t number = 0;  // the PR, when there is one
  bool verified = false;
  std::string outcome;  // accepted | ignored | refused | duplicate
  std::string reason;
  int64_t time_ms = 0;
};

struct PullRequest {
  std::string forge;
  std::string forge_repo;
  int64_t number = 0;
  std::string repo;            // the sandbot repo
  std::string head_sha;        // the newest head seen
  std::string head_ref;        // the PR's branch
  int64_t head_at = 0;         // when the forge says the head was set (seconds); orders events
  std::string state = "open";  // open | closed | merged
  bool draft = false;
  bool fork = false;
  std::string url;           // the PR's web page
  std::string sandbox;       // its preview, "" while it has none
  std::string deployed_sha;  // what the preview runs
  std::string approved_sha;  // a fork PR's head a maintainer approved
  std::string comment_id;    // the bot's comment on it
};

// Outbox destinations of forge API calls (bot/forge_poster.h sends them):
// the commit status of a sha, sandbot's one comment on a PR, a new comment.
std::string ForgeStatusKey(const std::string& forge, const std::string& repo,
                           const std::string& sha);
std::string ForgeCommentKey(const std::string& forge, const std::string& repo, int64_t number);
std::string ForgeReplyKey(const std::string& forge, const std::string& repo, int64_t number);
// A reaction on a comment of the PR (body {"comment_id","content"}) and the
// PR's deployment (body {"state","sha","environment_url","log_url"}).
std::string ForgeReactionKey(const std::string& forge, const std::string& repo, int64_t number);
std::string ForgeDeploymentKey(const std::string& forge, const std::string& repo, int64_t number);

Status AddForge(Db* db, const Forge& forge);                     // Conflict when the name is taken
Status GetForge(Db* db, const std::string& name, Forge* forge);  // NotFound
Status ListForges(Db* db, std::vector<Forge>* forges);
// NotFound; Conflict while a repo still uses it.
Status RemoveForge(Db* db, const std::string& name);

Status AddForgeRepo(Db* db, const ForgeRepo& repo);                    // Conflict
Status GetForgeRepo(Db* db, const std::string& repo, ForgeRepo* out);  // NotFound
Status FindForgeRepo(Db* db, const std::string& forge, const std::string& forge_repo,
                     ForgeRepo* out);  // NotFound
Status ListForgeRepos(Db* db, std::vector<ForgeRepo>* repos);

// Records a delivery; *first is false (and nothing is written) when this
// forge already sent one with this id.
Status RecordDelivery(Db* db, const Delivery& delivery, bool* first);
// Sets the outcome and reason of a recorded delivery.
Status SetDeliveryOutcome(Db* db, const std::string& forge, const std::string& delivery,
                          const std::string& outcome, const std::string& reason);
// The newest `limit` deliveries about one PR, newest first.
Status ListDeliveries(Db* db, const std::string& forge, const std::string& forge_repo,
                      int64_t number, int limit, std::vector<Delivery>* out);

Status GetPullRequest(Db* db, const std::string& forge, const std::string& forge_repo,
                      int64_t number, PullRequest* pr);  // NotFound
// The PR whose preview is `sandbox`; NotFound when it is no preview.
Status GetPullRequestBySandbox(Db* db, const std::string& sandbox, PullRequest* pr);
// The PRs the store thinks open that have a preview.
Status ListOpenPreviews(Db* db, std::vector<PullRequest>* prs);
// Inserts or replaces the whole row.
Status SavePullRequest(Db* db, const PullRequest& pr);
// The id of sandbot's comment on the PR.
Status SetPreviewCommentId(Db* db, const std::string& forge, const std::string& forge_repo,
                           int64_t number, const std::string& comment_id);
// The preview `sandbox` now runs `sha` (no-op when it is no preview).
Status SetPreviewDeployed(Db* db, const std::string& sandbox, const std::string& sha);

// A PR's deployment on its forge: GitHub's deployment id and the sha it is
// of, GitLab's environment id (sha ""). Empty when it has none.
struct PrDeployment {
  std::string sha;
  std::string deployment_id;
};
Status GetPrDeployment(Db* db, const std::string& forge, const std::string& forge_repo,
                       int64_t number, PrDeployment* out);  // empty fields when none
Status SetPrDeployment(Db* db, const std::string& forge, const std::string& forge_repo,
                       int64_t number, const PrDeployment& deployment);

// The forge comment whose command queued `job_id` (for its reaction).
struct JobComment {
  std::string forge;
  std::string forge_repo;
  int64_t number = 0;
  std::string comment_id;
};
Status LinkJobComment(Db* db, int64_t job_id, const JobComment& comment);
Status GetJobComment(Db* db, int64_t job_id, JobComment* out);  // NotFound

}  // namespace sandbot

#endif  // SANDBOT_STORE_FORGES_H_
