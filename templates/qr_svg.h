// A QR code of a URL as an inline SVG (Debian's libqrencode), so a tester
// points a phone at a sandbox's main URL on the dashboard. One <path> of
// unit squares: no script, no external image, allowed by the dashboard's
// Content-Security-Policy.
#ifndef SANDBOT_TEMPLATES_QR_SVG_H_
#define SANDBOT_TEMPLATES_QR_SVG_H_

#include <string>

namespace sandbot {

// "<svg …>…</svg>" encoding `text`, or "" when it cannot be encoded (empty,
// or too long for a QR code).
std::string QrSvg(const std::string& text);

}  // namespace sandbot

#endif  // SANDBOT_TEMPLATES_QR_SVG_H_
