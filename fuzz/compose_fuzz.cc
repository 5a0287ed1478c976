// The Compose parser (compose/) on arbitrary files: no crash or hang; what it
// accepts keeps every path inside the checkout and every host port inside
// the ranges; and its printed normal form reads back to the same document
// (`compose config` output is a compose file sandbot accepts unchanged).
// fuzz-link: compose/*.cc util/status.cc
#include <cstddef>
#include <cstdint>
#include <string>

#include "compose/compose_file.h"
#include "compose/compose_render.h"
#include "fuzz/require.h"

using sandbot_fuzz::Require;

namespace {

bool Inside(const std::string& path) {
  std::string normal;
  return sandbot::NormalRelativePath(path, &normal) && normal == path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16384) return 0;  // yaml-cpp recurses on nesting; files are small
  using namespace sandbot;
  ComposeOptions options;
  options.lookup = [](const std::string& name, std::string* value) {
    if (name != "SET") return false;
    *value = "v";
    return true;
  };
  options.read_file = [](const std::string& path, std::string* content) {
    Require(Inside(path));
    *content = "A=1\n";
    return Status::Ok();
  };
  options.host_port_ranges = {{9001, 9999}};
  ComposeProject project;
  std::vector<ComposeProblem> errors, warnings;
  Status s = ParseCompose(std::string(reinterpret_cast<const char*>(data), size), options, &project,
                          &errors, &warnings);
  Require(s.ok() == errors.empty());
  if (!s.ok()) return 0;
  for (const ComposeService& service : project.services) {
    for (const ComposeMount& m : service.volumes) {
      if (m.type == "bind") Require(Inside(m.source) && m.read_only);
    }
    for (const ComposePort& p : service.ports) {
      Require(p.published_lo == 0 || (p.published_lo >= 9001 && p.published_hi <= 9999));
    }
    if (service.build) Require(Inside(service.build->context));
  }
  for (const auto* files : {&project.secrets, &project.configs}) {
    for (const auto& [name, src] : *files) Require(src.file.empty() || Inside(src.file));
  }
  const nlohmann::json doc = ComposeToJson(project, ".");
  Require(!doc.dump().empty());  // strict UTF-8: throws (a finding) on anything else
  ComposeProject again;
  s = ParseCompose(JsonToYaml(doc), options, &again, &errors, &warnings);
  Require(s.ok());
  Require(ComposeToJson(again, ".") == doc);
  return 0;
}
