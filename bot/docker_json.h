// Tolerant access to the Docker engine's JSON answers. The engine's answers
// are never trusted to have the expected shape, and nlohmann's accessors
// would throw otherwise: a missing or mistyped field reads as empty.
#ifndef SANDBOT_BOT_DOCKER_JSON_H_
#define SANDBOT_BOT_DOCKER_JSON_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "handlers/runtime.h"

namespace sandbot {

// The member `key` of object `j`, or nullptr.
const nlohmann::json* JsonField(const nlohmann::json& j, const char* key);
// The string member `key`, or "".
std::string JsonString(const nlohmann::json& j, const char* key);
// The integer member `key`, or 0.
int64_t JsonInt(const nlohmann::json& j, const char* key);
// The boolean member `key`, or false.
bool JsonBool(const nlohmann::json& j, const char* key);
// The member `key` of any type, or a null value.
const nlohmann::json& JsonMember(const nlohmann::json& j, const char* key);
// The string members of object `j` as labels.
Labels JsonLabels(const nlohmann::json& j);
// Compact text; invalid UTF-8 in user-supplied strings is replaced instead
// of making dump() throw.
std::string DumpJson(const nlohmann::json& j);

// `s` without trailing newlines, carriage returns and spaces.
std::string TrimRight(std::string s);
// The engine's `message` from an error body, else the trimmed body itself.
std::string EngineErrorMessage(const std::string& body);

}  // namespace sandbot

#endif  // SANDBOT_BOT_DOCKER_JSON_H_
