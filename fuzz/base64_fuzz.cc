// Base64 and the Teams HMAC check built on it (bot/signatures.h): decoding
// arbitrary text is strict (whole groups, standard alphabet, padding only at
// the end), what Base64Encode writes decodes back to the same bytes, and
// VerifyTeamsHmac takes any key, body and Authorization without crashing.
// Input: the text to decode; its halves also serve as key and body.
// fuzz-link: bot/signatures.cc
#include <cstddef>
#include <cstdint>
#include <string>

#include "bot/signatures.h"
#include "fuzz/require.h"

using sandbot_fuzz::Require;

namespace {

bool IsAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);

  std::string bytes;
  if (sandbot::Base64Decode(input, &bytes)) {
    size_t padding = 0;
    while (padding < input.size() && input[input.size() - 1 - padding] == '=') ++padding;
    Require(input.size() % 4 == 0 && padding <= 2 &&
            bytes.size() == input.size() / 4 * 3 - padding);
    for (size_t i = 0; i < input.size(); ++i) {
      Require(IsAlphabet(input[i]) || (input[i] == '=' && i + 2 >= input.size()));
    }
    const std::string again = sandbot::Base64Encode(bytes);
    Require(again.size() == input.size());
    std::string back;
    Require(sandbot::Base64Decode(again, &back) && back == bytes);
  } else {
    Require(bytes.empty());
  }

  const std::string encoded = sandbot::Base64Encode(input);
  Require(encoded.size() == (input.size() + 2) / 3 * 4);
  std::string decoded;
  Require(sandbot::Base64Decode(encoded, &decoded) && decoded == input);

  const std::string key = input.substr(0, input.size() / 2), body = input.substr(input.size() / 2);
  (void)sandbot::VerifyTeamsHmac(key, body, "HMAC " + key);
  (void)sandbot::VerifyTeamsHmac(encoded, body, body);
  const std::string mac = sandbot::HmacSha256(decoded, body);
  Require(sandbot::VerifyTeamsHmac(encoded, body, "HMAC " + sandbot::Base64Encode(mac)).ok() ==
          (!input.empty() && !body.empty()));
  return 0;
}
