#include "bot/forge_poster.h"

#include <httplib.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "bot/forge_mirror.h"
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
  ForgeApi(const Forge& forge, const std::string& token) : forge_(forge) {
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
    *status = res->status;
    *answer = res->body;
    r.ok = res->status >= 200 && res->status < 300;
    if (r.ok) return r;
    r.error = method + " " + path + ": HTTP " + std::to_string(res->status) + " " +
              res->body.substr(0, 200);
    // GitHub's rate limits: 429, or 403 with x-ratelimit-remaining 0.
    const bool limited =
        res->status == 429 ||
        (res->status == 403 && res->get_header_value("x-ratelimit-remaining") == "0");
    r.retry = limited || res->status >= 500;
    if (res->has_header("Retry-After")) {
      r.retry_after_ms = RetryAfterMillis(res->get_header_value("Retry-After"));
    } else if (limited && res->has_header("x-ratelimit-reset")) {
      const int64_t reset = std::atoll(res->get_header_value("x-ratelimit-reset").c_str());
      const int64_t wait = reset - static_cast<int64_t>(std::time(nullptr));
      r.retry_after_ms = std::clamp<int64_t>(wait, 0, 3600) * 1000;
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
  std::string origin_, base_;
  httplib::Headers headers_;
};

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

}  // namespace

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
  if (what == "comment") {
    const size_t hash = rest.rfind('#');
    if (hash == std::string::npos) return Failed("bad comment key " + m.url);
    return SendComment(db, &api, rest.substr(0, hash), std::atoll(rest.c_str() + hash + 1), m.body);
  }
  return Failed("unknown forge message " + what);
}

}  // namespace sandbot
