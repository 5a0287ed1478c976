// Slack: templates/slack.mustache (the JSON, JSON-escaped) with mrkdwn
// fragments from slack_*.mustache (mrkdwn-escaped), each measured and clipped
// to Block Kit's limits. The chat bench renders this on every request: lists
// are filled in place in the message data, never built apart and copied.
#include "templates/slack.h"

#include <algorithm>
#include <kainjow/mustache.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "templates/clip.h"
#include "templates/escape.h"
#include "templates/json_compact.h"
#include "templates/template_pool.h"
#include "templates/view_data.h"

namespace sandbot {

namespace {

namespace mu = kainjow::mustache;
using nlohmann::json;

// Slack Block Kit (PROTOCOLS.md §1.5).
constexpr size_t kSlackMaxBlocks = 50;
constexpr size_t kSlackSectionText = 3000;
constexpr size_t kSlackHeaderText = 150;
constexpr size_t kSlackButtonText = 75;
constexpr size_t kSlackActionId = 255;
constexpr size_t kSlackButtonValue = 2000;
constexpr size_t kSlackMaxActions = 25;
constexpr size_t kSlackMaxActionRows = 5;
constexpr size_t kSlackFallbackText = 3000;
constexpr size_t kSlackMaxTextSections = 2;  // in status and list layouts

// Buttons in actions blocks. Slack rejects a block where two elements share
// an action_id, so the n-th button of each action_id goes to the n-th block:
// the first block holds one of each (Redeploy web, Route web…, Destroy).
std::vector<std::vector<const ButtonView*>> ActionRows(const std::vector<ButtonView>& buttons) {
  std::vector<std::vector<const ButtonView*>> rows;
  std::map<std::string, size_t> seen;
  for (const ButtonView& b : buttons) {
    if (b.action_id.empty()) continue;
    size_t row = seen[Clip(b.action_id, kSlackActionId)]++;
    if (row >= kSlackMaxActionRows) continue;
    if (row >= rows.size()) rows.resize(row + 1);
    rows[row].push_back(&b);
  }
  size_t total = 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    size_t room = kSlackMaxActions - total;
    if (rows[r].size() > room) rows[r].resize(room);
    total += rows[r].size();
    if (rows[r].empty()) {
      rows.resize(r);
      break;
    }
  }
  return rows;
}

mu::data SlackButton(const ButtonView& b, bool first) {
  std::string text = Clip(OneLine(b.text.empty() ? b.action_id : b.text), kSlackButtonText);
  std::string label = text.substr(0, text.find(' '));
  mu::data d{mu::data::type::object};
  d.set("first", first);
  d.set("text", Str(text));
  d.set("action_id", Str(Clip(b.action_id, kSlackActionId)));
  d.set("value", Str(Clip(b.value, kSlackButtonValue)));
  d.set("style", b.style == "primary" || b.style == "danger" ? Str(b.style) : mu::data(false));
  d.set("danger", b.style == "danger");
  d.set("confirm_label", Str(Clip(label.empty() ? "Yes" : label, 30)));
  return d;
}

mu::data SlackTextSections(const std::vector<std::string>& chunks, bool first_block) {
  mu::data list{mu::data::type::list};
  for (size_t i = 0; i < chunks.size(); ++i) {
    mu::data d{mu::data::type::object};
    d.set("first", first_block && i == 0);
    d.set("text", Str(chunks[i]));
    list.push_back(d);
  }
  return list;
}

std::string SlackFallbackJson(const MessageView& v, const std::string& response_type,
                              bool replace_original) {
  json out = json::object();
  if (!response_type.empty()) out["response_type"] = response_type;
  if (replace_original) out["replace_original"] = true;
  std::string text = TitleOf(v) + (v.text.empty() ? "" : "\n" + v.text);
  out["text"] = Clip(MrkdwnEscape(ValidUtf8(text)), kSlackFallbackText);
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string SlackRender(const MessageView& v, const std::string& response_type,
                        bool replace_original) {
  const Layout layout = LayoutOf(v);
  const Escape mrkdwn = MrkdwnEscape;
  const std::string title = TitleOf(v);
  const std::string icon = v.kind == "error" ? ":warning:" : OutcomeIcon(v.outcome);
  mu::data root{mu::data::type::object};
  root.set("response_type", OrFalse(response_type));
  root.set("replace_original", replace_original);

  // Top-level "text": the notification line.
  {
    mu::data f{mu::data::type::object};
    bool show_title = layout != Layout::kText || v.text.empty();
    f.set("icon", OrFalse(layout == Layout::kText ? icon : ""));
    f.set("title", Str(show_title ? title : ""));
    f.set("both", show_title && !v.text.empty());
    f.set("text", Str(v.text));
    std::string fallback = Clip(Fragment("slack_fallback", f, mrkdwn), kSlackFallbackText);
    root.set("fallback", Str(fallback.empty() ? "sandbot" : fallback));
  }

  const auto rows = ActionRows(v.buttons);
  size_t blocks = rows.size();
  mu::data action_rows{mu::data::type::list};
  for (const auto& row : rows) {
    mu::data buttons{mu::data::type::list};
    for (size_t i = 0; i < row.size(); ++i) buttons.push_back(SlackButton(*row[i], i == 0));
    mu::data r{mu::data::type::object};
    r.set("buttons", buttons);
    action_rows.push_back(r);
  }
  root.set("action_rows", action_rows);

  // Free text: one or more sections (help can be long).
  std::string text = v.text;
  if (layout == Layout::kText && text.empty()) text = title;
  std::vector<std::string> chunks;
  if (!text.empty()) {
    mu::data t{mu::data::type::object};
    t.set("icon", OrFalse(icon));
    t.set("text", Str(text));
    size_t room = layout == Layout::kText ? kSlackMaxBlocks - blocks : kSlackMaxTextSections;
    chunks =
        Chunks(Fragment("slack_text", t, mrkdwn), kSlackSectionText, std::max<size_t>(room, 1));
  }
  if (layout == Layout::kText && chunks.empty()) chunks.push_back(MrkdwnEscape(title));

  const bool header = layout != Layout::kText;
  root.set("header", header ? Str(Clip(OneLine(title), kSlackHeaderText)) : mu::data(false));
  root.set("text_sections", SlackTextSections(chunks, !header));
  blocks += (header ? 1 : 0) + chunks.size();

  root.set("routes", mu::data(false));
  root.set("actor", mu::data(false));
  root.set("logs", mu::data(false));
  root.set("services", mu::data{mu::data::type::list});
  root.set("more_services", mu::data(false));
  root.set("sandboxes", mu::data{mu::data::type::list});
  root.set("more_sandboxes", mu::data(false));

  if (layout == Layout::kStatus) {
    if (!v.routes.empty()) {
      mu::data r{mu::data::type::object};
      r.set("routes", RouteList(v.routes));
      root.set("routes", OrFalse(Clip(Fragment("slack_routes", r, mrkdwn), kSlackSectionText)));
      ++blocks;
    }
    if (!v.actor.empty()) {
      mu::data a{mu::data::type::object};
      a.set("actor", Str(Clip(OneLine(v.actor), kActorMax)));
      root.set("actor", OrFalse(Clip(Fragment("slack_actor", a, mrkdwn), kSlackSectionText)));
      ++blocks;
    }
    if (!v.log_lines.empty()) {
      size_t omitted = 0;
      const size_t frame = 64;  // ``` fences and the "… N earlier lines" line
      auto lines = LastLogLines(v.log_lines, kSlackSectionText - frame, v.log_lines.size(),
                                MrkdwnCodeEscape, &omitted);
      mu::data l{mu::data::type::object};
      l.set("lines", LogList(lines));
      l.set("omitted", Count(omitted));
      root.set("logs",
               OrFalse(Clip(Fragment("slack_logs", l, MrkdwnCodeEscape), kSlackSectionText)));
      ++blocks;
    }
    size_t room = blocks < kSlackMaxBlocks ? kSlackMaxBlocks - blocks : 0;
    size_t shown = v.services.size() <= room ? v.services.size() : (room > 0 ? room - 1 : 0);
    mu::data& services = Member(root, "services");
    Reserve(&services, shown);
    for (size_t i = 0; i < shown; ++i) {
      mu::data s{mu::data::type::object};
      s.set("text", Str(ClipLines(Fragment("slack_service",
                                           ServiceData(v.services[i], Target::kSlack), mrkdwn),
                                  kSlackSectionText)));
      Append(&services, std::move(s));
    }
    root.set("more_services", Count(v.services.size() - shown));
  } else if (layout == Layout::kList) {
    size_t room = blocks < kSlackMaxBlocks ? kSlackMaxBlocks - blocks : 0;
    size_t shown = v.sandboxes.size() <= room ? v.sandboxes.size() : (room > 0 ? room - 1 : 0);
    mu::data& sandboxes = Member(root, "sandboxes");
    Reserve(&sandboxes, shown);
    for (size_t i = 0; i < shown; ++i) {
      const MessageView& b = v.sandboxes[i];
      mu::data d{mu::data::type::object};
      d.set("title", Str(Clip(OneLine(TitleOf(b)), kSlackHeaderText)));
      Put(&d, "services", ServiceList(b.services, b.services.size(), Target::kSlack));
      mu::data s{mu::data::type::object};
      s.set("text", Str(ClipLines(Fragment("slack_sandbox", d, mrkdwn, {"slack_service"}),
                                  kSlackSectionText)));
      Append(&sandboxes, std::move(s));
    }
    root.set("more_sandboxes", Count(v.sandboxes.size() - shown));
  }

  std::string rendered;
  if (!RenderTemplate("slack", root, JsonEscape, &rendered)) return "";
  return CheckedJson(rendered);
}

}  // namespace

std::string RenderSlack(const MessageView& view, const std::string& response_type,
                        bool replace_original) {
  MessageView repaired;
  const MessageView& v = Cleaned(view, &repaired);
  const std::string type = ValidUtf8(response_type);
  std::string out = SlackRender(v, type, replace_original);
  return out.empty() ? SlackFallbackJson(v, type, replace_original) : out;
}

}  // namespace sandbot
