#include "templates/web.h"

#include "templates/embedded.h"
#include "templates/escape.h"
#include "templates/template_pool.h"

namespace sandbot {

namespace {

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::string RenderWebPage(const std::string& name, const kainjow::mustache::data& data) {
  std::string out;
  if (!RenderTemplate(name, data, HtmlEscape, &out,
                      {"web_head", "web_foot", "web_sandboxes_table"})) {
    return "";
  }
  return out;
}

bool WebStaticFile(const std::string& name, std::string* text, std::string* content_type) {
  if (EndsWith(name, ".js")) {
    *content_type = "text/javascript; charset=utf-8";
  } else if (EndsWith(name, ".css")) {
    *content_type = "text/css; charset=utf-8";
  } else {
    return false;
  }
  const char* embedded = EmbeddedTemplate(name);
  if (embedded == nullptr) return false;
  *text = embedded;
  return true;
}

}  // namespace sandbot
