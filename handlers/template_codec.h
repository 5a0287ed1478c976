// The template file format's strict reader and the rules every template
// follows, whether typed as a command or imported as JSON. The store only
// saves and reads what these accepted (store/templates.h).
#ifndef SANDBOT_HANDLERS_TEMPLATE_CODEC_H_
#define SANDBOT_HANDLERS_TEMPLATE_CODEC_H_

#include <string>

#include "store/templates.h"
#include "util/status.h"

namespace sandbot {

// Strict: valid JSON, an object with exactly the known fields, the format
// version, valid names, branches and routes. InvalidArgument names the bad
// field (e.g. `services.web.branch: ...`).
Status ParseTemplateJson(const std::string& text, Template* t);
// The rules ParseTemplateJson checks, for templates built from commands:
// valid names, one of branch/route per entry, a gateway deployed from a
// branch.
Status ValidateTemplate(const Template& t);

}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_TEMPLATE_CODEC_H_
