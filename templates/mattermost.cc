// Mattermost: templates/mattermost_text.mustache (markdown, Mattermost-escaped,
// tidied and clipped) as the text of templates/mattermost.mustache.
#include "templates/mattermost.h"

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

// A Mattermost post holds 16383 characters at most.
constexpr size_t kMattermostMaxText = 16000;

}  // namespace

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

}  // namespace sandbot
