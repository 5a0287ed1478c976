// MessageView → mustache data: what every transport's templates share. The
// transports (templates/slack.cc, mattermost.cc, teams.cc, text.cc) repair
// the view (Cleaned), pick its layout and fill the data here, then render it
// through the template pool with their escape.
#ifndef SANDBOT_TEMPLATES_VIEW_DATA_H_
#define SANDBOT_TEMPLATES_VIEW_DATA_H_

#include <cstddef>
#include <kainjow/mustache.hpp>
#include <string>
#include <utility>
#include <vector>

#include "templates/template_pool.h"
#include "templates/view.h"

namespace sandbot {

// Field budgets, before escaping: generous for real values, small enough that
// a service line stays well within a 3000-character Slack section.
constexpr size_t kNameMax = 100;
constexpr size_t kBranchMax = 250;
constexpr size_t kStatusMax = 40;
constexpr size_t kUrlMax = 500;
constexpr size_t kRouteMax = 200;
constexpr size_t kDetailMax = 1500;
constexpr size_t kActorMax = 200;
constexpr size_t kLogLineMax = 400;

inline kainjow::mustache::data Str(const std::string& s) { return kainjow::mustache::data(s); }
// The value of an object's member, to fill in place: the library's set()
// and push_back() copy, and a list set when full is copied whole.
inline kainjow::mustache::data& Member(kainjow::mustache::data& object, const std::string& name) {
  return *const_cast<kainjow::mustache::data*>(object.get(name));  // `object` is not const
}
// kainjow's push_back and set copy deeply (an item with its lists, then the
// whole list of items): with 50 sandboxes or rows these copies cost about
// what the rendering does. These move instead.
using Items = std::vector<kainjow::mustache::data>;
// list_value() is const only in its signature: the vector is the list's own.
inline Items& ItemsOf(kainjow::mustache::data* list) {
  return const_cast<Items&>(list->list_value());
}
inline void Append(kainjow::mustache::data* list, kainjow::mustache::data&& item) {
  ItemsOf(list).push_back(std::move(item));
}
// mu::data's move is not noexcept, so a growing vector copies its items:
// room first.
inline void Reserve(kainjow::mustache::data* list, size_t n) { ItemsOf(list).reserve(n); }
inline void Put(kainjow::mustache::data* object, const std::string& name,
                kainjow::mustache::data&& value) {
  (*object)[name] = std::move(value);
}
// Absent values are false, so {{#x}} skips them and {{x}} prints nothing.
inline kainjow::mustache::data OrFalse(const std::string& s) {
  return s.empty() ? kainjow::mustache::data(false) : kainjow::mustache::data(s);
}
inline kainjow::mustache::data Count(size_t n) {
  return n == 0 ? kainjow::mustache::data(false) : kainjow::mustache::data(std::to_string(n));
}

// The view with every string well-formed UTF-8: itself when it is so (the
// usual case, with no copy), else a repaired copy in `repaired`.
const MessageView& Cleaned(const MessageView& in, MessageView* repaired);

enum class Target { kSlack, kMattermost, kTeamsCard, kTeamsText, kText };
enum class Layout { kStatus, kList, kText };

Layout LayoutOf(const MessageView& v);
// Every line of `text` two spaces in ("" stays "").
std::string Indented(const std::string& text);
// The view's title, or a neutral one: every message needs a non-empty header.
std::string TitleOf(const MessageView& v);
// Slack emoji for a service status and a job outcome ("" for none).
std::string StatusIcon(const std::string& status);
std::string OutcomeIcon(const std::string& outcome);
// Mattermost table cells: a newline or an unescaped | would end the row.
std::string Cell(const std::string& s);

// One service, its fields clipped and shaped for `target`.
kainjow::mustache::data ServiceData(const ServiceView& s, Target target,
                                    size_t detail_max = kDetailMax);
// The first `count` services.
kainjow::mustache::data ServiceList(const std::vector<ServiceView>& services, size_t count,
                                    Target target, size_t detail_max = kDetailMax);
// The first `count` routes, the last one marked.
kainjow::mustache::data RouteList(const std::vector<RouteView>& routes,
                                  size_t count = std::string::npos);
// The last log lines whose escaped form fits in `budget` bytes (each line
// plus a newline), at most `max_lines`; *omitted counts the earlier ones.
std::vector<std::string> LastLogLines(const std::vector<std::string>& lines, size_t budget,
                                      size_t max_lines, const Escape& escape, size_t* omitted);
kainjow::mustache::data LogList(const std::vector<std::string>& lines);

// How much of a view the markdown, card and text templates show.
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
kainjow::mustache::data CommonData(const MessageView& v, Target target, const Sizes& sizes,
                                   const Escape& escape);

// Plain text of the view for the fallbacks: title and text.
std::string PlainFallback(const MessageView& v, size_t max);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_VIEW_DATA_H_
