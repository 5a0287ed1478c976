// Every name sandbot gives to things outside its store, in one place (the
// shape of LevelDB's db/filename.h): engine objects (containers, networks,
// image tags, labels) and the files under the data folder. Derived only from
// validated names (handlers/names.h), so no escaping is needed.
//
//   container    sandbox-{sandbox}-{service}
//                sandbox-{sandbox}-{service}.old    (the replaced one, until its successor starts)
//   network      sandbox-{sandbox}
//   image tag    sandbot/{repo}:{sha12}
//   work folder  {data}/work/{sandbox}/
//                  {repo}-{sha12}/   buildless checkout, mounted at /src
//                  etc-sandbot/      routes.json, mounted at /etc/sandbot
//   job log      {data}/logs/job-{id}.log
//   secrets      {data}/secrets/{sandbox}/{service}/   (absolute)
#ifndef SANDBOT_UTIL_ENGINE_NAMES_H_
#define SANDBOT_UTIL_ENGINE_NAMES_H_

#include <cstdint>
#include <string>

namespace sandbot {

// Labels on every container and network sandbot creates. The engine is
// asked for objects by label; names are only for people and DNS.
inline constexpr char kLabelManaged[] = "sandbot.managed";  // "true"
inline constexpr char kLabelSandbox[] = "sandbot.sandbox";
inline constexpr char kLabelService[] = "sandbot.service";  // containers only
inline constexpr char kLabelRepo[] = "sandbot.repo";        // containers only
inline constexpr char kLabelCommit[] = "sandbot.commit";    // containers only
inline constexpr char kLabelData[] = "sandbot.data";        // DataLabel(data folder)
// "dir": the container mounts the routes folder, so it sees routes.json
// change in place (a reroute may signal it instead of recreating it).
inline constexpr char kLabelRoutes[] = "sandbot.routes";
// "router": the sandbox's router container (bot/router_proxy.h).
inline constexpr char kLabelRole[] = "sandbot.role";
inline constexpr char kLabelVolume[] = "sandbot.volume";  // volumes: the compose volume
inline constexpr char kLabelSeed[] = "sandbot.seed";      // seed volumes: the seed's name

// The first 7 characters of a commit id, as people read it.
std::string Short(const std::string& sha);
// The first 12, as image tags and checkout folders carry it.
std::string Sha12(const std::string& sha);

std::string ContainerName(const std::string& sandbox, const std::string& service);
// While a service's container is replaced, the running one steps aside
// under this name until its successor has started (bot/job_steps.cc). '.'
// is in no sandbox or service name: never another service's container.
std::string StandbyContainerName(const std::string& sandbox, const std::string& service);
std::string NetworkName(const std::string& sandbox);
// A sandbox's named volume: sandbox-{sandbox}-{volume}.
std::string SandboxVolumeName(const std::string& sandbox, const std::string& volume);
// One generation of a seed: sandbot-seed-{seed}-{generation}.
std::string SeedVolumeName(const std::string& seed, int64_t generation);
// The helper container that copies into `volume`.
std::string CopyContainerName(const std::string& volume);
// sandbox-{sandbox}.router: '.' is in no service name, so a service called
// "router" keeps its own container name.
std::string RouterContainerName(const std::string& sandbox);
// The sandbox a network name was made for by NetworkName, "" when it was
// not. Only for networks created before they carried kLabelSandbox.
std::string SandboxOfNetworkName(const std::string& network);
// The image a Dockerfile commit is built into.
std::string ImageTag(const std::string& repo, const std::string& sha);
// The kLabelData value that ties engine objects to one data folder (its
// canonical path), so daemons sharing an engine keep to their own.
std::string DataLabel(const std::string& data_dir);

std::string WorkRoot(const std::string& data_dir);
std::string WorkDir(const std::string& data_dir, const std::string& sandbox);
std::string CheckoutDir(const std::string& data_dir, const std::string& sandbox,
                        const std::string& repo, const std::string& sha);
std::string RoutesDir(const std::string& data_dir, const std::string& sandbox);
// {data}/work/{sandbox}/router/: the router writes the version of the table
// it uses there (table-version), mounted at /run/sandbot.
std::string RouterStateDir(const std::string& data_dir, const std::string& sandbox);
std::string JobLogPath(const std::string& data_dir, int64_t job_id);
// Absolute: they are bind-mount sources.
std::string SandboxSecretsDir(const std::string& data_dir, const std::string& sandbox);
std::string SecretsDir(const std::string& data_dir, const std::string& sandbox,
                       const std::string& service);

}  // namespace sandbot

#endif  // SANDBOT_UTIL_ENGINE_NAMES_H_
