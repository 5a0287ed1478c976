// Forge webhook payloads (GitHub, Gitea/Forgejo, GitLab) as one event: what
// the pull request decision (handlers/forge_pr.h) needs, whatever the forge.
// Parsing is pure: the body was verified before (bot/forge_server.cc).
#ifndef SANDBOT_HANDLERS_FORGE_EVENT_H_
#define SANDBOT_HANDLERS_FORGE_EVENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "util/status.h"

namespace sandbot {

enum class ForgeEventKind { kPing, kPullRequest, kComment, kPush, kOther };

// What happened to a pull request, in one vocabulary.
enum class PrAction {
  kOpened,
  kReopened,
  kSynchronize,  // new commits (GitLab: an update with oldrev)
  kClosed,       // closed without merging
  kMerged,
  kLabeled,
  kUnlabeled,
  kReady,     // ready for review (no longer a draft)
  kDraft,     // converted to draft
  kMetadata,  // edited, or a GitLab update without new commits
  kOther,
};
const char* PrActionName(PrAction action);

struct ForgeEvent {
  ForgeEventKind kind = ForgeEventKind::kOther;
  std::string name;       // "pull_request.opened", "issue_comment.created", "push", "ping"
  std::string sender;     // the forge user who caused it
  int64_t sender_id = 0;  // GitLab: the user's id (its member API wants it); 0 elsewhere
  std::string repo;       // "acme/web": the repository the hook is on (the PR's base)
  std::string clone_url;

  // Pull requests (and comments on one).
  PrAction action = PrAction::kOther;
  int64_t number = 0;
  std::string title;
  std::string url;  // the PR's web page
  std::string head_sha, head_ref;
  int64_t head_at = 0;  // when the PR was last updated, seconds since the epoch; 0: unknown
  bool draft = false;
  bool fork = false;  // its head lives in another repository
  std::vector<std::string> labels;

  // Comments.
  std::string comment;
  int64_t comment_id = 0;  // the comment's id on the forge (GitLab: the note's); 0: unknown
  // GitHub's author_association OWNER, MEMBER or COLLABORATOR. A hint only:
  // commands wait for the forge's own answer (bot/forge_permission.h).
  bool commenter_can_write = false;

  // Pushes.
  std::string ref, before, after;
};

// kind: github | gitea | gitlab. `event` is the event header
// (X-GitHub-Event, X-Gitea-Event, X-Gitlab-Event). InvalidArgument when the
// body is not the JSON the event promises; unknown events are kOther.
Status ParseForgeEvent(const std::string& kind, const std::string& event, const std::string& body,
                       ForgeEvent* out);
// The same from a whole nlohmann::json DOM of the body: what ParseForgeEvent
// falls back on when simdjson refuses a body, and what tests compare it with.
Status ParseForgeEventDom(const std::string& kind, const std::string& event,
                          const std::string& body, ForgeEvent* out);

// "2019-05-15T15:20:33Z", "2019-05-15T17:20:33+02:00", "2013-12-03 17:23:34 UTC"
// → seconds since the epoch; 0 when unreadable.
int64_t ParseForgeTime(const std::string& text);

// The commands of a comment: each line that starts with '/', without it
// ("/preview api=baseline" → "preview api=baseline"), outside ``` blocks.
std::vector<std::string> CommentCommands(const std::string& body);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_FORGE_EVENT_H_
