// The argument parsers of the command table (kCommands in
// handlers/command.cc). Each parses the words after the verb into the fields
// of Command its verb uses; an InvalidArgument message says what is wrong
// (ParseCommand appends the usage line).
#ifndef SANDBOT_HANDLERS_COMMAND_ARGS_H_
#define SANDBOT_HANDLERS_COMMAND_ARGS_H_

#include <string>
#include <vector>

#include "handlers/command.h"
#include "util/status.h"

namespace sandbot {

using Words = std::vector<std::string>;

Status ParseNone(const Words& args, Command*);
Status ParseHelp(const Words&, Command*);
Status ParseOptionalSandbox(const Words& args, Command* command);
Status ParseSandbox(const Words& args, Command* command);
Status ParseCreate(const Words& args, Command* command);
Status ParseLogs(const Words& args, Command* command);
Status ParseDeploy(const Words& args, Command* command);
Status ParseRouteSet(const Words& args, Command* command);
Status ParseTwoSandboxes(const Words& args, Command* command);
Status ParseSandboxAndSnapshot(const Words& args, Command* command);
// sandbox snapshot: NAME SNAP [--with-data].
Status ParseSandboxSnapshot(const Words& args, Command* command);
Status ParseLock(const Words& args, Command* command);
Status ParseBaselineSet(const Words& args, Command* command);
Status ParseService(const Words& args, Command* command);
Status ParseTemplateName(const Words& args, Command* command);
Status ParseTemplateSpec(const Words& args, Command* command);
// An engine's name as bot/engine_config.cc admits them: [a-z][a-z0-9-]{0,31}.
bool ValidEngineRef(const std::string& name);
Status ParseTemplateImport(const Words& args, Command* command);
Status ParseEnvName(const Words& args, Command* command);
Status ParseEnvSet(const Words& args, Command* command);
Status ParseEnvSetFile(const Words& args, Command* command);
Status ParseEnvUnset(const Words& args, Command* command);
Status ParseEnvAttach(const Words& args, Command* command);
// seed create NAME (--from SANDBOX SERVICE:VOLUME | --from-file PATH) [--image IMAGE]
// "--refresh-every" values: 30m, 12h, 7d, 2w (1m to a year) in seconds.
bool ParseRefreshEvery(const std::string& text, int64_t* seconds);
Status ParseSeedCreate(const Words& args, Command* command);
// seed show | delete | refresh NAME
Status ParseSeedName(const Words& args, Command* command);
// A seed's name: as a sandbox's (lower-case slug), for engine volume names.
Status ValidateSeedName(const std::string& name);
// A compose volume's name: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64.
Status ValidateVolumeName(const std::string& name);
}  // namespace sandbot

#endif  // SANDBOT_HANDLERS_COMMAND_ARGS_H_
