// A forge webhook as handlers/forge_event.h reads it, after the signature
// check (the forge's secret is all that stands before this parser). The
// first byte picks the forge and the event header, the rest is the body.
// Properties: no crash; the fast parser (simdjson, only the members read)
// means exactly what the whole nlohmann DOM means, status and every field;
// a pull request event names a positive number and a full commit id;
// comment commands are single lines.
// fuzz-link: handlers/forge_event.cc hooks/ref_update.cc util/status.cc
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/require.h"
#include "handlers/forge_event.h"
#include "hooks/ref_update.h"

using sandbot_fuzz::Require;

namespace {

struct Header {
  const char* kind;
  const char* event;
};
const Header kHeaders[] = {
    {"github", "pull_request"}, {"github", "issue_comment"},
    {"github", "push"},         {"github", "ping"},
    {"gitea", "pull_request"},  {"gitea", "issue_comment"},
    {"gitea", "push"},          {"gitlab", "Merge Request Hook"},
    {"gitlab", "Note Hook"},    {"gitlab", "Push Hook"},
    {"github", "other"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Header& h = kHeaders[data[0] % (sizeof(kHeaders) / sizeof(kHeaders[0]))];
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  sandbot::ForgeEvent e, dom;
  const sandbot::Status fast = sandbot::ParseForgeEvent(h.kind, h.event, body, &e);
  const sandbot::Status whole = sandbot::ParseForgeEventDom(h.kind, h.event, body, &dom);
  Require(fast.ToString() == whole.ToString());
  Require(e.kind == dom.kind && e.name == dom.name && e.sender == dom.sender &&
          e.sender_id == dom.sender_id && e.comment_id == dom.comment_id && e.repo == dom.repo &&
          e.clone_url == dom.clone_url && e.action == dom.action && e.number == dom.number &&
          e.title == dom.title && e.url == dom.url && e.head_sha == dom.head_sha &&
          e.head_ref == dom.head_ref && e.head_at == dom.head_at && e.draft == dom.draft &&
          e.fork == dom.fork && e.labels == dom.labels && e.comment == dom.comment &&
          e.commenter_can_write == dom.commenter_can_write && e.ref == dom.ref &&
          e.before == dom.before && e.after == dom.after);
  if (!fast.ok()) return 0;
  if (e.kind == sandbot::ForgeEventKind::kPullRequest) {
    Require(e.number > 0);
    Require(sandbot::IsObjectName(e.head_sha));
  }
  if (e.kind == sandbot::ForgeEventKind::kComment) Require(e.number > 0);
  for (const std::string& command : sandbot::CommentCommands(e.comment)) {
    Require(!command.empty() && command.find('\n') == std::string::npos);
  }
  return 0;
}
