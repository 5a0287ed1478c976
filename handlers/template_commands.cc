// /template create | update | show | list | delete | export | import
//
// Templates name services and what to do with them (deploy a branch, or route
// to the baseline or a URL), plus a gateway; `/sandbox create NAME from
// TEMPLATE` uses them (handlers/template_merge.h). Export prints only the
// JSON, so `sandbot template export T > t.json` gives a file import reads.
#include "handlers/template_commands.h"

#include "handlers/dispatch.h"
#include "handlers/sandbox_commands.h"
#include "handlers/template_codec.h"
#include "handlers/template_merge.h"
#include "store/repos.h"
#include "store/templates.h"
#include "templates/text.h"

namespace sandbot {

namespace {

// A branch entry deploys the service, so it needs a repo on this host.
Status CheckDeployable(Db* db, const std::string& service) {
  Repo repo;
  Status s = GetRepo(db, service, &repo);
  if (s.IsNotFound()) {
    return Status::InvalidArgument(service + " has no repo on this host (it is baseline-only), " +
                                   "so a template cannot deploy it: write " + service +
                                   "=baseline or " + service + "=URL");
  }
  return s;
}

// Every entry and the gateway name a known service (with "did you mean").
Status CheckServices(const HandlerContext& ctx, const Template& t) {
  for (const auto& [service, entry] : t.services) {
    Status s = CheckKnownService(ctx, service);
    if (s.ok() && !entry.branch.empty()) s = CheckDeployable(ctx.db, service);
    if (!s.ok()) return s;
  }
  return t.gateway.empty() ? Status::Ok() : CheckKnownService(ctx, t.gateway);
}

// One line per entry: "• web@develop (gateway)", "• payment → baseline".
std::string EntryLines(const Template& t) {
  std::string lines;
  for (const auto& [service, entry] : t.services) {
    lines += (lines.empty() ? "" : "\n") + std::string("• ") + service;
    lines += entry.branch.empty() ? " → " + entry.route : "@" + entry.branch;
    if (service == t.gateway) lines += " (gateway)";
  }
  return lines.empty() ? "(no entries: sandboxes from it deploy only what the command names)"
                       : lines;
}

void ShowTemplate(const Template& t, const std::string& title, MessageView* view) {
  view->kind = "template";
  view->title = title;
  view->text = EntryLines(t);
  if (!t.engine.empty()) view->text += "\nengine: " + t.engine;
  if (!t.created_by.empty()) {
    view->text += "\nby " + t.created_by + ", updated " + FormatTime(t.updated_at) + " UTC";
  }
  view->text += "\nuse it: `/sandbox create NAME from " + t.name + " [SERVICE@BRANCH ...]`";
}

}  // namespace

Status HandleTemplateCreate(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  Template t;
  t.name = cmd.name;
  t.created_by = ActorOf(req);
  MergeTemplateUpdate(cmd.services, cmd.service_routes, cmd.gateway, &t);
  t.engine = cmd.engine;
  Status s = ValidateTemplate(t);
  if (s.ok()) s = CheckServices(ctx, t);
  // A drained engine may take sandboxes again later: only its name is checked.
  if (s.ok() && !t.engine.empty()) s = CheckEngineChoice(ctx, t.engine, /*for_new=*/false);
  if (s.ok()) s = CreateTemplate(ctx.db, &t);
  if (!s.ok()) return s;
  ShowTemplate(t, "Template " + t.name + " created", &reply->view);
  return Status::Ok();
}

Status HandleTemplateUpdate(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const Command& cmd = req.command;
  if (cmd.services.empty() && cmd.service_routes.empty() && cmd.gateway.empty() &&
      cmd.engine.empty()) {
    return Status::InvalidArgument(
        "nothing to change: name entries (SERVICE@BRANCH, SERVICE=baseline, SERVICE=URL) or "
        "--gateway SERVICE or --engine NAME. To remove an entry or the engine, export the "
        "template, edit the file and import it.\nusage: /template update NAME [SERVICE@BRANCH | "
        "SERVICE=baseline|URL ...] [--gateway SERVICE] [--engine NAME]");
  }
  Template t;
  Status s = FindTemplate(ctx.db, cmd.name, &t);
  if (!s.ok()) return s;
  MergeTemplateUpdate(cmd.services, cmd.service_routes, cmd.gateway, &t);
  if (!cmd.engine.empty()) t.engine = cmd.engine;
  s = ValidateTemplate(t);
  if (s.ok()) s = CheckServices(ctx, t);
  if (s.ok() && !cmd.engine.empty()) s = CheckEngineChoice(ctx, t.engine, /*for_new=*/false);
  bool replaced = false;
  if (s.ok()) s = SaveTemplate(ctx.db, &t, &replaced);
  if (!s.ok()) return s;
  ShowTemplate(t, "Template " + t.name + " updated", &reply->view);
  return Status::Ok();
}

Status HandleTemplateShow(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Template t;
  Status s = FindTemplate(ctx.db, req.command.name, &t);
  if (!s.ok()) return s;
  ShowTemplate(t, "template " + t.name + (t.gateway.empty() ? "" : " (gateway " + t.gateway + ")"),
               &reply->view);
  return Status::Ok();
}

Status HandleTemplateList(const HandlerContext& ctx, const Request&, Reply* reply) {
  std::vector<Template> all;
  Status s = ListTemplates(ctx.db, &all);
  if (!s.ok()) return s;
  reply->view.kind = "template";
  reply->view.title = std::to_string(all.size()) + (all.size() == 1 ? " template" : " templates");
  if (all.empty()) {
    reply->view.text =
        "no templates yet: `/template create NAME SERVICE@BRANCH SERVICE=baseline ... "
        "[--gateway SERVICE]`, or `/template import`";
  }
  for (const Template& t : all) {
    std::string entries;
    for (const auto& [service, entry] : t.services) {
      entries += (entries.empty() ? "" : ", ") + service +
                 (entry.branch.empty() ? " → " + entry.route : "@" + entry.branch);
    }
    reply->view.text += (reply->view.text.empty() ? "" : "\n") + std::string("• ") + t.name +
                        (t.gateway.empty() ? "" : " (gateway " + t.gateway + ")") + ": " +
                        (entries.empty() ? "no entries" : entries);
  }
  return Status::Ok();
}

Status HandleTemplateDelete(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Template t;
  Status s = FindTemplate(ctx.db, req.command.name, &t);
  if (s.ok()) s = DeleteTemplate(ctx.db, t.name);
  if (!s.ok()) return s;
  reply->view.kind = "ack";
  reply->view.title = "Template " + t.name + " deleted";
  reply->view.text =
      "template " + t.name +
      " deleted; sandboxes created from it keep what they have. Its entries were:\n" +
      EntryLines(t);
  return Status::Ok();
}

Status HandleTemplateExport(const HandlerContext& ctx, const Request& req, Reply* reply) {
  Template t;
  Status s = FindTemplate(ctx.db, req.command.name, &t);
  if (!s.ok()) return s;
  // Only the JSON (no title), so the CLI's output is the file.
  reply->view.kind = "export";
  reply->view.title.clear();
  reply->view.text = TemplateJson(t);
  return Status::Ok();
}

Status HandleTemplateImport(const HandlerContext& ctx, const Request& req, Reply* reply) {
  const std::string& payload = req.command.payload;
  if (payload.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument(
        "nothing to import: paste the JSON of `/template export NAME` after `/template import`, "
        "or from the CLI: `sandbot template import FILE`");
  }
  Template t;
  Status s = ParseTemplateJson(payload, &t);
  if (s.ok()) s = CheckServices(ctx, t);
  if (s.ok() && !t.engine.empty()) s = CheckEngineChoice(ctx, t.engine, /*for_new=*/false);
  if (!s.ok()) return s;
  t.created_by = ActorOf(req);
  bool replaced = false;
  s = SaveTemplate(ctx.db, &t, &replaced);
  if (!s.ok()) return s;
  ShowTemplate(t, "Template " + t.name + (replaced ? " replaced" : " created") + " by import",
               &reply->view);
  return Status::Ok();
}

}  // namespace sandbot
