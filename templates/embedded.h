// Templates compiled into the binary. The build turns templates/*.mustache
// into $(BUILD)/gen/templates_embedded.cc (scripts/embed-templates.sh), so the
// daemon needs no template files at run time and editing one rebuilds.
#ifndef SANDBOT_TEMPLATES_EMBEDDED_H_
#define SANDBOT_TEMPLATES_EMBEDDED_H_

#include <string>
#include <vector>

namespace sandbot {

// The text of templates/NAME.mustache, or nullptr if there is no such file.
const char* EmbeddedTemplate(const std::string& name);
// Every embedded NAME, in build order.
std::vector<std::string> EmbeddedTemplateNames();

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_EMBEDDED_H_
