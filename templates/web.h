// The dashboard's HTML: templates/web_*.mustache rendered with every value
// HTML-escaped (templates/escape.h HtmlEscape), and its static files
// (templates/web_app.js, web_app.css), embedded like the templates.
#ifndef SANDBOT_TEMPLATES_WEB_H_
#define SANDBOT_TEMPLATES_WEB_H_

#include <kainjow/mustache.hpp>
#include <string>

namespace sandbot {

// templates/NAME.mustache (web_sandboxes, web_sandbox, web_audit, web_job,
// web_signin, or the fragment web_sandboxes_table), "" if it cannot render.
std::string RenderWebPage(const std::string& name, const kainjow::mustache::data& data);
// An embedded static file by name ("web_app.js"): its text and Content-Type;
// false when there is none. Only .js and .css files are served.
bool WebStaticFile(const std::string& name, std::string* text, std::string* content_type);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_WEB_H_
