// TlsProbe: why a mutual-TLS exchange with an engine fails, in words an
// operator can act on. cpp-httplib only reports "SSLConnection" or
// "SSLServerVerification"; this runs one handshake and a GET /_ping of its
// own on OpenSSL with the same files and the same checks (the engine's
// certificate against ca.pem and its name, or IP address, against `host`)
// and names the side that refused and the certificate it refused.
#ifndef SANDBOT_BOT_TLS_PROBE_H_
#define SANDBOT_BOT_TLS_PROBE_H_

#include <string>

#include "bot/engine_config.h"

namespace sandbot {

// "" when the handshake and a /_ping exchange succeed; else one sentence:
// our files unusable, the engine's certificate not trusted or not issued
// for `host`, our client certificate refused, or the connection failed.
std::string ProbeTls(const std::string& host, int port, const EngineTls& tls, int timeout_seconds);

// Checks the folder's files alone (no network): the CA and the client
// certificate parse, and the key belongs to the certificate.
std::string CheckTlsFiles(const EngineTls& tls);

}  // namespace sandbot

#endif  // SANDBOT_BOT_TLS_PROBE_H_
