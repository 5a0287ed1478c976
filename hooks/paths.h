// Where things are in the data folder, for the daemon and for the hook
// process alike (the hook links nothing of bot/).
#ifndef SANDBOT_HOOKS_PATHS_H_
#define SANDBOT_HOOKS_PATHS_H_

#include <string>

namespace sandbot {

// $SANDBOT_DATA, else /var/lib/sandbot.
std::string DefaultDataDir();

std::string SocketPath(const std::string& data_dir);  // sandbot.sock
std::string SpoolDir(const std::string& data_dir);    // spool/

}  // namespace sandbot

#endif  // SANDBOT_HOOKS_PATHS_H_
