#ifndef SANDBOT_BOT_VERSION_H_
#define SANDBOT_BOT_VERSION_H_

namespace sandbot {

constexpr const char kVersion[] = "0.1.0";

}  // namespace sandbot

#endif  // SANDBOT_BOT_VERSION_H_
