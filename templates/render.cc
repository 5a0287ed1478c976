// Renderers: MessageView → mustache data → templates/*.mustache (embedded in
// the binary, templates/embedded.h).
//
// Escaping happens in two layers, both through the template library's escape
// hook, never by hand-built strings:
//  - markup fragments (slack_*.mustache, mattermost_text, teams_text, text)
//    are rendered with the target's markup escape (Slack mrkdwn entities,
//    Mattermost/Teams markdown without links or mentions, terminal-safe text);
//    their output is measured and clipped to the transport's limits;
//  - the JSON templates (slack, teams_card, teams_message, mattermost) are
//    rendered with a JSON-string escape and take those fragments as values.
// The result is checked as a safety net and compacted in one pass
// (templates/json_compact.h); if it is not valid JSON, a minimal message with
// the plain text goes out instead.
#include "templates/render.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "templates/embedded.h"
#include "templates/json_compact.h"

namespace sandbot {

namespace {

namespace mu = kainjow::mustache;
using nlohmann::json;
using Escape = std::function<std::string(const std::string&)>;

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
// Teams: a message of about 28 KB at most (§2.2); Mattermost posts ≤ 16383.
constexpr size_t kTeamsMaxBytes = 28000;
constexpr size_t kTeamsMaxLinks = 6;
constexpr size_t kMattermostMaxText = 16000;
constexpr size_t kTeamsMaxText = 20000;

// Field budgets, before escaping: generous for real values, small enough that
// a service line stays well within a 3000-character section.
constexpr size_t kNameMax = 100;
constexpr size_t kBranchMax = 250;
constexpr size_t kStatusMax = 40;
constexpr size_t kUrlMax = 500;
constexpr size_t kRouteMax = 200;
constexpr size_t kDetailMax = 1500;
constexpr size_t kActorMax = 200;
constexpr size_t kLogLineMax = 400;

const char kEllipsis[] = "\xE2\x80\xA6";   // …
const char kZeroWidth[] = "\xE2\x80\x8B";  // U+200B, breaks @mentions and ](links

// ---- UTF-8 and clipping ----------------------------------------------------

// Length of the well-formed UTF-8 sequence at s[i], or 0 when it is not one.
size_t Utf8Length(const std::string& s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF   ? 2
             : c >= 0xE0 && c <= 0xEF ? 3
             : c >= 0xF0 && c <= 0xF4 ? 4
                                      : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
  }
  if (c == 0xE0 && b(1) < 0xA0) return 0;  // overlong
  if (c == 0xED && b(1) > 0x9F) return 0;  // surrogate
  if (c == 0xF0 && b(1) < 0x90) return 0;  // overlong
  if (c == 0xF4 && b(1) > 0x8F) return 0;  // > U+10FFFF
  return n;
}

// s with every ill-formed byte replaced by U+FFFD.
std::string ValidUtf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s, i, n);
      i += n;
    }
  }
  return out;
}

// The longest prefix of s of at most `max` bytes that ends on a character
// boundary and not inside an HTML entity (&amp; &lt; &gt; &#…;).
size_t CutPoint(const std::string& s, size_t max) {
  if (max >= s.size()) return s.size();
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  size_t amp = n == 0 ? std::string::npos : s.rfind('&', n - 1);
  if (amp != std::string::npos && n - amp < 8 && s.find(';', amp) >= n) n = amp;
  return n;
}

// s within `max` bytes (so within `max` characters), "…" marking a cut.
std::string Clip(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  if (max < sizeof kEllipsis - 1) return s.substr(0, CutPoint(s, max));
  return s.substr(0, CutPoint(s, max - (sizeof kEllipsis - 1))) + kEllipsis;
}

// Like Clip, but cuts after a whole line when there is one.
std::string ClipLines(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  const std::string tail = std::string("\n") + kEllipsis;
  size_t nl = s.rfind('\n', max - tail.size());
  if (nl == std::string::npos || nl == 0) return Clip(s, max);
  return s.substr(0, nl) + tail;
}

// s split into pieces of at most `max` bytes, at line ends where possible; at
// most `count` pieces, the last one clipped.
std::vector<std::string> Chunks(const std::string& s, size_t max, size_t count) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size() && out.size() < count) {
    std::string rest = s.substr(pos);
    if (rest.size() <= max || out.size() + 1 == count) {
      out.push_back(ClipLines(rest, max));
      break;
    }
    size_t nl = rest.rfind('\n', max);
    size_t cut = nl != std::string::npos && nl > 0 ? nl : CutPoint(rest, max);
    if (cut == 0) cut = std::min(max, rest.size());  // never loop without progress
    std::string piece = rest.substr(0, cut);
    pos += cut + (cut < rest.size() && rest[cut] == '\n' ? 1 : 0);
    if (!piece.empty()) out.push_back(piece);
  }
  return out;
}

// A single line: newlines and tabs become spaces (headers, button labels).
std::string OneLine(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return out;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
  return s;
}

// Collapses runs of blank lines and drops leading blank lines and trailing whitespace (markdown and
// plain text read better without the blank lines templates leave behind).
std::string TidyLines(std::string s) {
  while (s.find("\n\n\n") != std::string::npos) s = ReplaceAll(s, "\n\n\n", "\n\n");
  s.erase(0, std::min(s.size(), s.find_first_not_of('\n')));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// ---- Escapes for the template library ------------------------------------

// JSON string context: quote, backslash, control characters; ill-formed
// UTF-8 becomes U+FFFD so the result always parses.
std::string JsonEscape(const std::string& raw) {
  const std::string s = ValidUtf8(raw);
  std::string out;
  out.reserve(s.size() + 8);
  for (unsigned char c : s) {
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Slack mrkdwn: &, < and > are the control characters of links and mentions
// (<@U123>, <!channel>, <url|text>); everything else is shown as typed.
std::string MrkdwnEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

// Inside a ``` block a backtick could end the block early.
std::string MrkdwnCodeEscape(const std::string& s) {
  return ReplaceAll(MrkdwnEscape(s), "`", "\xCB\x8B");  // U+02CB ˋ
}

// Markdown without links: "](" "][" "]:" lose their meaning with a zero-width
// space after the bracket.
std::string NoMarkdownLinks(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == ']' && i + 1 < s.size() &&
        (s[i + 1] == '(' || s[i + 1] == '[' || s[i + 1] == ':')) {
      out += kZeroWidth;
    }
  }
  return out;
}

// Mattermost markdown: no links, no @mentions (@channel, @all, @user). A
// mention starts a word, so "web@feature/x" stays as it is.
std::string MattermostEscape(const std::string& raw) {
  const std::string s = NoMarkdownLinks(raw);
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '@' && (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1])))) {
      out += kZeroWidth;
    }
  }
  return out;
}

// Adaptive Card markdown ignores HTML; only links need defusing.
std::string TeamsCardEscape(const std::string& s) { return JsonEscape(NoMarkdownLinks(s)); }

// Teams message text may carry HTML: entities for &, <, >; no links; a lone
// newline would be lost, so it becomes a paragraph break.
std::string TeamsTextEscape(const std::string& s) {
  return ReplaceAll(NoMarkdownLinks(MrkdwnEscape(s)), "\n", "\n\n");
}

// Terminal: control characters (ESC, C1 CSI, …) other than newline and tab
// become '?', so a branch name cannot drive the terminal.
std::string PlainEscape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F) {
      out += '?';
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      out += '?';
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// ---- Templates -------------------------------------------------------------

// The embedded text without its leading {{! … }} comment lines and without the
// file's final newline, or "" when there is no such template.
std::string LoadTemplate(const std::string& name) {
  const char* text = EmbeddedTemplate(name);
  if (!text) return "";
  std::string s = text;
  while (s.compare(0, 3, "{{!") == 0) {
    size_t end = s.find("}}");
    if (end == std::string::npos) break;
    end += 2;
    if (end < s.size() && s[end] == '\n') ++end;
    s.erase(0, end);
  }
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

// Renders templates/NAME.mustache; `partials` are the other templates it
// includes with {{> name}}. False when a template is missing or invalid.
// Parsed templates with their partials' text written in place of their
// {{> name}} tags: the library would parse a partial again at every use (600
// times for a list of 600 services). Rendering writes into the template
// object, so a thread takes one for itself and gives it back; at most two
// idle copies of each are kept, so the HTTP threads do not each hold a set.
class TemplatePool {
 public:
  using Ptr = std::unique_ptr<mu::mustache>;

  // nullptr when the template does not parse.
  Ptr Take(const std::string& key, const std::string& name,
           const std::vector<std::string>& partials) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::vector<Ptr>& idle = idle_[key];
      if (!idle.empty()) {
        Ptr tmpl = std::move(idle.back());
        idle.pop_back();
        return tmpl;
      }
    }
    std::string source = LoadTemplate(name);
    for (const std::string& p : partials) {
      const std::string tag = "{{> " + p + "}}", text = LoadTemplate(p);
      for (size_t at = source.find(tag); at != std::string::npos;
           at = source.find(tag, at + text.size())) {
        source.replace(at, tag.size(), text);
      }
    }
    auto tmpl = std::make_unique<mu::mustache>(source);
    return tmpl->is_valid() ? std::move(tmpl) : nullptr;
  }

  void Give(const std::string& key, Ptr tmpl) {
    constexpr size_t kMaxIdle = 2;
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Ptr>& idle = idle_[key];
    if (tmpl->is_valid() && idle.size() < kMaxIdle) idle.push_back(std::move(tmpl));
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<Ptr>> idle_;
};

bool RenderTemplate(const std::string& name, const mu::data& data, const Escape& escape,
                    std::string* out, const std::vector<std::string>& partials = {}) {
  static TemplatePool* pool = new TemplatePool;  // never destroyed: used until exit
  if (!EmbeddedTemplate(name)) return false;
  std::string key = name;
  for (const std::string& p : partials) {
    if (!EmbeddedTemplate(p)) return false;
    key += "|" + p;
  }
  TemplatePool::Ptr tmpl = pool->Take(key, name, partials);
  if (!tmpl) return false;
  tmpl->set_custom_escape(escape);
  *out = tmpl->render(data);
  const bool ok = tmpl->is_valid();
  pool->Give(key, std::move(tmpl));
  return ok;
}

// A template's markup, or "" if it cannot be rendered (the JSON safety net
// then notices nothing; callers treat "" as "leave the block out").
std::string Fragment(const std::string& name, const mu::data& data, const Escape& escape,
                     const std::vector<std::string>& partials = {}) {
  std::string out;
  return RenderTemplate(name, data, escape, &out, partials) ? out : "";
}

// The rendered JSON object, compact, or "" when it is not one.
std::string CheckedJson(const std::string& rendered) {
  std::string out;
  if (!CompactJson(rendered, &out) || out.empty() || out[0] != '{') return "";
  return out;
}

// ---- Views → data ----------------------------------------------------------

mu::data Str(const std::string& s) { return mu::data(s); }
// The value of an object's member, to fill in place: the library's set()
// and push_back() copy, and a list set when full is copied whole.
mu::data& Member(mu::data& object, const std::string& name) {
  return *const_cast<mu::data*>(object.get(name));  // `object` is not const
}
// Absent values are false, so {{#x}} skips them and {{x}} prints nothing.
mu::data OrFalse(const std::string& s) { return s.empty() ? mu::data(false) : mu::data(s); }
mu::data Count(size_t n) { return n == 0 ? mu::data(false) : mu::data(std::to_string(n)); }

bool IsValidUtf8(const std::string& s) {
  for (size_t i = 0, n; i < s.size(); i += n) {
    if ((n = Utf8Length(s, i)) == 0) return false;
  }
  return true;
}

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

// The view with every string well-formed UTF-8: itself when it is so (the
// usual case, with no copy), else a repaired copy in `repaired`.
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

enum class Target { kSlack, kMattermost, kTeamsCard, kTeamsText, kText };
enum class Layout { kStatus, kList, kText };

Layout LayoutOf(const MessageView& v) {
  if (v.kind == "list") return Layout::kList;
  // An export is its text alone (the JSON), so the CLI's output is the file.
  if (v.kind == "help" || v.kind == "error" || v.kind == "ack" || v.kind == "export") {
    return Layout::kText;
  }
  return Layout::kStatus;  // status, job, notification, routes, logs, …
}

std::string StatusIcon(const std::string& status) {
  if (status == "running") return ":white_check_mark:";
  if (status == "failed") return ":x:";
  if (status == "queued" || status == "building" || status == "starting") {
    return ":hourglass_flowing_sand:";
  }
  if (status == "stopped") return ":black_square_for_stop:";
  if (status == "suspended") return ":double_vertical_bar:";
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

mu::data ServiceData(const ServiceView& s, Target target, size_t detail_max = kDetailMax) {
  std::string name = Clip(s.name, kNameMax);
  std::string branch = Clip(s.branch, kBranchMax);
  std::string commit = s.commit.substr(0, CutPoint(s.commit, 7));
  std::string status = Clip(s.status.empty() ? "unknown" : s.status, kStatusMax);
  std::string url = Clip(s.url, kUrlMax);
  // A running service that is not healthy says why, where a failure would.
  std::string detail =
      s.status == "failed" ? Clip(s.detail, detail_max) : Clip(s.health, detail_max);
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
                     size_t detail_max = kDetailMax) {
  mu::data list{mu::data::type::list};
  for (size_t i = 0; i < services.size() && i < count; ++i) {
    list.push_back(ServiceData(services[i], target, detail_max));
  }
  return list;
}

mu::data RouteList(const std::vector<RouteView>& routes, size_t count = std::string::npos) {
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

// ---- Slack -------------------------------------------------------------------

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
    for (size_t i = 0; i < shown; ++i) {
      mu::data s{mu::data::type::object};
      s.set("text", Str(ClipLines(Fragment("slack_service",
                                           ServiceData(v.services[i], Target::kSlack), mrkdwn),
                                  kSlackSectionText)));
      services.push_back(s);
    }
    root.set("more_services", Count(v.services.size() - shown));
  } else if (layout == Layout::kList) {
    size_t room = blocks < kSlackMaxBlocks ? kSlackMaxBlocks - blocks : 0;
    size_t shown = v.sandboxes.size() <= room ? v.sandboxes.size() : (room > 0 ? room - 1 : 0);
    mu::data& sandboxes = Member(root, "sandboxes");
    for (size_t i = 0; i < shown; ++i) {
      const MessageView& b = v.sandboxes[i];
      mu::data d{mu::data::type::object};
      d.set("title", Str(Clip(OneLine(TitleOf(b)), kSlackHeaderText)));
      d.set("services", ServiceList(b.services, b.services.size(), Target::kSlack));
      mu::data s{mu::data::type::object};
      s.set("text", Str(ClipLines(Fragment("slack_sandbox", d, mrkdwn, {"slack_service"}),
                                  kSlackSectionText)));
      sandboxes.push_back(s);
    }
    root.set("more_sandboxes", Count(v.sandboxes.size() - shown));
  }

  std::string rendered;
  if (!RenderTemplate("slack", root, JsonEscape, &rendered)) return "";
  return CheckedJson(rendered);
}

// ---- Shared data for markdown, cards and text ------------------------------

struct Sizes {
  size_t services = 100;
  size_t sandboxes = 50;
  size_t routes = 100;
  size_t logs = 50;
  size_t log_bytes = 6000;
  size_t text = 8000;
  size_t detail = kDetailMax;
};

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
  d.set("services", ServiceList(v.services, shown, target, sizes.detail));
  d.set("more_services", Count(rich ? v.services.size() - shown : 0));

  size_t boxes = rich ? std::min(v.sandboxes.size(), sizes.sandboxes) : 0;
  mu::data sandboxes{mu::data::type::list};
  for (size_t i = 0; i < boxes; ++i) {
    const MessageView& b = v.sandboxes[i];
    mu::data s{mu::data::type::object};
    std::string name = Clip(OneLine(b.sandbox.empty() ? TitleOf(b) : b.sandbox), kNameMax);
    s.set("title", Str(Clip(OneLine(TitleOf(b)), 500)));
    s.set("sandbox", Str(target == Target::kMattermost ? Cell(name) : name));
    s.set("services", ServiceList(b.services, sizes.services, target, sizes.detail));
    sandboxes.push_back(s);
  }
  d.set("has_sandboxes", boxes > 0);
  d.set("sandboxes", sandboxes);
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

std::string TeamsCardRender(const MessageView& v) {
  Sizes sizes;
  for (int attempt = 0; attempt < 32; ++attempt) {
    mu::data d = CommonData(v, Target::kTeamsCard, sizes, TeamsCardEscape);
    std::string rendered;
    if (!RenderTemplate("teams_card", d, TeamsCardEscape, &rendered, {"teams_service"})) return "";
    std::string out = CheckedJson(rendered);
    if (out.empty() || out.size() <= kTeamsMaxBytes) return out;
    // Too big for Teams: give up log lines first, then shorten everything.
    if (sizes.logs > 0) {
      sizes.logs /= 2;
      continue;
    }
    const Sizes before = sizes;
    sizes.text = std::max<size_t>(500, sizes.text / 2);
    sizes.detail = std::max<size_t>(200, sizes.detail / 2);
    sizes.services = std::max<size_t>(5, sizes.services / 2);
    sizes.sandboxes = std::max<size_t>(5, sizes.sandboxes / 2);
    sizes.routes = std::max<size_t>(5, sizes.routes / 2);
    if (sizes.text == before.text && sizes.detail == before.detail &&
        sizes.services == before.services && sizes.sandboxes == before.sandboxes &&
        sizes.routes == before.routes) {
      break;
    }
  }
  return "";
}

std::string TeamsCardFallback(const MessageView& v) {
  json body = json::array();
  body.push_back({{"type", "TextBlock"},
                  {"text", NoMarkdownLinks(Clip(ValidUtf8(TitleOf(v)), 500))},
                  {"size", "Medium"},
                  {"weight", "Bolder"},
                  {"wrap", true}});
  if (!v.text.empty()) {
    body.push_back({{"type", "TextBlock"},
                    {"text", NoMarkdownLinks(Clip(ValidUtf8(v.text), 4000))},
                    {"wrap", true}});
  }
  json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"type", "AdaptiveCard"},
               {"version", "1.4"},
               {"body", body}};
  json out = {
      {"type", "message"},
      {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                    {"contentUrl", nullptr},
                                    {"content", card}}})}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Plain text of the view for the fallbacks: title and text.
std::string PlainFallback(const MessageView& v, size_t max) {
  return Clip(ValidUtf8(TitleOf(v) + (v.text.empty() ? "" : "\n" + v.text)), max);
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

std::string RenderMattermost(const MessageView& view, const std::string& response_type) {
  MessageView repaired;
  const MessageView& v = Cleaned(view, &repaired);
  const std::string type = response_type.empty() ? "ephemeral" : ValidUtf8(response_type);
  std::string text;
  mu::data md = CommonData(v, Target::kMattermost, Sizes{}, MattermostEscape);
  if (RenderTemplate("mattermost_text", md, MattermostEscape, &text, {"mattermost_service"})) {
    mu::data d{mu::data::type::object};
    d.set("response_type", Str(type));
    d.set("text", Str(Clip(TidyLines(text), kMattermostMaxText)));
    std::string rendered;
    if (RenderTemplate("mattermost", d, JsonEscape, &rendered)) {
      std::string out = CheckedJson(rendered);
      if (!out.empty()) return out;
    }
  }
  json out = {{"response_type", type},
              {"skip_slack_parsing", true},
              {"text", MattermostEscape(PlainFallback(v, kMattermostMaxText))}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string RenderTeamsCard(const MessageView& view) {
  MessageView repaired;
  const MessageView& v = Cleaned(view, &repaired);
  std::string out = TeamsCardRender(v);
  return out.empty() ? TeamsCardFallback(v) : out;
}

std::string RenderTeamsText(const MessageView& view) {
  MessageView repaired;
  const MessageView& v = Cleaned(view, &repaired);
  std::string text;
  mu::data md = CommonData(v, Target::kTeamsText, Sizes{}, TeamsTextEscape);
  if (RenderTemplate("teams_text", md, TeamsTextEscape, &text, {"teams_text_service"})) {
    mu::data d{mu::data::type::object};
    d.set("text", Str(Clip(TidyLines(text), kTeamsMaxText)));
    std::string rendered;
    if (RenderTemplate("teams_message", d, JsonEscape, &rendered)) {
      std::string out = CheckedJson(rendered);
      if (!out.empty()) return out;
    }
  }
  json out = {{"type", "message"}, {"text", TeamsTextEscape(PlainFallback(v, kTeamsMaxText))}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string RenderText(const MessageView& view) {
  MessageView repaired;
  const MessageView& v = Cleaned(view, &repaired);
  Sizes sizes;
  sizes.services = sizes.sandboxes = sizes.routes = sizes.logs = std::string::npos;
  sizes.log_bytes = sizes.text = std::string::npos;
  std::string text;
  mu::data d = CommonData(v, Target::kText, sizes, PlainEscape);
  if (!RenderTemplate("text", d, PlainEscape, &text, {"text_service"})) {
    text = PlainEscape(PlainFallback(v, std::string::npos));
  }
  text = TidyLines(text);
  return text.empty() ? text : text + "\n";
}

}  // namespace sandbot
