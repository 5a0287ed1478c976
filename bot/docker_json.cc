#include "bot/docker_json.h"

namespace sandbot {

using nlohmann::json;

const json* JsonField(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string JsonString(const json& j, const char* key) {
  const json* f = JsonField(j, key);
  return f && f->is_string() ? f->get<std::string>() : std::string();
}

int64_t JsonInt(const json& j, const char* key) {
  const json* f = JsonField(j, key);
  return f && f->is_number_integer() ? f->get<int64_t>() : 0;
}

bool JsonBool(const json& j, const char* key) {
  const json* f = JsonField(j, key);
  return f && f->is_boolean() && f->get<bool>();
}

const json& JsonMember(const json& j, const char* key) {
  static const json* const kNull = new json();
  const json* f = JsonField(j, key);
  return f ? *f : *kNull;
}

Labels JsonLabels(const json& j) {
  Labels out;
  if (!j.is_object()) return out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

std::string DumpJson(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::string EngineErrorMessage(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  std::string msg = j.is_discarded() ? "" : JsonString(j, "message");
  if (msg.empty()) msg = body.substr(0, 2000);
  msg = TrimRight(msg);
  return msg.empty() ? "(no message)" : msg;
}

}  // namespace sandbot
