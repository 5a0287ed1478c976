#include "util/engine_names.h"

#include <filesystem>

namespace sandbot {

namespace fs = std::filesystem;

namespace {

constexpr char kPrefix[] = "sandbox-";

}  // namespace

std::string Short(const std::string& sha) { return sha.substr(0, 7); }
std::string Sha12(const std::string& sha) { return sha.substr(0, 12); }

std::string ContainerName(const std::string& sandbox, const std::string& service) {
  return kPrefix + sandbox + "-" + service;
}

std::string StandbyContainerName(const std::string& sandbox, const std::string& service) {
  return ContainerName(sandbox, service) + ".old";
}

std::string NetworkName(const std::string& sandbox) { return kPrefix + sandbox; }
std::string SandboxVolumeName(const std::string& sandbox, const std::string& volume) {
  return kPrefix + sandbox + "-" + volume;
}
std::string SeedVolumeName(const std::string& seed, int64_t generation) {
  return "sandbot-seed-" + seed + "-" + std::to_string(generation);
}
std::string CopyContainerName(const std::string& volume) { return volume + ".copy"; }
std::string RouterContainerName(const std::string& sandbox) {
  return kPrefix + sandbox + ".router";
}

std::string SandboxOfNetworkName(const std::string& network) {
  const std::string prefix = kPrefix;
  return network.rfind(prefix, 0) == 0 ? network.substr(prefix.size()) : "";
}

std::string ImageTag(const std::string& repo, const std::string& sha) {
  return "sandbot/" + repo + ":" + Sha12(sha);
}

std::string DataLabel(const std::string& data_dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(data_dir, ec);
  return ec ? data_dir : p.string();
}

std::string WorkRoot(const std::string& data_dir) { return data_dir + "/work"; }

std::string WorkDir(const std::string& data_dir, const std::string& sandbox) {
  return WorkRoot(data_dir) + "/" + sandbox;
}

std::string CheckoutDir(const std::string& data_dir, const std::string& sandbox,
                        const std::string& repo, const std::string& sha) {
  return WorkDir(data_dir, sandbox) + "/" + repo + "-" + Sha12(sha);
}

std::string RoutesDir(const std::string& data_dir, const std::string& sandbox) {
  return WorkDir(data_dir, sandbox) + "/etc-sandbot";
}
std::string RouterStateDir(const std::string& data_dir, const std::string& sandbox) {
  return WorkDir(data_dir, sandbox) + "/router";
}

std::string JobLogPath(const std::string& data_dir, int64_t job_id) {
  return data_dir + "/logs/job-" + std::to_string(job_id) + ".log";
}

std::string SandboxSecretsDir(const std::string& data_dir, const std::string& sandbox) {
  std::error_code ec;
  fs::path root = fs::absolute(data_dir, ec);
  if (ec) root = data_dir;
  return (root / "secrets" / sandbox).string();
}

std::string SecretsDir(const std::string& data_dir, const std::string& sandbox,
                       const std::string& service) {
  return (fs::path(SandboxSecretsDir(data_dir, sandbox)) / service).string();
}

}  // namespace sandbot
