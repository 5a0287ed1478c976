// The form decoder of the Slack and Mattermost doors (bot/form.h) on
// arbitrary bodies: no crash, decoding never grows the text, and what
// FormEncode writes ParseForm reads back unchanged.
// fuzz-link: bot/form.cc
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bot/form.h"
#include "fuzz/require.h"

using sandbot_fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  Require(sandbot::UrlDecode(body).size() <= body.size());
  const auto fields = sandbot::ParseForm(body);
  for (const auto& [key, value] : fields) {
    Require(key.size() + value.size() <= body.size());
  }
  Require(sandbot::ParseForm(sandbot::FormEncode(fields)) == fields);
  return 0;
}
