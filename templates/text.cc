#include "templates/text.h"

#include <ctime>
#include <sstream>

#include "handlers/health.h"
#include "handlers/lifecycle.h"
#include "handlers/sandbox.h"

namespace sandbot {

namespace {

std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

std::string ServiceLine(const Service& s) {
  std::string commit = s.commit.empty() ? "-------" : s.commit.substr(0, 7);
  std::string line = "  " + Pad(s.name, 12) + Pad(s.branch + "@" + commit, 36) + Pad(s.status, 10) +
                     (s.url.empty() ? "-" : s.url);
  if (!s.detail.empty() && s.status == "failed") line += "\n    " + s.detail;
  const ServiceHealth health = ServiceHealthOf(s);
  if (s.status == "running" && health.health != Health::kHealthy) {
    line += "\n    " + std::string(HealthName(health.health)) + ": " + health.reason;
  }
  return line;
}

}  // namespace

std::string FormatTime(int64_t millis) {
  std::time_t t = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string RenderSandboxText(const Sandbox& b) {
  std::ostringstream out;
  out << "sandbox " << b.name;
  if (b.state != "active") out << " (" << b.state << ")";
  out << " · " << HealthName(SandboxHealthOf(b));
  if (!b.origin_branch.empty()) out << "  from " << b.origin_repo << "@" << b.origin_branch;
  out << "  by " << b.created_by << "\n";
  for (const std::string& note : LifecycleNotes(b)) out << "  " << note << "\n";
  const std::string main_url = MainUrl(b);
  if (!main_url.empty()) out << "  main URL: " << main_url << " (gateway " << b.gateway << ")\n";
  if (b.services.empty()) out << "  (no services)\n";
  for (const Service& s : b.services) out << ServiceLine(s) << "\n";
  return out.str();
}

std::string RenderSandboxListText(const std::vector<Sandbox>& sandboxes) {
  if (sandboxes.empty()) {
    return "no sandboxes yet: push a branch to a watched repo (sandbot repo list)\n";
  }
  std::string out;
  for (const Sandbox& b : sandboxes) out += RenderSandboxText(b);
  return out;
}

std::string RenderAuditText(const std::vector<AuditRow>& rows) {
  std::ostringstream out;
  for (const AuditRow& r : rows) {
    out << FormatTime(r.time) << "  " << Pad(r.actor, 10) << Pad(r.source, 7) << Pad(r.action, 16)
        << Pad(r.status, 10);
    if (!r.sandbox.empty()) out << "sandbox=" << r.sandbox << " ";
    if (!r.repo.empty()) out << "repo=" << r.repo << " ";
    if (!r.branch.empty()) out << "branch=" << r.branch << " ";
    if (!r.commit.empty()) out << "commit=" << r.commit.substr(0, 7) << " ";
    if (!r.detail.empty()) out << "- " << r.detail;
    out << "\n";
  }
  return out.str();
}

std::string RenderRepoListText(const std::vector<Repo>& repos) {
  if (repos.empty()) return "no repos yet: sandbot repo add NAME PATH --init\n";
  std::ostringstream out;
  for (const Repo& r : repos) {
    out << Pad(r.name, 12) << r.path << "  port " << r.port << "  health "
        << (r.health.empty() ? "(none)" : r.health) << "  default " << r.default_branch;
    if (!r.image.empty()) out << "  image " << r.image;
    if (r.wait) out << "  wait";
    if (!r.reload_signal.empty()) out << "  reload-signal " << r.reload_signal;
    out << "\n";
  }
  return out.str();
}

}  // namespace sandbot
