#include "util/transport.h"

namespace sandbot {

namespace {

struct NamedTransport {
  Transport transport;
  const char* name;
};

// The one table of transport names.
constexpr NamedTransport kNames[] = {
    {Transport::kSlack, "slack"}, {Transport::kMattermost, "mattermost"},
    {Transport::kTeams, "teams"}, {Transport::kCli, "cli"},
    {Transport::kGit, "git"},
};

}  // namespace

const char* TransportName(Transport transport) {
  for (const NamedTransport& t : kNames) {
    if (t.transport == transport) return t.name;
  }
  return "unknown";
}

bool ParseTransport(const std::string& name, Transport* transport) {
  for (const NamedTransport& t : kNames) {
    if (name == t.name) {
      *transport = t.transport;
      return true;
    }
  }
  return false;
}

}  // namespace sandbot
