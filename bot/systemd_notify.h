// sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET, so the
// unit can be Type=notify. A no-op when the variable is unset (not started
// by systemd).
#ifndef SANDBOT_BOT_SYSTEMD_NOTIFY_H_
#define SANDBOT_BOT_SYSTEMD_NOTIFY_H_

#include <string>

namespace sandbot {

// Sends `state` ("READY=1", "STOPPING=1", "STATUS=…"). Returns false when
// $NOTIFY_SOCKET is set but the message could not be sent.
bool NotifySystemd(const std::string& state);

}  // namespace sandbot

#endif  // SANDBOT_BOT_SYSTEMD_NOTIFY_H_
