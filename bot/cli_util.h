// What the command line's subcommands share: errors as exit codes, paths,
// the store opened from the data folder, and the daemon's local socket.
#ifndef SANDBOT_BOT_CLI_UTIL_H_
#define SANDBOT_BOT_CLI_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/db.h"
#include "util/status.h"

namespace sandbot {

// Prints "sandbot: MESSAGE" on stderr; returns the Status's exit code.
int Fail(const Status& s);
// `path` made absolute and normal (as given when that fails).
std::string Absolute(const std::string& path);
// Opens (creating the folder if needed) the store of `data_dir`.
Status OpenStore(const std::string& data_dir, std::unique_ptr<Db>* db);
// Tells a running daemon that work was queued; false when none answers (it
// also polls, so a daemon that is down simply finds the job when it starts).
bool WakeDaemon(const std::string& data_dir);

// The daemon's answer to a command of the shared grammar.
struct DaemonAnswer {
  bool reached = false;  // false: no daemon on the socket
  bool ok = false;
  int http_status = 0;
  std::string text;
  std::vector<int64_t> jobs;
};
// Runs `family` `text` (with `payload`, when not empty) in the daemon, as
// chat would, for the OS user. Unavailable when the answer is unreadable.
Status AskDaemon(const std::string& data_dir, const std::string& family, const std::string& text,
                 const std::string& payload, DaemonAnswer* answer);
// Prints the answer (stdout when ok, stderr otherwise) and returns the exit
// code; with `wait`, follows its jobs to their end first.
int PrintAnswer(const std::string& data_dir, const DaemonAnswer& answer, bool wait);

}  // namespace sandbot

#endif  // SANDBOT_BOT_CLI_UTIL_H_
