// `sandbot compose config`'s output: a parsed Compose file in its normal
// form (the Compose Specification's long syntax where its schema has one,
// keys sorted, `$` written `$$` so the output reads back the same), as JSON
// or as YAML.
#ifndef SANDBOT_COMPOSE_COMPOSE_RENDER_H_
#define SANDBOT_COMPOSE_COMPOSE_RENDER_H_

#include <nlohmann/json.hpp>
#include <string>

#include "compose/compose_file.h"

namespace sandbot {

// Checkout-relative paths (build contexts, bind sources, secret files) are
// written under `root` ("/src/app", or "." for a commit).
nlohmann::json ComposeToJson(const ComposeProject& project, const std::string& root);
// The same document as block-style YAML.
std::string JsonToYaml(const nlohmann::json& doc);

}  // namespace sandbot

#endif  // SANDBOT_COMPOSE_COMPOSE_RENDER_H_
