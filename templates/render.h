// Renderers: a MessageView into each transport's message format, one file
// per transport. Templates live in templates/*.mustache and are compiled into
// the binary (templates/template_pool.h); values are escaped for the target
// format (templates/escape.h) and clipped to its limits (templates/clip.h).
// Pure functions; every output is a complete, valid message body.
//
// This header only gathers the transports' headers for callers that pick a
// renderer at run time.
#ifndef SANDBOT_TEMPLATES_RENDER_H_
#define SANDBOT_TEMPLATES_RENDER_H_

#include "templates/mattermost.h"  // IWYU pragma: export
#include "templates/slack.h"       // IWYU pragma: export
#include "templates/teams.h"       // IWYU pragma: export
#include "templates/text.h"        // IWYU pragma: export
#include "templates/view.h"        // IWYU pragma: export

#endif  // SANDBOT_TEMPLATES_RENDER_H_
