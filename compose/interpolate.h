// Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`,
// `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`,
// `${VAR+alt}` and `$$` for a literal `$`, as the Compose Specification
// defines them. Defaults may themselves hold `${...}`.
#ifndef SANDBOT_COMPOSE_INTERPOLATE_H_
#define SANDBOT_COMPOSE_INTERPOLATE_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "util/status.h"

namespace sandbot {

// Sets *value and returns true when `name` is set (possibly to "").
using VarLookup = std::function<bool(const std::string& name, std::string* value)>;

// Appends `text` with its variables replaced to *out (nothing on error). InvalidArgument for a
// malformed reference ("$", "${", "${1x}") or a `?` reference whose variable
// is unset (or empty, with `:?`): the message is the file's own error text.
// A variable that is unset and has no default becomes "" and is named in
// *unset (the caller warns, as docker-compose does).
Status Interpolate(const std::string& text, const VarLookup& lookup, std::string* out,
                   std::vector<std::string>* unset);

// The KEY=VALUE lines of a .env file (comments, blank lines and lines
// without `=` skipped; one pair of surrounding quotes removed), the
// variables a compose file is interpolated with.
std::map<std::string, std::string> ParseDotEnv(const std::string& text);

// `$` doubled, so that printed output interpolates back to the same text.
std::string EscapeDollars(const std::string& text);

}  // namespace sandbot

#endif  // SANDBOT_COMPOSE_INTERPOLATE_H_
