#include "bot/engine_api.h"

#include <unistd.h>

#include <map>
#include <set>

#include "bot/local_caller.h"
#include "bot/sandbox_move.h"
#include "store/audit.h"
#include "store/engines.h"
#include "util/engine_names.h"

namespace sandbot {

using nlohmann::json;

namespace {

void ReplyStatus(HttpResponse* res, const Status& s) {
  res->status = s.HttpCode();
  res->Set(json{{"error", s.message()}}.dump(), "application/json");
}

}  // namespace

json DescribeEngine(const EngineView& e, const std::string& data_dir) {
  json j = {{"name", e.spec.name},           {"url", e.spec.url},
            {"tls", e.spec.Tls().enabled()}, {"tls_dir", e.spec.tls_dir},
            {"insecure", e.spec.insecure},   {"public_host", e.spec.public_host},
            {"ports", e.spec.ports},         {"gateway_ports", e.spec.gateway_ports}};
  Status s = e.docker->Ping();
  j["up"] = s.ok();
  j["error"] = s.ok() ? "" : s.message();
  j["version"] = s.ok() ? e.docker->Product() : "";
  int running = -1;
  if (s.ok()) {
    std::vector<ContainerInfo> containers;
    const Labels ours = {{kLabelManaged, "true"}, {kLabelData, DataLabel(data_dir)}};
    if (e.docker->ListContainers(ours, &containers).ok()) {
      running = 0;
      for (const ContainerInfo& c : containers) running += c.state == "running" ? 1 : 0;
    }
  }
  j["containers"] = running;  // -1: unknown
  j["breaker_open"] = e.breaker != nullptr && e.breaker->open();
  return j;
}

void RegisterEngineApi(LocalServer* server, Db* db, EngineRegistry* engines, const Config* config,
                       EventHub* hub) {
  const std::string data_dir = config->data_dir;
  server->Get("/v1/engines", [=](const HttpRequest&, const PeerCredentials&, HttpResponse* res) {
    std::set<std::string> drained;
    std::map<std::string, int> sandboxes;
    Status s = ListDrainedEngines(db, &drained);
    if (s.ok()) s = CountEngineSandboxes(db, &sandboxes);
    if (!s.ok()) return ReplyStatus(res, s);
    json list = json::array();
    for (const auto& e : engines->engines()) {
      json j = DescribeEngine(EngineView{e->spec, e->docker, e->breaker.get()}, data_dir);
      j["drained"] = drained.count(e->spec.name) > 0;
      j["default"] = e->is_default;
      // Unplaced sandboxes are counted nowhere until their first job.
      j["sandboxes"] = sandboxes[e->spec.name];
      list.push_back(j);
    }
    res->status = 200;
    res->Set(json{{"engines", list}}.dump(), "application/json");
  });
  const uid_t daemon_uid = geteuid();
  auto admin = [=](const PeerCredentials& peer, const char* what) {
    if (LocalRole(*config, peer.uid, daemon_uid) == Role::kAdmin) return Status::Ok();
    return Status::Forbidden(std::string(what) + " is for admins (cli:" + std::to_string(peer.uid) +
                             " is not one)");
  };
  server->Post("/v1/engines/drain", [=](const HttpRequest& req, const PeerCredentials& peer,
                                        HttpResponse* res) {
    json body = json::parse(req.body, nullptr, false);
    Status s = admin(peer, "draining an engine");
    if (s.ok() && (!body.is_object() || !body.value("name", json()).is_string() ||
                   !body.value("drained", json()).is_boolean())) {
      s = Status::InvalidArgument("expected {\"name\": ENGINE, \"drained\": bool}");
    }
    if (!s.ok()) return ReplyStatus(res, s);
    const std::string name = body["name"].get<std::string>();
    const bool drain = body["drained"].get<bool>();
    if (engines->Find(name) == nullptr) {
      return ReplyStatus(res, Status::NotFound("no engine named '" + name + "'"));
    }
    const std::string actor = "cli:" + std::to_string(peer.uid);
    Transaction tx(db);
    s = tx.status();
    if (s.ok()) s = SetEngineDrained(db, name, drain, actor);
    AuditRow row;
    row.actor = actor;
    row.source = "cli";
    row.action = drain ? "engine.drain" : "engine.undrain";
    row.status = "succeeded";
    row.detail =
        "engine '" + name + "'" +
        (drain ? " takes no new sandboxes; those it holds stay" : " takes new sandboxes again");
    if (s.ok()) s = AppendAudit(db, row);
    if (s.ok()) s = tx.Commit();
    if (!s.ok()) return ReplyStatus(res, s);
    res->status = 200;
    res->Set(json{{"text", row.detail}}.dump(), "application/json");
  });
  server->Post("/v1/sandboxes/move", [=](const HttpRequest& req, const PeerCredentials& peer,
                                         HttpResponse* res) {
    json body = json::parse(req.body, nullptr, false);
    Status s = admin(peer, "moving a sandbox");
    if (s.ok() && (!body.is_object() || !body.value("sandbox", json()).is_string() ||
                   !body.value("to", json()).is_string())) {
      s = Status::InvalidArgument("expected {\"sandbox\": NAME, \"to\": ENGINE}");
    }
    if (!s.ok()) return ReplyStatus(res, s);
    MoveRequest move;
    move.sandbox = body["sandbox"].get<std::string>();
    move.to = body["to"].get<std::string>();
    move.actor = "cli:" + std::to_string(peer.uid);
    Engine* to = engines->Find(move.to);
    if (to == nullptr) {
      return ReplyStatus(
          res, Status::NotFound("no engine named '" + move.to + "' (sandbot engine list)"));
    }
    std::set<std::string> drained;
    s = ListDrainedEngines(db, &drained);
    if (!s.ok()) return ReplyStatus(res, s);
    move.to_drained = drained.count(move.to) > 0;
    move.to_reachable = to->runtime->Reachable() && to->runtime->Ping().ok();
    std::string from;
    std::vector<int64_t> jobs;
    int volumes = 0;
    s = MoveSandbox(db, move, &from, &jobs, &volumes);
    if (!s.ok()) return ReplyStatus(res, s);
    hub->Notify();
    std::string text = "moving sandbox " + move.sandbox + " from engine '" +
                       (from.empty() ? std::string("(unplaced)") : from) + "' to '" + move.to +
                       "': " + std::to_string(jobs.size()) +
                       " services rebuilt there at the commits they run (jobs";
    for (int64_t j : jobs) text += " " + std::to_string(j);
    text += "); routes and environment follow; " + std::to_string(volumes) +
            " named volumes copied from '" + from +
            "' as their services start there (the copies on '" + from + "' stay)";
    res->status = 200;
    res->Set(json{{"text", text}, {"jobs", jobs}}.dump(), "application/json");
  });
}

}  // namespace sandbot
