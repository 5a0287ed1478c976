// Teams: templates/teams_card.mustache (JSON with the card's markdown,
// escaped for it) shrunk until it fits; templates/teams_text.mustache (HTML
// entities, markdown) as the text of templates/teams_message.mustache.
#include "templates/teams.h"

#include <algorithm>
#include <kainjow/mustache.hpp>
#include <nlohmann/json.hpp>

#include "templates/clip.h"
#include "templates/escape.h"
#include "templates/json_compact.h"
#include "templates/template_pool.h"
#include "templates/view_data.h"

namespace sandbot {

namespace {

namespace mu = kainjow::mustache;
using nlohmann::json;

// A Teams message is about 28 KB at most (PROTOCOLS.md §2.2).
constexpr size_t kTeamsMaxBytes = 28000;
constexpr size_t kTeamsMaxText = 20000;

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

}  // namespace

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

}  // namespace sandbot
