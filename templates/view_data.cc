#include "templates/view_data.h"

#include <algorithm>

#include "templates/clip.h"
#include "util/job_types.h"

namespace sandbot {

namespace mu = kainjow::mustache;

namespace {

// Teams: one Action.OpenUrl per service URL, at most this many.
constexpr size_t kTeamsMaxLinks = 6;

// Calls f on every string of a view (View: MessageView, or const).
template <typename View, typename F>
void ForEachString(View& v, const F& f) {
  for (auto* s : {&v.kind, &v.title, &v.text, &v.sandbox, &v.actor, &v.outcome}) f(*s);
  for (auto& x : v.services) {
    for (auto* s : {&x.name, &x.branch, &x.commit, &x.status, &x.url, &x.route, &x.detail}) f(*s);
  }
  for (auto& r : v.routes) {
    for (auto* s : {&r.service, &r.route, &r.target}) f(*s);
  }
  for (auto& b : v.buttons) {
    for (auto* s : {&b.text, &b.action_id, &b.value, &b.style}) f(*s);
  }
  for (auto& line : v.log_lines) f(line);
  for (auto& item : v.sandboxes) ForEachString(item, f);
}

}  // namespace

const MessageView& Cleaned(const MessageView& in, MessageView* repaired) {
  bool valid = true;
  ForEachString(in, [&valid](const std::string& s) { valid = valid && IsValidUtf8(s); });
  if (valid) return in;
  *repaired = in;
  ForEachString(*repaired, [](std::string& s) {
    if (!IsValidUtf8(s)) s = ValidUtf8(s);
  });
  return *repaired;
}

Layout LayoutOf(const MessageView& v) {
  if (v.kind == "list") return Layout::kList;
  // An export is its text alone (the JSON), so the CLI's output is the file.
  if (v.kind == "help" || v.kind == "error" || v.kind == "ack" || v.kind == "export") {
    return Layout::kText;
  }
  return Layout::kStatus;  // status, job, notification, routes, logs, …
}

std::string Indented(const std::string& text) {
  return text.empty() ? text : "  " + ReplaceAll(text, "\n", "\n  ");
}

std::string StatusIcon(const std::string& status) {
  ServiceStatus known = ServiceStatus::kQueued;
  if (!ParseServiceStatus(status, &known)) return ":grey_question:";
  switch (known) {
    case ServiceStatus::kRunning: return ":white_check_mark:";
    case ServiceStatus::kFailed: return ":x:";
    case ServiceStatus::kQueued:
    case ServiceStatus::kBuilding:
    case ServiceStatus::kStarting: return ":hourglass_flowing_sand:";
    case ServiceStatus::kStopped: return ":black_square_for_stop:";
    case ServiceStatus::kSuspended: return ":double_vertical_bar:";
  }
  return ":grey_question:";
}

std::string OutcomeIcon(const std::string& outcome) {
  if (outcome == "succeeded") return ":white_check_mark:";
  if (outcome == "failed") return ":x:";
  if (outcome == "started") return ":hourglass_flowing_sand:";
  return "";
}

// Mattermost table cells: a newline or an unescaped | would end the row.
std::string Cell(const std::string& s) {
  return ReplaceAll(ReplaceAll(OneLine(s), "\\", "\\\\"), "|", "\\|");
}

mu::data ServiceData(const ServiceView& s, Target target, size_t detail_max) {
  std::string name = Clip(s.name, kNameMax);
  std::string branch = Clip(s.branch, kBranchMax);
  std::string commit = s.commit.substr(0, CutPoint(s.commit, 7));
  std::string status = Clip(s.status.empty() ? "unknown" : s.status, kStatusMax);
  std::string url = Clip(s.url, kUrlMax);
  // A running service that is not healthy says why, where a failure would.
  std::string detail = s.status == ServiceStatusName(ServiceStatus::kFailed)
                           ? Clip(s.detail, detail_max)
                           : Clip(s.health, detail_max);
  if (target == Target::kSlack) {
    url = ReplaceAll(url, "|", "%7C");  // <url|text> ends the URL at the first |
  } else if (target == Target::kMattermost) {
    for (std::string* f : {&name, &branch, &commit, &status, &url, &detail}) *f = Cell(*f);
  } else if (target == Target::kTeamsText) {
    detail = OneLine(detail);  // stays on its list item
  } else if (target == Target::kText) {
    detail = ReplaceAll(detail, "\n", "\n    ");  // indented under the service
  }
  mu::data d{mu::data::type::object};
  d.set("name", Str(name.empty() ? "?" : name));
  d.set("branch", OrFalse(branch));
  d.set("commit", OrFalse(commit));
  d.set("status", Str(status));
  d.set("url", OrFalse(url));
  d.set("detail", OrFalse(detail));
  d.set("icon", Str(StatusIcon(s.status)));
  return d;
}

mu::data ServiceList(const std::vector<ServiceView>& services, size_t count, Target target,
                     size_t detail_max) {
  mu::data list{mu::data::type::list};
  Reserve(&list, std::min(count, services.size()));
  for (size_t i = 0; i < services.size() && i < count; ++i) {
    Append(&list, ServiceData(services[i], target, detail_max));
  }
  return list;
}

mu::data RouteList(const std::vector<RouteView>& routes, size_t count) {
  mu::data list{mu::data::type::list};
  count = std::min(count, routes.size());
  for (size_t i = 0; i < count; ++i) {
    mu::data r{mu::data::type::object};
    r.set("service", Str(Clip(OneLine(routes[i].service), kNameMax)));
    r.set("route", Str(Clip(OneLine(routes[i].route), kRouteMax)));
    r.set("last", i + 1 == count);
    list.push_back(r);
  }
  return list;
}

// The last log lines whose escaped form fits in `budget` bytes (each line
// plus a newline), at most `max_lines`; *omitted counts the earlier ones.
std::vector<std::string> LastLogLines(const std::vector<std::string>& lines, size_t budget,
                                      size_t max_lines, const Escape& escape, size_t* omitted) {
  std::vector<std::string> kept;
  size_t used = 0;
  for (size_t i = lines.size(); i-- > 0 && kept.size() < max_lines;) {
    std::string line = Clip(OneLine(lines[i]), kLogLineMax);
    size_t cost = escape(line).size() + 1;
    if (used + cost > budget) break;
    used += cost;
    kept.push_back(line);
  }
  std::reverse(kept.begin(), kept.end());
  *omitted = lines.size() - kept.size();
  return kept;
}

mu::data LogList(const std::vector<std::string>& lines) {
  mu::data list{mu::data::type::list};
  for (const std::string& line : lines) {
    mu::data l{mu::data::type::object};
    l.set("line", Str(line));
    list.push_back(l);
  }
  return list;
}

// The view's title, or a neutral one: every message needs a non-empty header.
std::string TitleOf(const MessageView& v) {
  if (!v.title.empty()) return v.title;
  if (!v.sandbox.empty()) return "sandbox " + v.sandbox;
  return "sandbot";
}

// Everything the Mattermost, Teams and text templates show. `escape` is the
// markup escape the values will get (used to measure log lines).
mu::data CommonData(const MessageView& v, Target target, const Sizes& sizes, const Escape& escape) {
  const Layout layout = LayoutOf(v);
  mu::data d{mu::data::type::object};
  std::string text = Clip(v.text, sizes.text);
  if (layout == Layout::kText && v.kind == "error" && target == Target::kMattermost) {
    text = ":warning: " + text;
  }
  if (layout == Layout::kText && v.kind == "error" && target == Target::kTeamsText) {
    text = "\xE2\x9A\xA0\xEF\xB8\x8F " + text;  // ⚠️
  }
  // Plain text: a sandbox's lines (main URL, lifecycle notes) sit under its
  // title like its services do.
  if (layout == Layout::kStatus && target == Target::kText) text = Indented(text);
  // Help, errors and acknowledgements are their text; a card still needs a title.
  const bool hide_title = layout == Layout::kText && !text.empty() && target != Target::kTeamsCard;
  d.set("title", hide_title ? mu::data(false) : Str(Clip(OneLine(TitleOf(v)), 500)));
  d.set("text", OrFalse(text));
  // Teams cards take text blocks as a list; errors stand out.
  mu::data texts{mu::data::type::list};
  if (!text.empty()) {
    mu::data t{mu::data::type::object};
    t.set("text", Str(text));
    t.set("attention", v.kind == "error");
    texts.push_back(t);
  }
  d.set("texts", texts);

  // Help, errors and acknowledgements show their text and nothing else.
  const bool rich = layout != Layout::kText;
  size_t shown = rich ? std::min(v.services.size(), sizes.services) : 0;
  d.set("has_services", shown > 0);
  Put(&d, "services", ServiceList(v.services, shown, target, sizes.detail));
  d.set("more_services", Count(rich ? v.services.size() - shown : 0));

  size_t boxes = rich ? std::min(v.sandboxes.size(), sizes.sandboxes) : 0;
  mu::data sandboxes{mu::data::type::list};
  Reserve(&sandboxes, boxes);
  for (size_t i = 0; i < boxes; ++i) {
    const MessageView& b = v.sandboxes[i];
    mu::data s{mu::data::type::object};
    std::string name = Clip(OneLine(b.sandbox.empty() ? TitleOf(b) : b.sandbox), kNameMax);
    s.set("title", Str(Clip(OneLine(TitleOf(b)), 500)));
    s.set("sandbox", Str(target == Target::kMattermost ? Cell(name) : name));
    Put(&s, "services", ServiceList(b.services, sizes.services, target, sizes.detail));
    // Plain text shows each sandbox's lines too (the CLI's `sandbox list`).
    if (target == Target::kText) s.set("text", OrFalse(Indented(Clip(b.text, sizes.text))));
    Append(&sandboxes, std::move(s));
  }
  d.set("has_sandboxes", boxes > 0);
  Put(&d, "sandboxes", std::move(sandboxes));
  d.set("more_sandboxes", Count(rich ? v.sandboxes.size() - boxes : 0));

  size_t routes = rich ? std::min(v.routes.size(), sizes.routes) : 0;
  d.set("has_routes", routes > 0);
  d.set("routes", RouteList(v.routes, routes));
  d.set("more_routes", Count(rich ? v.routes.size() - routes : 0));
  d.set("actor", OrFalse(rich ? Clip(OneLine(v.actor), kActorMax) : ""));

  size_t omitted = 0;
  auto lines = LastLogLines(rich ? v.log_lines : std::vector<std::string>{}, sizes.log_bytes,
                            sizes.logs, escape, &omitted);
  d.set("has_logs", !lines.empty() || omitted > 0);
  d.set("logs", LogList(lines));
  d.set("omitted", Count(omitted));

  // Teams: one Action.OpenUrl per service URL (cards allow no other action).
  mu::data links{mu::data::type::list};
  for (const ServiceView& s : v.services) {
    if (!rich || links.list_value().size() >= kTeamsMaxLinks) break;
    const std::string url = s.url;
    if (url.size() > kUrlMax || (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)) {
      continue;
    }
    mu::data l{mu::data::type::object};
    l.set("first", links.list_value().empty());
    l.set("name", Str(Clip(OneLine(s.name), kNameMax)));
    l.set("url", Str(url));
    links.push_back(l);
  }
  d.set("has_links", !links.list_value().empty());
  d.set("links", links);
  return d;
}

// Plain text of the view for the fallbacks: title and text.
std::string PlainFallback(const MessageView& v, size_t max) {
  return Clip(ValidUtf8(TitleOf(v) + (v.text.empty() ? "" : "\n" + v.text)), max);
}

}  // namespace sandbot
