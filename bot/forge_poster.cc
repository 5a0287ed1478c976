#include "bot/forge_poster.h"

#include <httplib.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "bot/forge_budget.h"
#include "bot/forge_mirror.h"
#include "bot/forge_ratelimit.h"
#include "bot/outbox_sender.h"
#include "handlers/forge_pr.h"
#include "store/forges.h"

namespace sandbot {

using nlohmann::json;

namespace {

std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// One forge's API, with the token in the header its kind expects.
class ForgeApi {
 public:
  ForgeApi(const Forge& forge, const std::string& token)
      : forge_(forge), budget_key_(forge.api_url + "\n" + token) {
    SplitUrl(forge.api_url, &origin_, &base_);
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
    if (forge.kind == "gitlab") {
      headers_ = {{"PRIVATE-TOKEN", token}};
    } else if (forge.kind == "gitea") {
      headers_ = {{"Authorization", "token " + token}};
    } else {
      headers_ = {{"Authorization", "Bearer " + token},
                  {"Accept", "application/vnd.github+json"},
                  {"X-GitHub-Api-Version", "2022-11-28"}};
    }
    headers_.emplace("User-Agent", "sandbot");
  }

  // `path` below the API URL; the answer's status and body, or a failed result.
  ForgeSendResult Call(const std::string& method, const std::string& path, const std::string& body,
                       int* status, std::string* answer) {
    ForgeBudget& budget = SharedForgeBudget();
    // GitHub counts content-creating calls per token (80 a minute); any
    // forge that asked us to wait holds back every call until then.
    const bool creates = method != "GET";
    const int64_t wait = creates && forge_.kind == "github"
                             ? budget.Take(budget_key_, NowMillis())
                             : budget.ReadWait(budget_key_, NowMillis());
    if (wait > 0) {
      ForgeSendResult r;
      r.retry = r.deferred = true;
      r.retry_after_ms = wait;
      r.error = method + " " + path + ": rate budget, waiting " + std::to_string(wait) + " ms";
      return r;
    }
    httplib::Client client(origin_);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    const std::string full = base_ + path;
    httplib::Result res =
        method == "GET"     ? client.Get(full.c_str(), headers_)
        : method == "POST"  ? client.Post(full.c_str(), headers_, body, "application/json")
        : method == "PATCH" ? client.Patch(full.c_str(), headers_, body, "application/json")
                            : client.Put(full.c_str(), headers_, body, "application/json");
    ForgeSendResult r;
    if (!res) {
      r.retry = true;
      r.error = "cannot reach " + origin_ + ": " + httplib::to_string(res.error());
      return r;
    }
    NoteForgeRateLimit(forge_.name, res->headers);  // for GET /metrics
    *status = res->status;
    *answer = res->body;
    r.ok = res->status >= 200 && res->status < 300;
    // GitHub's and Gitea's x-ratelimit-*, GitLab's RateLimit-* (bot/forge_ratelimit.h).
    const RateLimitReading limit = ReadRateLimit(res->headers);
    const bool exhausted = limit.exhausted();
    // Until the reset, when the quota is spent.
    const int64_t reset_ms = limit.WaitMillis(static_cast<int64_t>(std::time(nullptr)));
    if (r.ok) {
      // The last call of the quota: the next ones wait for its reset.
      if (reset_ms > 0) budget.PauseUntil(budget_key_, NowMillis() + reset_ms);
      return r;
    }
    r.error = method + " " + path + ": HTTP " + std::to_string(res->status) + " " +
              res->body.substr(0, 200);
    // Rate limits: 429, or a 403 with the remaining count 0 (GitHub's
    // primary limit) or with Retry-After (its secondary one).
    const bool limited =
        res->status == 429 || (res->status == 403 && (exhausted || res->has_header("Retry-After")));
    r.retry = limited || res->status >= 500;
    if (res->has_header("Retry-After")) {
      r.retry_after_ms = RetryAfterMillis(res->get_header_value("Retry-After"));
    } else if (limited) {
      r.retry_after_ms = reset_ms;
    }
    if (limited) {
      // Not the message's fault: it waits (at least a second) without
      // spending an attempt, and so does every call with this token.
      r.deferred = true;
      r.retry_after_ms = std::max<int64_t>(r.retry_after_ms, 1000);
      budget.PauseUntil(budget_key_, NowMillis() + r.retry_after_ms);
    }
    return r;
  }

  // The project or repository part of a path.
  std::string RepoPath(const std::string& repo) const {
    return forge_.kind == "gitlab" ? "/projects/" + UrlEncode(repo) : "/repos/" + repo;
  }

  const Forge& forge() const { return forge_; }

 private:
  Forge forge_;
  std::string budget_key_;  // the token's budget (bot/forge_budget.h)
  std::string origin_, base_;
  httplib::Headers headers_;
};

ForgeSendResult Sent() {
  ForgeSendResult r;
  r.ok = true;
  return r;
}

ForgeSendResult Failed(const std::string& error, bool retry = false) {
  ForgeSendResult r;
  r.error = error;
  r.retry = retry;
  return r;
}

ForgeSendResult SendStatus(ForgeApi* api, const std::string& repo, const std::string& sha,
                           const std::string& body) {
  json in = json::parse(body, nullptr, false);
  if (!in.is_object()) return Failed("status body is not JSON");
  int status = 0;
  std::string answer;
  if (api->forge().kind == "gitlab") {
    // GitLab: pending | running | success | failed, in the query.
    std::string state = in.value("state", "pending");
    if (state == "failure" || state == "error") state = "failed";
    if (state == "pending") state = "running";
    std::string path =
        api->RepoPath(repo) + "/statuses/" + sha + "?state=" + state +
        "&name=sandbot%2Fpreview&description=" + UrlEncode(in.value("description", ""));
    if (!in.value("target_url", "").empty()) {
      path += "&target_url=" + UrlEncode(in.value("target_url", ""));
    }
    return api->Call("POST", path, "", &status, &answer);
  }
  json out = {{"state", in.value("state", "pending")},
              {"context", "sandbot/preview"},
              {"description", in.value("description", "").substr(0, 140)}};
  if (!in.value("target_url", "").empty()) out["target_url"] = in.value("target_url", "");
  return api->Call("POST", api->RepoPath(repo) + "/statuses/" + sha, out.dump(), &status, &answer);
}

ForgeSendResult SendComment(Db* db, ForgeApi* api, const std::string& repo, int64_t number,
                            const std::string& text) {
  const bool gitlab = api->forge().kind == "gitlab";
  const std::string n = std::to_string(number);
  const std::string list = api->RepoPath(repo) + (gitlab ? "/merge_requests/" + n + "/notes"
                                                         : "/issues/" + n + "/comments");
  auto one = [&](const std::string& id) {
    return gitlab ? list + "/" + id : api->RepoPath(repo) + "/issues/comments/" + id;
  };
  PullRequest pr;
  Status s = GetPullRequest(db, api->forge().name, repo, number, &pr);
  if (!s.ok()) return Failed(s.message());
  const std::string body = json{{"body", text}}.dump();
  int status = 0;
  std::string answer;
  std::string id = pr.comment_id;
  if (id.empty()) {
    // Ours from before the store knew it (or a lost answer): by the marker.
    ForgeSendResult r = api->Call("GET", list + "?per_page=100", "", &status, &answer);
    if (!r.ok) return r;
    json all = json::parse(answer, nullptr, false);
    if (all.is_array()) {
      for (const json& c : all) {
        if (c.is_object() && c.value("body", "").find(kPreviewMarker) != std::string::npos &&
            c.contains("id") && c["id"].is_number_integer()) {
          id = std::to_string(c["id"].get<int64_t>());
        }
      }
    }
  }
  if (!id.empty()) {
    ForgeSendResult r = api->Call(gitlab ? "PUT" : "PATCH", one(id), body, &status, &answer);
    if (r.ok || status != 404) {
      if (r.ok && id != pr.comment_id) SetPreviewCommentId(db, api->forge().name, repo, number, id);
      return r;
    }
    // Someone deleted it: a new one.
  }
  ForgeSendResult r = api->Call("POST", list, body, &status, &answer);
  if (!r.ok) return r;
  json made = json::parse(answer, nullptr, false);
  if (made.is_object() && made.contains("id") && made["id"].is_number_integer()) {
    s = SetPreviewCommentId(db, api->forge().name, repo, number,
                            std::to_string(made["id"].get<int64_t>()));
    if (!s.ok()) r.error = "comment posted, its id not recorded: " + s.message();
  }
  return r;
}

ForgeSendResult SendReaction(ForgeApi* api, const std::string& repo, int64_t number,
                             const std::string& body) {
  json in = json::parse(body, nullptr, false);
  if (!in.is_object()) return Failed("reaction body is not JSON");
  const std::string id = in.value("comment_id", ""), content = in.value("content", "");
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
    return Failed("reaction without a comment id");
  }
  int status = 0;
  std::string answer;
  if (api->forge().kind == "gitlab") {
    ForgeSendResult r = api->Call("POST",
                                  api->RepoPath(repo) + "/merge_requests/" +
                                      std::to_string(number) + "/notes/" + id + "/award_emoji",
                                  json{{"name", content}}.dump(), &status, &answer);
    // GitLab refuses the same award twice: it is there, which is the point.
    if (!r.ok && (status == 400 || status == 409 || status == 404) &&
        answer.find("already") != std::string::npos) {
      r = Sent();
    }
    return r;
  }
  return api->Call("POST", api->RepoPath(repo) + "/issues/comments/" + id + "/reactions",
                   json{{"content", content}}.dump(), &status, &answer);
}

// GitLab: environment pr-N, by the id in the store or else by its name.
ForgeSendResult FindGitlabEnvironment(ForgeApi* api, const std::string& repo,
                                      const std::string& name, std::string* id) {
  int status = 0;
  std::string answer;
  ForgeSendResult r =
      api->Call("GET", api->RepoPath(repo) + "/environments?name=" + name, "", &status, &answer);
  if (!r.ok) return r;
  json all = json::parse(answer, nullptr, false);
  if (all.is_array()) {
    for (const json& e : all) {
      if (e.is_object() && e.value("name", "") == name && e.contains("id") &&
          e["id"].is_number_integer()) {
        *id = std::to_string(e["id"].get<int64_t>());
      }
    }
  }
  return r;
}

ForgeSendResult SendGitlabEnvironment(Db* db, ForgeApi* api, const std::string& repo,
                                      int64_t number, const json& in) {
  const std::string state = in.value("state", "");
  if (state != "success" && state != "inactive") return Sent();
  const std::string name = "pr-" + std::to_string(number);
  PrDeployment dep;
  Status s = GetPrDeployment(db, api->forge().name, repo, number, &dep);
  if (!s.ok()) return Failed(s.message(), true);
  int status = 0;
  std::string answer;
  if (dep.deployment_id.empty()) {
    ForgeSendResult r = FindGitlabEnvironment(api, repo, name, &dep.deployment_id);
    if (!r.ok) return r;
  }
  const std::string env_path = api->RepoPath(repo) + "/environments/" + dep.deployment_id;
  if (state == "inactive") {
    if (dep.deployment_id.empty()) return Sent();  // never made: nothing to stop
    return api->Call("POST", env_path + "/stop", "{}", &status, &answer);
  }
  const std::string url = in.value("environment_url", "");
  ForgeSendResult r;
  if (!dep.deployment_id.empty()) {
    r = api->Call("PUT", env_path, url.empty() ? "{}" : json{{"external_url", url}}.dump(), &status,
                  &answer);
    if (r.ok || status != 404) return r;
    dep.deployment_id.clear();  // deleted on the forge: a new one
  }
  json create = {{"name", name}, {"tier", "development"}};
  if (!url.empty()) create["external_url"] = url;
  r = api->Call("POST", api->RepoPath(repo) + "/environments", create.dump(), &status, &answer);
  if (!r.ok) return r;
  json made = json::parse(answer, nullptr, false);
  if (made.is_object() && made.contains("id") && made["id"].is_number_integer()) {
    dep.deployment_id = std::to_string(made["id"].get<int64_t>());
    s = SetPrDeployment(db, api->forge().name, repo, number, dep);
    if (!s.ok()) r.error = "environment made, its id not recorded: " + s.message();
  }
  return r;
}

// GitHub: one deployment per deployed sha, to the transient environment pr-N.
ForgeSendResult SendGithubDeployment(Db* db, ForgeApi* api, const std::string& repo, int64_t number,
                                     const json& in) {
  const std::string state = in.value("state", ""), sha = in.value("sha", "");
  PrDeployment dep;
  Status s = GetPrDeployment(db, api->forge().name, repo, number, &dep);
  if (!s.ok()) return Failed(s.message(), true);
  const std::string base = api->RepoPath(repo) + "/deployments";
  int status = 0;
  std::string answer;
  auto post_status = [&](const std::string& id, const std::string& st) {
    json out = {
        {"state", st},
        {"description", ("preview pr-" + std::to_string(number) + ": " + st).substr(0, 140)}};
    if (!in.value("environment_url", "").empty() && st != "inactive") {
      out["environment_url"] = in.value("environment_url", "");
    }
    if (!in.value("log_url", "").empty()) out["log_url"] = in.value("log_url", "");
    return api->Call("POST", base + "/" + id + "/statuses", out.dump(), &status, &answer);
  };
  if (state == "inactive") {
    if (dep.deployment_id.empty()) return Sent();
    ForgeSendResult r = post_status(dep.deployment_id, "inactive");
    return r.ok || status == 404 ? Sent() : r;
  }
  if (sha.size() != 40 || sha.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Failed("deployment without a commit id");
  }
  if (dep.deployment_id.empty() || dep.sha != sha) {
    if (!dep.deployment_id.empty()) {
      // A transient environment's older deployment is not made inactive by
      // GitHub: say so before the new one.
      ForgeSendResult r = post_status(dep.deployment_id, "inactive");
      if (!r.ok && status != 404) return r;
    }
    json create = {{"ref", sha},
                   {"environment", "pr-" + std::to_string(number)},
                   {"transient_environment", true},
                   {"production_environment", false},
                   {"auto_merge", false},
                   {"required_contexts", json::array()},
                   {"description", "sandbot preview of #" + std::to_string(number)}};
    ForgeSendResult r = api->Call("POST", base, create.dump(), &status, &answer);
    if (!r.ok) return r;
    json made = json::parse(answer, nullptr, false);
    if (status != 201 || !made.is_object() || !made.contains("id") ||
        !made["id"].is_number_integer()) {
      return Failed("POST " + base + ": HTTP " + std::to_string(status) + ", no deployment made");
    }
    dep = PrDeployment{sha, std::to_string(made["id"].get<int64_t>())};
    s = SetPrDeployment(db, api->forge().name, repo, number, dep);
    if (!s.ok()) return Failed("deployment made, its id not recorded: " + s.message(), true);
  }
  return post_status(dep.deployment_id, state);
}

ForgeSendResult SendDeployment(Db* db, ForgeApi* api, const std::string& repo, int64_t number,
                               const std::string& body) {
  json in = json::parse(body, nullptr, false);
  if (!in.is_object()) return Failed("deployment body is not JSON");
  if (api->forge().kind == "gitlab") return SendGitlabEnvironment(db, api, repo, number, in);
  if (api->forge().kind == "github") return SendGithubDeployment(db, api, repo, number, in);
  return Sent();  // Gitea has no deployments: the commit status says it
}

}  // namespace

Status ParseForgeOpenPulls(const std::string& kind, const std::string& repo,
                           const std::string& answer, std::vector<ForgeOpenPull>* out) {
  json all = json::parse(answer, nullptr, false);
  if (!all.is_array()) return Status::Unavailable("the list of open pull requests is no array");
  const bool gitlab = kind == "gitlab";
  for (const json& p : all) {
    if (!p.is_object()) return Status::Unavailable("a listed pull request is no object");
    ForgeOpenPull o;
    const json& num = p.value(gitlab ? "iid" : "number", json());
    if (!num.is_number_integer() || num.get<int64_t>() <= 0) {
      return Status::Unavailable("a listed pull request has no number");
    }
    o.number = num.get<int64_t>();
    const std::string st = p.value("state", "");
    if (st != "open" && st != "opened") continue;  // the list said open; the item decides
    o.title = p.value("title", "");
    o.url = p.value(gitlab ? "web_url" : "html_url", "");
    o.head_at = ParseForgeTime(p.value("updated_at", ""));
    if (gitlab) {
      o.head_sha = p.value("sha", "");
      o.head_ref = p.value("source_branch", "");
      o.draft = p.value("draft", false) || p.value("work_in_progress", false);
      o.fork = p.value("source_project_id", json()) != p.value("target_project_id", json());
      for (const json& l : p.value("labels", json::array())) {
        if (l.is_string()) o.labels.push_back(l.get<std::string>());
        if (l.is_object()) o.labels.push_back(l.value("name", ""));
      }
    } else {
      const json head = p.value("head", json::object());
      o.head_sha = head.value("sha", "");
      o.head_ref = head.value("ref", "");
      o.draft = p.value("draft", false);
      const json hrepo = head.value("repo", json());
      o.fork = !hrepo.is_object() || hrepo.value("full_name", "") != repo;
      for (const json& l : p.value("labels", json::array())) {
        if (l.is_object()) o.labels.push_back(l.value("name", ""));
      }
    }
    if (o.head_sha.size() != 40 ||
        o.head_sha.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Status::Unavailable("pull request " + std::to_string(o.number) +
                                 " is listed without a full head commit id");
    }
    out->push_back(o);
  }
  return Status::Ok();
}

Status ListForgeOpenPulls(const Forge& forge, const std::string& repo,
                          std::vector<ForgeOpenPull>* out) {
  std::string token;
  Status s = ResolveForgeRef(forge.token_ref, &token);
  if (!s.ok()) return Status::Unavailable("forge " + forge.name + " token: " + s.message());
  ForgeApi api(forge, token);
  const std::string path =
      api.RepoPath(repo) + (forge.kind == "gitlab"  ? "/merge_requests?state=opened&per_page=100"
                            : forge.kind == "gitea" ? "/pulls?state=open&limit=50"
                                                    : "/pulls?state=open&per_page=100");
  int status = 0;
  std::string answer;
  ForgeSendResult r = api.Call("GET", path, "", &status, &answer);
  if (!r.ok) return Status::Unavailable(r.error);
  return ParseForgeOpenPulls(forge.kind, repo, answer, out);
}

Status GetForgePullState(const Forge& forge, const std::string& repo, int64_t number,
                         std::string* state, std::string* head_sha) {
  std::string token;
  Status s = ResolveForgeRef(forge.token_ref, &token);
  if (!s.ok()) return Status::Unavailable("forge " + forge.name + " token: " + s.message());
  ForgeApi api(forge, token);
  const bool gitlab = forge.kind == "gitlab";
  const std::string path =
      api.RepoPath(repo) + (gitlab ? "/merge_requests/" : "/pulls/") + std::to_string(number);
  int status = 0;
  std::string answer;
  ForgeSendResult r = api.Call("GET", path, "", &status, &answer);
  if (!r.ok) return Status::Unavailable(r.error);
  json pr = json::parse(answer, nullptr, false);
  if (!pr.is_object() || !pr.contains("state") || !pr["state"].is_string()) {
    return Status::Unavailable("GET " + path + ": no state in the answer");
  }
  const std::string st = pr["state"].get<std::string>();
  const bool merged = pr.value("merged", false) || st == "merged";
  if (st == "open" || st == "opened") {
    *state = "open";
  } else if (st == "closed" || st == "merged") {
    *state = merged ? "merged" : "closed";
  } else {
    return Status::Unavailable("GET " + path + ": state '" + st + "'");
  }
  *head_sha = gitlab ? pr.value("sha", "") : pr.value("head", json::object()).value("sha", "");
  return Status::Ok();
}

Status ForgeRepoGet(const Forge& forge, const std::string& repo, const std::string& path,
                    int* status, std::string* body) {
  std::string token;
  Status s = ResolveForgeRef(forge.token_ref, &token);
  if (!s.ok()) return Status::Unavailable("forge " + forge.name + " token: " + s.message());
  ForgeApi api(forge, token);
  *status = 0;
  ForgeSendResult r = api.Call("GET", api.RepoPath(repo) + path, "", status, body);
  if (*status == 0) return Status::Unavailable(r.error);
  return Status::Ok();
}

ForgeSendResult SendForgeMessage(Db* db, const OutboxMessage& m) {
  // forge:{name}:{what}:{rest}
  const size_t a = m.url.find(':');
  const size_t b = m.url.find(':', a + 1);
  const size_t c = b == std::string::npos ? b : m.url.find(':', b + 1);
  if (c == std::string::npos) return Failed("not a forge message: " + m.url);
  const std::string name = m.url.substr(a + 1, b - a - 1);
  const std::string what = m.url.substr(b + 1, c - b - 1);
  const std::string rest = m.url.substr(c + 1);
  Forge forge;
  Status s = GetForge(db, name, &forge);
  if (!s.ok()) return Failed(s.message());
  // Configured without a token: nothing can be posted, and retrying will not
  // change that (a token named but unreadable now may be set later).
  if (forge.token_ref.empty()) return Failed("forge " + name + " has no API token to post with");
  std::string token;
  s = ResolveForgeRef(forge.token_ref, &token);
  if (!s.ok()) return Failed("forge " + name + " token: " + s.message(), true);
  ForgeApi api(forge, token);
  if (what == "status") {
    const size_t at = rest.rfind('@');
    if (at == std::string::npos) return Failed("bad status key " + m.url);
    return SendStatus(&api, rest.substr(0, at), rest.substr(at + 1), m.body);
  }
  if (what == "reply") {
    const size_t hash = rest.rfind('#');
    if (hash == std::string::npos) return Failed("bad reply key " + m.url);
    const std::string repo = rest.substr(0, hash), n = rest.substr(hash + 1);
    const std::string list =
        api.RepoPath(repo) +
        (forge.kind == "gitlab" ? "/merge_requests/" + n + "/notes" : "/issues/" + n + "/comments");
    int status = 0;
    std::string answer;
    return api.Call("POST", list, nlohmann::json{{"body", m.body}}.dump(), &status, &answer);
  }
  if (what == "reaction" || what == "deployment") {
    const size_t hash = rest.rfind('#');
    if (hash == std::string::npos) return Failed("bad " + what + " key " + m.url);
    const std::string repo = rest.substr(0, hash);
    const int64_t n = std::atoll(rest.c_str() + hash + 1);
    return what == "reaction" ? SendReaction(&api, repo, n, m.body)
                              : SendDeployment(db, &api, repo, n, m.body);
  }
  if (what == "comment") {
    const size_t hash = rest.rfind('#');
    if (hash == std::string::npos) return Failed("bad comment key " + m.url);
    return SendComment(db, &api, rest.substr(0, hash), std::atoll(rest.c_str() + hash + 1), m.body);
  }
  return Failed("unknown forge message " + what);
}

}  // namespace sandbot
