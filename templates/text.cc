#include "templates/text.h"

#include <ctime>
#include <kainjow/mustache.hpp>
#include <sstream>

#include "templates/clip.h"
#include "templates/escape.h"
#include "templates/template_pool.h"
#include "templates/view_data.h"
#include "util/engine_names.h"

namespace sandbot {

namespace {

namespace mu = kainjow::mustache;

// Left-aligned in a column of `width`, at least one space after.
std::string Pad(const std::string& s, size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
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

std::string RenderText(const MessageView& view) {
  MessageView repaired;
  const MessageView& v = Cleaned(view, &repaired);
  Sizes sizes;
  sizes.services = sizes.sandboxes = sizes.routes = sizes.logs = std::string::npos;
  sizes.log_bytes = sizes.text = std::string::npos;
  std::string text;
  mu::data d = CommonData(v, Target::kText, sizes, PlainEscape);
  if (!RenderTemplate("text", d, PlainEscape, &text, {"text_service"})) {
    text = PlainEscape(PlainFallback(v, std::string::npos));
  }
  text = TidyLines(text);
  return text.empty() ? text : text + "\n";
}

std::string RenderAuditText(const std::vector<AuditView>& rows) {
  std::ostringstream out;
  for (const AuditView& r : rows) {
    out << FormatTime(r.time) << "  " << Pad(r.actor, 10) << Pad(r.source, 7) << Pad(r.action, 16)
        << Pad(r.status, 10);
    if (!r.sandbox.empty()) out << "sandbox=" << r.sandbox << " ";
    if (!r.repo.empty()) out << "repo=" << r.repo << " ";
    if (!r.branch.empty()) out << "branch=" << r.branch << " ";
    if (!r.commit.empty()) out << "commit=" << Short(r.commit) << " ";
    if (!r.detail.empty()) out << "- " << r.detail;
    out << "\n";
  }
  return PlainEscape(out.str());
}

std::string RenderRepoListText(const std::vector<RepoView>& repos) {
  if (repos.empty()) return "no repos yet: sandbot repo add NAME PATH --init\n";
  std::ostringstream out;
  for (const RepoView& r : repos) {
    out << Pad(r.name, 12) << r.path << "  port " << r.port << "  health "
        << (r.health.empty() ? "(none)" : r.health) << "  default " << r.default_branch;
    if (!r.image.empty()) out << "  image " << r.image;
    if (r.wait) out << "  wait";
    if (!r.reload_signal.empty()) out << "  reload-signal " << r.reload_signal;
    if (!r.compose_file.empty()) out << "  compose " << r.compose_file;
    out << "\n";
  }
  return PlainEscape(out.str());
}

}  // namespace sandbot
