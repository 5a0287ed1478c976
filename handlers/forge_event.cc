#include "handlers/forge_event.h"

#include <simdjson.h>

#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

#include "hooks/ref_update.h"

namespace sandbot {

using nlohmann::json;

namespace {

// Reads of a payload that may lack any field or hold null there.
const json& At(const json& j, const char* key) {
  static const json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}
std::string Str(const json& j, const char* key) {
  const json& v = At(j, key);
  return v.is_string() ? v.get<std::string>() : "";
}
int64_t Int(const json& j, const char* key) {
  const json& v = At(j, key);
  return v.is_number_integer() ? v.get<int64_t>() : 0;
}
bool Bool(const json& j, const char* key) {
  const json& v = At(j, key);
  return v.is_boolean() && v.get<bool>();
}

std::vector<std::string> Labels(const json& labels, const char* key) {
  std::vector<std::string> out;
  if (!labels.is_array()) return out;
  for (const json& l : labels) {
    std::string name = Str(l, key);
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

PrAction GithubAction(const std::string& action, bool merged) {
  if (action == "opened") return PrAction::kOpened;
  if (action == "reopened") return PrAction::kReopened;
  if (action == "synchronize" || action == "synchronized") return PrAction::kSynchronize;
  if (action == "closed") return merged ? PrAction::kMerged : PrAction::kClosed;
  if (action == "labeled" || action == "label_updated") return PrAction::kLabeled;
  if (action == "unlabeled" || action == "label_cleared") return PrAction::kUnlabeled;
  if (action == "ready_for_review") return PrAction::kReady;
  if (action == "converted_to_draft") return PrAction::kDraft;
  if (action == "edited") return PrAction::kMetadata;
  return PrAction::kOther;
}

// GitHub and Gitea share the shape of pull_request and issue_comment.
void ReadGithubPr(const json& pr, ForgeEvent* e) {
  e->number = Int(pr, "number");
  e->title = Str(pr, "title");
  e->url = Str(pr, "html_url");
  e->head_sha = Str(At(pr, "head"), "sha");
  e->head_ref = Str(At(pr, "head"), "ref");
  e->draft = Bool(pr, "draft");
  e->head_at = ParseForgeTime(Str(pr, "updated_at"));
  e->labels = Labels(At(pr, "labels"), "name");
  const std::string head_repo = Str(At(At(pr, "head"), "repo"), "full_name");
  const std::string base_repo = Str(At(At(pr, "base"), "repo"), "full_name");
  // A head repository that was deleted reads as null: not ours either.
  e->fork = head_repo.empty() || head_repo != base_repo;
}

Status ParseGithubLike(const std::string& event, const json& j, ForgeEvent* e) {
  e->sender = Str(At(j, "sender"), "login");
  e->repo = Str(At(j, "repository"), "full_name");
  e->clone_url = Str(At(j, "repository"), "clone_url");
  const std::string action = Str(j, "action");
  e->name = action.empty() ? event : event + "." + action;
  if (event == "ping") {
    e->kind = ForgeEventKind::kPing;
    return Status::Ok();
  }
  if (event == "pull_request") {
    const json& pr = At(j, "pull_request");
    if (!pr.is_object()) return Status::InvalidArgument("pull_request event without pull_request");
    e->kind = ForgeEventKind::kPullRequest;
    ReadGithubPr(pr, e);
    if (e->number == 0) e->number = Int(j, "number");
    e->action = GithubAction(action, Bool(pr, "merged"));
    if (e->number <= 0 || e->head_sha.empty()) {
      return Status::InvalidArgument("pull_request event without a number or head sha");
    }
    return Status::Ok();
  }
  if (event == "issue_comment" || event == "pull_request_comment") {
    const json& issue = At(j, "issue");
    // GitHub marks an issue that is a PR with issue.pull_request; Gitea
    // with is_pull.
    const bool on_pr = At(issue, "pull_request").is_object() || Bool(j, "is_pull");
    if (action != "created" || !on_pr) return Status::Ok();  // kOther
    e->kind = ForgeEventKind::kComment;
    e->number = Int(issue, "number");
    e->title = Str(issue, "title");
    e->url = Str(issue, "html_url");
    e->labels = Labels(At(issue, "labels"), "name");
    e->comment = Str(At(j, "comment"), "body");
    e->comment_id = Int(At(j, "comment"), "id");
    const std::string assoc = Str(At(j, "comment"), "author_association");
    e->commenter_can_write = assoc == "OWNER" || assoc == "MEMBER" || assoc == "COLLABORATOR";
    if (e->number <= 0) return Status::InvalidArgument("comment event without an issue number");
    return Status::Ok();
  }
  if (event == "push") {
    e->kind = ForgeEventKind::kPush;
    e->ref = Str(j, "ref");
    e->before = Str(j, "before");
    e->after = Str(j, "after");
    e->sender = Str(At(j, "pusher"), "name").empty() ? e->sender : Str(At(j, "pusher"), "name");
    if (e->ref.empty() || e->after.empty()) return Status::InvalidArgument("push without ref");
    return Status::Ok();
  }
  return Status::Ok();
}

PrAction GitlabAction(const json& attrs, const json& changes) {
  const std::string a = Str(attrs, "action");
  if (a == "open") return PrAction::kOpened;
  if (a == "reopen") return PrAction::kReopened;
  if (a == "merge") return PrAction::kMerged;
  if (a == "close") return PrAction::kClosed;
  if (a == "update") {
    if (!Str(attrs, "oldrev").empty()) return PrAction::kSynchronize;
    if (At(changes, "draft").is_object() || At(changes, "work_in_progress").is_object()) {
      return Bool(attrs, "draft") || Bool(attrs, "work_in_progress") ? PrAction::kDraft
                                                                     : PrAction::kReady;
    }
    if (At(changes, "labels").is_object()) return PrAction::kLabeled;
    return PrAction::kMetadata;
  }
  return PrAction::kOther;
}

void ReadGitlabMr(const json& mr, ForgeEvent* e) {
  e->number = Int(mr, "iid");
  e->title = Str(mr, "title");
  e->url = Str(mr, "url");
  e->head_sha = Str(At(mr, "last_commit"), "id");
  e->head_ref = Str(mr, "source_branch");
  e->draft = Bool(mr, "draft") || Bool(mr, "work_in_progress");
  e->head_at = ParseForgeTime(Str(mr, "updated_at"));
  e->fork = Int(mr, "source_project_id") != Int(mr, "target_project_id");
  if (At(mr, "labels").is_array()) e->labels = Labels(At(mr, "labels"), "title");
}

Status ParseGitlab(const std::string& event, const json& j, ForgeEvent* e) {
  e->sender = Str(At(j, "user"), "username");
  e->sender_id = Int(At(j, "user"), "id");
  e->repo = Str(At(j, "project"), "path_with_namespace");
  e->clone_url = Str(At(j, "project"), "git_http_url");
  const json& attrs = At(j, "object_attributes");
  if (event == "Merge Request Hook") {
    e->kind = ForgeEventKind::kPullRequest;
    ReadGitlabMr(attrs, e);
    // The hook's top-level labels are the MR's current ones.
    if (At(j, "labels").is_array()) e->labels = Labels(At(j, "labels"), "title");
    e->action = GitlabAction(attrs, At(j, "changes"));
    e->name = "merge_request." + Str(attrs, "action");
    if (e->number <= 0 || e->head_sha.empty()) {
      return Status::InvalidArgument("merge request event without an iid or last commit");
    }
    return Status::Ok();
  }
  if (event == "Note Hook") {
    e->name = "note." + Str(attrs, "noteable_type");
    if (Str(attrs, "noteable_type") != "MergeRequest") return Status::Ok();
    e->kind = ForgeEventKind::kComment;
    ReadGitlabMr(At(j, "merge_request"), e);
    e->comment = Str(attrs, "note");
    e->comment_id = Int(attrs, "id");
    if (e->number <= 0) return Status::InvalidArgument("note on a merge request without its iid");
    return Status::Ok();
  }
  if (event == "Push Hook") {
    e->kind = ForgeEventKind::kPush;
    e->name = "push";
    e->ref = Str(j, "ref");
    e->before = Str(j, "before");
    e->after = Str(j, "after");
    e->sender = Str(j, "user_username").empty() ? e->sender : Str(j, "user_username");
    if (e->ref.empty() || e->after.empty()) return Status::InvalidArgument("push without ref");
    return Status::Ok();
  }
  e->name = event;
  return Status::Ok();
}

}  // namespace

const char* PrActionName(PrAction action) {
  switch (action) {
    case PrAction::kOpened: return "opened";
    case PrAction::kReopened: return "reopened";
    case PrAction::kSynchronize: return "synchronize";
    case PrAction::kClosed: return "closed";
    case PrAction::kMerged: return "merged";
    case PrAction::kLabeled: return "labeled";
    case PrAction::kUnlabeled: return "unlabeled";
    case PrAction::kReady: return "ready_for_review";
    case PrAction::kDraft: return "converted_to_draft";
    case PrAction::kMetadata: return "edited";
    case PrAction::kOther: break;
  }
  return "other";
}

namespace {

// What the payload means, from its JSON (the whole document or the pruned
// one ParseForgeEvent builds: the same fields either way).
Status Interpret(const std::string& kind, const std::string& event, const json& j,
                 ForgeEvent* out) {
  if (!j.is_object()) return Status::InvalidArgument("the payload is not a JSON object");
  Status s;
  if (kind == "gitlab") {
    s = ParseGitlab(event, j, out);
  } else if (kind == "github" || kind == "gitea") {
    s = ParseGithubLike(event, j, out);
  } else {
    return Status::InvalidArgument("unknown forge kind '" + kind + "'");
  }
  // The head is deployed, fetched and named in forge API paths: only a full
  // object name, never a revision expression ("main", "HEAD~1") or a path.
  if (s.ok() && out->kind == ForgeEventKind::kPullRequest && !IsObjectName(out->head_sha)) {
    return Status::InvalidArgument("the pull request's head is not a full commit id");
  }
  return s;
}

// The members Interpret reads, as a tree of keys (a member read above and
// missing here reads as absent: the unit test comparing both parsers over
// every fixture, and the fuzz harness, catch it) (every forge's at once: a
// member one forge does not have is simply absent). An array stands for its
// elements: "labels" → "name" reads labels[*].name. A member with no
// children is kept whole when it is a scalar and as an empty object or
// array otherwise (only its type is read: issue.pull_request,
// changes.labels).
// Children are looked up by hash: Prune asks for every member of the
// objects it walks (a repository object alone has ~90), and a sorted map's
// string comparisons were most of its time. The keys are views of the
// literals below.
struct Member {
  std::unordered_map<std::string_view, Member> children;
};

Member Keys(std::initializer_list<std::pair<const char*, Member>> list) {
  Member m;
  for (const auto& [key, child] : list) m.children.emplace(key, child);
  return m;
}

const Member& Wanted() {
  static const Member kWanted = [] {
    const Member leaf;
    const Member labels = Keys({{"name", leaf}, {"title", leaf}});
    const Member repo = Keys({{"full_name", leaf}});
    // GitHub/Gitea pull_request and issue, GitLab object_attributes and merge_request.
    const Member pr = Keys({{"number", leaf},
                            {"title", leaf},
                            {"html_url", leaf},
                            {"head", Keys({{"sha", leaf}, {"ref", leaf}, {"repo", repo}})},
                            {"base", Keys({{"repo", repo}})},
                            {"draft", leaf},
                            {"merged", leaf},
                            {"updated_at", leaf},
                            {"labels", labels},
                            {"pull_request", leaf},
                            {"iid", leaf},
                            {"url", leaf},
                            {"last_commit", Keys({{"id", leaf}})},
                            {"source_branch", leaf},
                            {"work_in_progress", leaf},
                            {"source_project_id", leaf},
                            {"target_project_id", leaf},
                            {"action", leaf},
                            {"oldrev", leaf},
                            {"noteable_type", leaf},
                            {"id", leaf},
                            {"note", leaf}});
    return Keys(
        {{"action", leaf},
         {"number", leaf},
         {"is_pull", leaf},
         {"ref", leaf},
         {"before", leaf},
         {"after", leaf},
         {"user_username", leaf},
         {"sender", Keys({{"login", leaf}})},
         {"pusher", Keys({{"name", leaf}})},
         {"repository", Keys({{"full_name", leaf}, {"clone_url", leaf}})},
         {"pull_request", pr},
         {"issue", pr},
         {"comment", Keys({{"id", leaf}, {"body", leaf}, {"author_association", leaf}})},
         {"user", Keys({{"username", leaf}, {"id", leaf}})},
         {"project", Keys({{"path_with_namespace", leaf}, {"git_http_url", leaf}})},
         {"object_attributes", pr},
         {"merge_request", pr},
         {"labels", labels},
         {"changes", Keys({{"draft", leaf}, {"work_in_progress", leaf}, {"labels", leaf}})}});
  }();
  return kWanted;
}

// The part of `in` that `want` names, as nlohmann::json. Members repeated
// in an object: the last one wins, as in nlohmann's own parser.
json Prune(simdjson::dom::element in, const Member& want) {
  switch (in.type()) {
    case simdjson::dom::element_type::OBJECT: {
      json out = json::object();
      if (want.children.empty()) return out;
      const simdjson::dom::object object = in.get_object().value_unsafe();
      for (simdjson::dom::key_value_pair field : object) {
        auto it = want.children.find(field.key);
        if (it != want.children.end()) out[std::string(field.key)] = Prune(field.value, it->second);
      }
      return out;
    }
    case simdjson::dom::element_type::ARRAY: {
      json out = json::array();
      if (want.children.empty()) return out;
      const simdjson::dom::array array = in.get_array().value_unsafe();
      for (simdjson::dom::element item : array) {
        out.push_back(Prune(item, want));
      }
      return out;
    }
    case simdjson::dom::element_type::STRING: return std::string(in.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64: return in.get_int64().value_unsafe();
    case simdjson::dom::element_type::UINT64: return in.get_uint64().value_unsafe();
    case simdjson::dom::element_type::DOUBLE: return in.get_double().value_unsafe();
    case simdjson::dom::element_type::BOOL: return in.get_bool().value_unsafe();
    case simdjson::dom::element_type::NULL_VALUE: return nullptr;
  }
  return nullptr;
}

}  // namespace

Status ParseForgeEvent(const std::string& kind, const std::string& event, const std::string& body,
                       ForgeEvent* out) {
  // simdjson validates the whole document (UTF-8 too) at a few GB/s, and
  // only the members Interpret reads become nlohmann::json: a 23 KB
  // pull_request took ~190 us as a whole nlohmann DOM, ~15 us so.
  // One parser per thread: it keeps its buffers for the next delivery.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) {
    // What simdjson refuses (a malformed body; numbers beyond 64 bits,
    // nesting beyond 1024 levels, a byte-order mark, which nlohmann reads)
    // is read as before, so the outcome never depends on which parser ran.
    return ParseForgeEventDom(kind, event, body, out);
  }
  *out = ForgeEvent{};
  return Interpret(kind, event, Prune(root, Wanted()), out);
}

Status ParseForgeEventDom(const std::string& kind, const std::string& event,
                          const std::string& body, ForgeEvent* out) {
  *out = ForgeEvent{};
  return Interpret(kind, event, json::parse(body, nullptr, false), out);
}

int64_t ParseForgeTime(const std::string& text) {
  if (text.size() < 19) return 0;
  std::string base = text.substr(0, 19);
  if (base[10] == ' ') base[10] = 'T';
  std::tm tm{};
  const char* end = strptime(base.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || *end != '\0') return 0;
  int64_t t = static_cast<int64_t>(timegm(&tm));
  // Skip fractions of a second, then read an offset: "+02:00" is 2 h ahead of UTC.
  size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    while (++i < text.size() && text[i] >= '0' && text[i] <= '9') {
    }
  }
  if (i + 6 <= text.size() && (text[i] == '+' || text[i] == '-') && text[i + 3] == ':') {
    const int hours = std::atoi(text.substr(i + 1, 2).c_str());
    const int minutes = std::atoi(text.substr(i + 4, 2).c_str());
    const int64_t offset = hours * 3600 + minutes * 60;
    t += text[i] == '+' ? -offset : offset;
  }
  return t;
}

std::vector<std::string> CommentCommands(const std::string& body) {
  std::vector<std::string> out;
  size_t start = 0;
  bool fenced = false;
  while (start <= body.size()) {
    size_t end = body.find('\n', start);
    std::string line =
        body.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.pop_back();
    }
    // Lines in a ``` block are quoted text (sandbot's own answers too).
    if (line.rfind("```", 0) == 0) fenced = !fenced;
    if (!fenced && line.size() > 1 && line[0] == '/') out.push_back(line.substr(1));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace sandbot
