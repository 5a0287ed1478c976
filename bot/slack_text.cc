#include "bot/slack_text.h"

namespace sandbot {

std::string UnwrapSlack(const std::string& text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t close = text[i] == '<' ? text.find('>', i + 1) : std::string::npos;
    if (close == std::string::npos) {
      out.push_back(text[i++]);
      continue;
    }
    std::string inner = text.substr(i + 1, close - i - 1);
    size_t bar = inner.find('|');
    out += bar == std::string::npos ? inner : inner.substr(bar + 1);
    i = close + 1;
  }
  return out;
}

std::string SlackCommandText(const std::string& text) {
  const std::string unwrapped = UnwrapSlack(text);
  std::string out;
  out.reserve(unwrapped.size());
  for (size_t i = 0; i < unwrapped.size(); ++i) {
    if (static_cast<unsigned char>(unwrapped[i]) == 0xC2 && i + 1 < unwrapped.size() &&
        static_cast<unsigned char>(unwrapped[i + 1]) == 0xA0) {
      out.push_back(' ');
      ++i;
      continue;
    }
    out.push_back(unwrapped[i]);
  }
  return out;
}

}  // namespace sandbot
