#include "util/identity.h"

#include <cstdint>

namespace sandbot {

namespace {

// The id part of an identity: printable ASCII without spaces.
bool PrintableId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

// Length of the UTF-8 sequence starting with `lead`, 0 when it cannot start one.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// Decodes one well-formed sequence of `length` bytes; -1 when malformed.
int32_t Decode(std::string_view s, size_t length) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  int32_t cp = length == 1   ? b(0)
               : length == 2 ? b(0) & 0x1F
               : length == 3 ? b(0) & 0x0F
                             : b(0) & 0x07;
  for (size_t i = 1; i < length; ++i) {
    if ((b(i) & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b(i) & 0x3F);
  }
  const int32_t min = length == 2 ? 0x80 : length == 3 ? 0x800 : length == 4 ? 0x10000 : 0;
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  return cp;
}

bool Hidden(int32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
         cp == 0x200F || cp == 0x061C;
}

}  // namespace

std::string SlackIdentity(std::string_view team_id, std::string_view user_id) {
  return "slack:" + std::string(team_id) + "/" + std::string(user_id);
}
std::string MattermostIdentity(std::string_view user_id) {
  return "mattermost:" + std::string(user_id);
}
std::string TeamsIdentity(std::string_view aad_object_id) {
  return "teams:" + std::string(aad_object_id);
}
std::string CliIdentity(unsigned uid) { return "cli:" + std::to_string(uid); }
std::string ForgeIdentity(std::string_view forge, std::string_view login) {
  return "forge:" + std::string(forge) + "/" + std::string(login);
}

Status ValidateIdentity(std::string_view key) {
  const auto refuse = [&] {
    return Status::InvalidArgument(
        "'" + StripControl(key, 64) +
        "' is not a fixed identity; roles are granted to slack:TEAM_ID/USER_ID, "
        "mattermost:USER_ID, teams:AAD_OBJECT_ID, cli:UID or forge:NAME/LOGIN, never to a "
        "display name (anyone can call themselves that)");
  };
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos) return refuse();
  const std::string_view kind = key.substr(0, colon), id = key.substr(colon + 1);
  if (!PrintableId(id)) return refuse();
  const size_t slash = id.find('/');
  const bool two_parts = slash != std::string_view::npos && slash > 0 && slash + 1 < id.size() &&
                         id.find('/', slash + 1) == std::string_view::npos;
  if (kind == "slack" || kind == "forge") return two_parts ? Status::Ok() : refuse();
  if (kind == "mattermost" || kind == "teams") {
    return slash == std::string_view::npos ? Status::Ok() : refuse();
  }
  if (kind == "cli") {
    return id.find_first_not_of("0123456789") == std::string_view::npos && id.size() <= 10
               ? Status::Ok()
               : refuse();
  }
  return refuse();
}

std::string StripControl(std::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  size_t i = 0;
  while (i < text.size()) {
    const size_t length = SequenceLength(static_cast<unsigned char>(text[i]));
    const int32_t cp =
        length == 0 || i + length > text.size() ? -1 : Decode(text.substr(i, length), length);
    if (cp < 0) {
      if (out.size() + 1 > max_bytes) break;
      out.push_back('?');
      ++i;
      continue;
    }
    if (!Hidden(cp)) {
      if (out.size() + length > max_bytes) break;
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

}  // namespace sandbot
